using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class smsevents_EventMovedOnce : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "EventVersion",
                table: "SmsMessages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "UX_SmsMessages_EventMoved",
                table: "SmsMessages",
                columns: new[] { "BookingId", "EventVersion" },
                unique: true,
                filter: "\"Kind\" = 'EventMoved'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "UX_SmsMessages_EventMoved",
                table: "SmsMessages");

            migrationBuilder.DropColumn(
                name: "EventVersion",
                table: "SmsMessages");
        }
    }
}
