using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class PrivacyErase : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CustomerErasures",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CustomerId = table.Column<int>(type: "INTEGER", nullable: false),
                    CustomerIds = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    ErasedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ErasedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    Rows = table.Column<string>(type: "TEXT", nullable: false),
                    DocumentsDeleted = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CustomerErasures", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CustomerErasures_CustomerId",
                table: "CustomerErasures",
                column: "CustomerId");

            migrationBuilder.CreateIndex(
                name: "IX_CustomerErasures_ErasedAt",
                table: "CustomerErasures",
                column: "ErasedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CustomerErasures");
        }
    }
}
