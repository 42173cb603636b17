using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CustomerImportEngine : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_LegacyCustomerLinks",
                table: "LegacyCustomerLinks");

            migrationBuilder.AddColumn<string>(
                name: "Source",
                table: "LegacyCustomerLinks",
                type: "character varying(50)",
                maxLength: 50,
                nullable: false,
                defaultValue: "legacy");

            migrationBuilder.AddColumn<int>(
                name: "CustomersUnchanged",
                table: "ImportRuns",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "CustomersUpdated",
                table: "ImportRuns",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<bool>(
                name: "DryRun",
                table: "ImportRuns",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Kind",
                table: "ImportRuns",
                type: "character varying(20)",
                maxLength: 20,
                nullable: false,
                defaultValue: "LegacyTickets");

            migrationBuilder.AddColumn<string>(
                name: "OnMatch",
                table: "ImportRuns",
                type: "character varying(20)",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RowsNeedingReview",
                table: "ImportRuns",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "RowsSkipped",
                table: "ImportRuns",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "RowsTotal",
                table: "ImportRuns",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Source",
                table: "ImportRuns",
                type: "character varying(50)",
                maxLength: 50,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "UndoSummary",
                table: "ImportRuns",
                type: "character varying(4000)",
                maxLength: 4000,
                nullable: true);

            migrationBuilder.AddPrimaryKey(
                name: "PK_LegacyCustomerLinks",
                table: "LegacyCustomerLinks",
                columns: new[] { "Source", "LegacyId" });

            migrationBuilder.CreateTable(
                name: "ImportReportRows",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ImportRunId = table.Column<int>(type: "integer", nullable: false),
                    Line = table.Column<long>(type: "bigint", nullable: false),
                    ExternalReference = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Action = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    NeedsReview = table.Column<bool>(type: "boolean", nullable: false),
                    CustomerId = table.Column<int>(type: "integer", nullable: true),
                    Reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    ChangedFields = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    Before = table.Column<string>(type: "text", nullable: true),
                    After = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ImportReportRows", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ImportReportRows_ImportRuns_ImportRunId",
                        column: x => x.ImportRunId,
                        principalTable: "ImportRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_LegacyCustomerLinks_LegacyId",
                table: "LegacyCustomerLinks",
                column: "LegacyId");

            migrationBuilder.CreateIndex(
                name: "IX_ImportReportRows_CustomerId",
                table: "ImportReportRows",
                column: "CustomerId");

            migrationBuilder.CreateIndex(
                name: "IX_ImportReportRows_ImportRunId_Line",
                table: "ImportReportRows",
                columns: new[] { "ImportRunId", "Line" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ImportReportRows");

            migrationBuilder.DropPrimaryKey(
                name: "PK_LegacyCustomerLinks",
                table: "LegacyCustomerLinks");

            migrationBuilder.DropIndex(
                name: "IX_LegacyCustomerLinks_LegacyId",
                table: "LegacyCustomerLinks");

            migrationBuilder.DropColumn(
                name: "Source",
                table: "LegacyCustomerLinks");

            migrationBuilder.DropColumn(
                name: "CustomersUnchanged",
                table: "ImportRuns");

            migrationBuilder.DropColumn(
                name: "CustomersUpdated",
                table: "ImportRuns");

            migrationBuilder.DropColumn(
                name: "DryRun",
                table: "ImportRuns");

            migrationBuilder.DropColumn(
                name: "Kind",
                table: "ImportRuns");

            migrationBuilder.DropColumn(
                name: "OnMatch",
                table: "ImportRuns");

            migrationBuilder.DropColumn(
                name: "RowsNeedingReview",
                table: "ImportRuns");

            migrationBuilder.DropColumn(
                name: "RowsSkipped",
                table: "ImportRuns");

            migrationBuilder.DropColumn(
                name: "RowsTotal",
                table: "ImportRuns");

            migrationBuilder.DropColumn(
                name: "Source",
                table: "ImportRuns");

            migrationBuilder.DropColumn(
                name: "UndoSummary",
                table: "ImportRuns");

            migrationBuilder.AddPrimaryKey(
                name: "PK_LegacyCustomerLinks",
                table: "LegacyCustomerLinks",
                column: "LegacyId");
        }
    }
}
