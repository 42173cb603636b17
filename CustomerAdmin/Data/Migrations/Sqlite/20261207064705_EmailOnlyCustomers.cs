using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class EmailOnlyCustomers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "UX_Customers_PrimaryPhone_NotDeleted",
                table: "Customers");

            migrationBuilder.CreateIndex(
                name: "UX_Customers_PrimaryPhone_NotDeleted",
                table: "Customers",
                column: "PrimaryPhone",
                unique: true,
                filter: "\"Status\" NOT IN ('Deleted', 'Merged') AND \"PrimaryPhone\" <> ''");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "UX_Customers_PrimaryPhone_NotDeleted",
                table: "Customers");

            migrationBuilder.CreateIndex(
                name: "UX_Customers_PrimaryPhone_NotDeleted",
                table: "Customers",
                column: "PrimaryPhone",
                unique: true,
                filter: "\"Status\" NOT IN ('Deleted', 'Merged')");
        }
    }
}
