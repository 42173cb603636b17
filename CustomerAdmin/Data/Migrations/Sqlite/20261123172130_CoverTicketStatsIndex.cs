using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CoverTicketStatsIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tickets_CustomerId_Status",
                table: "Tickets");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_CustomerId_Status_OpenedAt_ClosedAt_FinalAmount",
                table: "Tickets",
                columns: new[] { "CustomerId", "Status", "OpenedAt", "ClosedAt", "FinalAmount" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tickets_CustomerId_Status_OpenedAt_ClosedAt_FinalAmount",
                table: "Tickets");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_CustomerId_Status",
                table: "Tickets",
                columns: new[] { "CustomerId", "Status" });
        }
    }
}
