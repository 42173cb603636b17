using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class TicketReadySms : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "TicketId",
                table: "SmsMessages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "TicketVersion",
                table: "SmsMessages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_SmsMessages_TicketId",
                table: "SmsMessages",
                column: "TicketId");

            migrationBuilder.CreateIndex(
                name: "UX_SmsMessages_TicketReady",
                table: "SmsMessages",
                columns: new[] { "TicketId", "TicketVersion" },
                unique: true,
                filter: "\"Kind\" = 'TicketReady'");

            migrationBuilder.AddForeignKey(
                name: "FK_SmsMessages_Tickets_TicketId",
                table: "SmsMessages",
                column: "TicketId",
                principalTable: "Tickets",
                principalColumn: "Id",
                onDelete: ReferentialAction.SetNull);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_SmsMessages_Tickets_TicketId",
                table: "SmsMessages");

            migrationBuilder.DropIndex(
                name: "IX_SmsMessages_TicketId",
                table: "SmsMessages");

            migrationBuilder.DropIndex(
                name: "UX_SmsMessages_TicketReady",
                table: "SmsMessages");

            migrationBuilder.DropColumn(
                name: "TicketId",
                table: "SmsMessages");

            migrationBuilder.DropColumn(
                name: "TicketVersion",
                table: "SmsMessages");
        }
    }
}
