using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DashboardSummary : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "TicketCount",
                table: "Customers",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateTable(
                name: "DashboardTotals",
                columns: table => new
                {
                    Series = table.Column<int>(type: "integer", nullable: false),
                    Day = table.Column<int>(type: "integer", nullable: false),
                    Other = table.Column<int>(type: "integer", nullable: false),
                    Text = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Value = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DashboardTotals", x => new { x.Series, x.Day, x.Other, x.Text });
                });

            migrationBuilder.CreateIndex(
                name: "IX_Customers_TicketCount_Id",
                table: "Customers",
                columns: new[] { "TicketCount", "Id" },
                descending: new[] { true, false });

            migrationBuilder.CreateIndex(
                name: "IX_DashboardTotals_Series_Day_Other_Value",
                table: "DashboardTotals",
                columns: new[] { "Series", "Day", "Other", "Value" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "DashboardTotals");

            migrationBuilder.DropIndex(
                name: "IX_Customers_TicketCount_Id",
                table: "Customers");

            migrationBuilder.DropColumn(
                name: "TicketCount",
                table: "Customers");
        }
    }
}
