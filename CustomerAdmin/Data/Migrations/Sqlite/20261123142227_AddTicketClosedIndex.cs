using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddTicketClosedIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Tickets_Status_ClosedAt_CustomerId_FinalAmount",
                table: "Tickets",
                columns: new[] { "Status", "ClosedAt", "CustomerId", "FinalAmount" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Tickets_Status_ClosedAt_CustomerId_FinalAmount",
                table: "Tickets");
        }
    }
}
