using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DuplicateScanning : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CustomerMatchKeys",
                columns: table => new
                {
                    KeyHash = table.Column<long>(type: "bigint", nullable: false),
                    CustomerId = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CustomerMatchKeys", x => new { x.KeyHash, x.CustomerId });
                    table.ForeignKey(
                        name: "FK_CustomerMatchKeys_Customers_CustomerId",
                        column: x => x.CustomerId,
                        principalTable: "Customers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DuplicateCheckRequests",
                columns: table => new
                {
                    CustomerId = table.Column<int>(type: "integer", nullable: false),
                    QueuedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DuplicateCheckRequests", x => x.CustomerId);
                    table.ForeignKey(
                        name: "FK_DuplicateCheckRequests_Customers_CustomerId",
                        column: x => x.CustomerId,
                        principalTable: "Customers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "DuplicateScanRuns",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    Stage = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Done = table.Column<long>(type: "bigint", nullable: false),
                    Total = table.Column<long>(type: "bigint", nullable: false),
                    Customers = table.Column<int>(type: "integer", nullable: false),
                    ComparedPairs = table.Column<long>(type: "bigint", nullable: false),
                    LikelyPairs = table.Column<int>(type: "integer", nullable: false),
                    PossiblePairs = table.Column<int>(type: "integer", nullable: false),
                    PairsAdded = table.Column<int>(type: "integer", nullable: false),
                    PairsReopened = table.Column<int>(type: "integer", nullable: false),
                    PairsRemoved = table.Column<int>(type: "integer", nullable: false),
                    OversizedBlocks = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    OversizedBlockCount = table.Column<int>(type: "integer", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    StartedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    HeartbeatAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "timestamp with time zone", nullable: true),
                    Error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    ModelJson = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_DuplicateScanRuns", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CustomerMatchKeys_CustomerId",
                table: "CustomerMatchKeys",
                column: "CustomerId");

            migrationBuilder.CreateIndex(
                name: "IX_DuplicateCheckRequests_QueuedAt",
                table: "DuplicateCheckRequests",
                column: "QueuedAt");

            migrationBuilder.CreateIndex(
                name: "IX_DuplicateScanRuns_Status_Id",
                table: "DuplicateScanRuns",
                columns: new[] { "Status", "Id" });

            migrationBuilder.CreateIndex(
                name: "UX_DuplicateScanRuns_Running",
                table: "DuplicateScanRuns",
                column: "Status",
                unique: true,
                filter: "\"Status\" = 'Running'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CustomerMatchKeys");

            migrationBuilder.DropTable(
                name: "DuplicateCheckRequests");

            migrationBuilder.DropTable(
                name: "DuplicateScanRuns");
        }
    }
}
