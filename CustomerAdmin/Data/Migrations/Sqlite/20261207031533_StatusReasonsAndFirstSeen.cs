using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class StatusReasonsAndFirstSeen : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "FirstSeenAt",
                table: "Customers",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            // Existing customers were first seen when they were created (the one hand-written line: a data step the tools cannot generate).
            migrationBuilder.Sql("UPDATE \"Customers\" SET \"FirstSeenAt\" = \"CreatedAt\";");

            migrationBuilder.AddColumn<string>(
                name: "Reason",
                table: "CustomerChanges",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Customers_FirstSeenAt",
                table: "Customers",
                column: "FirstSeenAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Customers_FirstSeenAt",
                table: "Customers");

            migrationBuilder.DropColumn(
                name: "FirstSeenAt",
                table: "Customers");

            migrationBuilder.DropColumn(
                name: "Reason",
                table: "CustomerChanges");
        }
    }
}
