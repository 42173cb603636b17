using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CustomerMerges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "UX_Customers_PrimaryPhone_NotDeleted",
                table: "Customers");

            migrationBuilder.AddColumn<int>(
                name: "MergedIntoId",
                table: "Customers",
                type: "integer",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "CustomerMerges",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    SurvivorId = table.Column<int>(type: "integer", nullable: false),
                    MergedId = table.Column<int>(type: "integer", nullable: false),
                    PairId = table.Column<long>(type: "bigint", nullable: true),
                    MergedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    MergedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    UndoneAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    UndoneBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    MovedRows = table.Column<string>(type: "text", nullable: false),
                    MergedBefore = table.Column<string>(type: "text", nullable: false),
                    SurvivorBefore = table.Column<string>(type: "text", nullable: false),
                    SurvivorAfter = table.Column<string>(type: "text", nullable: false),
                    Bookings = table.Column<string>(type: "text", nullable: false),
                    Pairs = table.Column<string>(type: "text", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CustomerMerges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CustomerMerges_Customers_MergedId",
                        column: x => x.MergedId,
                        principalTable: "Customers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_CustomerMerges_Customers_SurvivorId",
                        column: x => x.SurvivorId,
                        principalTable: "Customers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Customers_MergedIntoId",
                table: "Customers",
                column: "MergedIntoId");

            migrationBuilder.CreateIndex(
                name: "UX_Customers_PrimaryPhone_NotDeleted",
                table: "Customers",
                column: "PrimaryPhone",
                unique: true,
                filter: "\"Status\" NOT IN ('Deleted', 'Merged')");

            migrationBuilder.CreateIndex(
                name: "IX_CustomerMerges_MergedId_MergedAt",
                table: "CustomerMerges",
                columns: new[] { "MergedId", "MergedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_CustomerMerges_SurvivorId_MergedAt",
                table: "CustomerMerges",
                columns: new[] { "SurvivorId", "MergedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CustomerMerges");

            migrationBuilder.DropIndex(
                name: "IX_Customers_MergedIntoId",
                table: "Customers");

            migrationBuilder.DropIndex(
                name: "UX_Customers_PrimaryPhone_NotDeleted",
                table: "Customers");

            migrationBuilder.DropColumn(
                name: "MergedIntoId",
                table: "Customers");

            migrationBuilder.CreateIndex(
                name: "UX_Customers_PrimaryPhone_NotDeleted",
                table: "Customers",
                column: "PrimaryPhone",
                unique: true,
                filter: "\"Status\" <> 'Deleted'");
        }
    }
}
