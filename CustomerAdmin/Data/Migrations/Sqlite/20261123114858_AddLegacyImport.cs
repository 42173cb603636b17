using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddLegacyImport : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ImportRunId",
                table: "Tickets",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LegacyKey",
                table: "Tickets",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ImportRunId",
                table: "Customers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ImportRuns",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    FileName = table.Column<string>(type: "TEXT", maxLength: 260, nullable: false),
                    FileHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    FinishedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    StartedBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    RowsRead = table.Column<int>(type: "INTEGER", nullable: false),
                    TicketsImported = table.Column<int>(type: "INTEGER", nullable: false),
                    TicketsAlreadyImported = table.Column<int>(type: "INTEGER", nullable: false),
                    CustomersCreated = table.Column<int>(type: "INTEGER", nullable: false),
                    CustomersMatched = table.Column<int>(type: "INTEGER", nullable: false),
                    RowsRejected = table.Column<int>(type: "INTEGER", nullable: false),
                    Conflicts = table.Column<int>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    UndoneAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    UndoneBy = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ImportRuns", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "LegacyCustomerLinks",
                columns: table => new
                {
                    LegacyId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    CustomerId = table.Column<int>(type: "INTEGER", nullable: false),
                    ImportRunId = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_LegacyCustomerLinks", x => x.LegacyId);
                    table.ForeignKey(
                        name: "FK_LegacyCustomerLinks_Customers_CustomerId",
                        column: x => x.CustomerId,
                        principalTable: "Customers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_LegacyCustomerLinks_ImportRuns_ImportRunId",
                        column: x => x.ImportRunId,
                        principalTable: "ImportRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_ImportRunId",
                table: "Tickets",
                column: "ImportRunId");

            migrationBuilder.CreateIndex(
                name: "IX_Tickets_LegacyKey",
                table: "Tickets",
                column: "LegacyKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Customers_ImportRunId",
                table: "Customers",
                column: "ImportRunId");

            migrationBuilder.CreateIndex(
                name: "IX_ImportRuns_StartedAt",
                table: "ImportRuns",
                column: "StartedAt");

            migrationBuilder.CreateIndex(
                name: "IX_LegacyCustomerLinks_CustomerId",
                table: "LegacyCustomerLinks",
                column: "CustomerId");

            migrationBuilder.CreateIndex(
                name: "IX_LegacyCustomerLinks_ImportRunId",
                table: "LegacyCustomerLinks",
                column: "ImportRunId");

            migrationBuilder.AddForeignKey(
                name: "FK_Customers_ImportRuns_ImportRunId",
                table: "Customers",
                column: "ImportRunId",
                principalTable: "ImportRuns",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);

            migrationBuilder.AddForeignKey(
                name: "FK_Tickets_ImportRuns_ImportRunId",
                table: "Tickets",
                column: "ImportRunId",
                principalTable: "ImportRuns",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Customers_ImportRuns_ImportRunId",
                table: "Customers");

            migrationBuilder.DropForeignKey(
                name: "FK_Tickets_ImportRuns_ImportRunId",
                table: "Tickets");

            migrationBuilder.DropTable(
                name: "LegacyCustomerLinks");

            migrationBuilder.DropTable(
                name: "ImportRuns");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_ImportRunId",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Tickets_LegacyKey",
                table: "Tickets");

            migrationBuilder.DropIndex(
                name: "IX_Customers_ImportRunId",
                table: "Customers");

            migrationBuilder.DropColumn(
                name: "ImportRunId",
                table: "Tickets");

            migrationBuilder.DropColumn(
                name: "LegacyKey",
                table: "Tickets");

            migrationBuilder.DropColumn(
                name: "ImportRunId",
                table: "Customers");
        }
    }
}
