using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddImportRunHeartbeat : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "HeartbeatAt",
                table: "ImportRuns",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "HeartbeatAt",
                table: "ImportRuns");
        }
    }
}
