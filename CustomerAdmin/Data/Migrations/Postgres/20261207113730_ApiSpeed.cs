using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ApiSpeed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "CityKey",
                table: "Customers",
                type: "character varying(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "",
                collation: "C");

            // Existing rows keep an empty key here and are given theirs at start-up in C#
            // (SearchIndexKeeper.FillMissingCityKeysAsync): SQL's lower() cannot fold the city as a save does.
            migrationBuilder.CreateIndex(
                name: "IX_Customers_CityKey_SortName_Id",
                table: "Customers",
                columns: new[] { "CityKey", "SortName", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Customers_CityKey_SortName_Id",
                table: "Customers");

            migrationBuilder.DropColumn(
                name: "CityKey",
                table: "Customers");
        }
    }
}
