using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Retention : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RetentionPolicies",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    AnonymiseInactive = table.Column<bool>(type: "INTEGER", nullable: false),
                    InactiveMonths = table.Column<int>(type: "INTEGER", nullable: false),
                    ClearSmsBodies = table.Column<bool>(type: "INTEGER", nullable: false),
                    SmsBodyDays = table.Column<int>(type: "INTEGER", nullable: false),
                    DeleteDocuments = table.Column<bool>(type: "INTEGER", nullable: false),
                    DocumentMonths = table.Column<int>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    UpdatedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RetentionPolicies", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "RetentionRuns",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ScheduledDay = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    StartedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Policies = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    CustomersAnonymised = table.Column<int>(type: "INTEGER", nullable: false),
                    CustomersRefused = table.Column<int>(type: "INTEGER", nullable: false),
                    SmsBodiesCleared = table.Column<int>(type: "INTEGER", nullable: false),
                    DocumentsDeleted = table.Column<int>(type: "INTEGER", nullable: false),
                    Refusals = table.Column<string>(type: "TEXT", maxLength: 20000, nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RetentionRuns", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RetentionRuns_ScheduledDay",
                table: "RetentionRuns",
                column: "ScheduledDay",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RetentionRuns_StartedAt",
                table: "RetentionRuns",
                column: "StartedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RetentionPolicies");

            migrationBuilder.DropTable(
                name: "RetentionRuns");
        }
    }
}
