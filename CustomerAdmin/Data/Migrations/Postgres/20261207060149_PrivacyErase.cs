using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Postgres
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
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    CustomerId = table.Column<int>(type: "integer", nullable: false),
                    CustomerIds = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    ErasedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    ErasedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Reason = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: false),
                    Rows = table.Column<string>(type: "text", nullable: false),
                    DocumentsDeleted = table.Column<int>(type: "integer", nullable: false)
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
