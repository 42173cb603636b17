using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PrivacyConsent : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AccessLog",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UserName = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    Kind = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    CustomerId = table.Column<int>(type: "integer", nullable: true),
                    Detail = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    RowCount = table.Column<int>(type: "integer", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AccessLog", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ConsentRecords",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    CustomerId = table.Column<int>(type: "integer", nullable: false),
                    Purpose = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    Granted = table.Column<bool>(type: "boolean", nullable: false),
                    At = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    Source = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: false),
                    RecordedBy = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    WordingVersion = table.Column<string>(type: "character varying(50)", maxLength: 50, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ConsentRecords", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ConsentRecords_Customers_CustomerId",
                        column: x => x.CustomerId,
                        principalTable: "Customers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AccessLog_At",
                table: "AccessLog",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_AccessLog_CustomerId_At",
                table: "AccessLog",
                columns: new[] { "CustomerId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_AccessLog_UserName_At",
                table: "AccessLog",
                columns: new[] { "UserName", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_ConsentRecords_CustomerId_Purpose_At",
                table: "ConsentRecords",
                columns: new[] { "CustomerId", "Purpose", "At" });

            // Hand-written data step (model-independent SQL, added to the generated migration): each customer's stored SMS
            // opt-out and opt-in become their first consent rows. A stored opt-out was a STOP for every SMS, so it withdraws
            // both SMS purposes; the opt-in rows go in after them, so where both exist at one time the opt-in, which the
            // customer fields say is current, is the newest row.
            migrationBuilder.Sql(@"
INSERT INTO ""ConsentRecords"" (""CustomerId"", ""Purpose"", ""Granted"", ""At"", ""Source"", ""RecordedBy"", ""WordingVersion"")
SELECT ""Id"", 'sms-service', FALSE, ""SmsOptedOutAt"", COALESCE(""SmsOptOutSource"", 'unknown'), 'migration', NULL
FROM ""Customers"" WHERE ""SmsOptedOutAt"" IS NOT NULL;
INSERT INTO ""ConsentRecords"" (""CustomerId"", ""Purpose"", ""Granted"", ""At"", ""Source"", ""RecordedBy"", ""WordingVersion"")
SELECT ""Id"", 'sms-marketing', FALSE, ""SmsOptedOutAt"", COALESCE(""SmsOptOutSource"", 'unknown'), 'migration', NULL
FROM ""Customers"" WHERE ""SmsOptedOutAt"" IS NOT NULL;
INSERT INTO ""ConsentRecords"" (""CustomerId"", ""Purpose"", ""Granted"", ""At"", ""Source"", ""RecordedBy"", ""WordingVersion"")
SELECT ""Id"", 'sms-service', TRUE,
    CASE WHEN ""SmsOptedOutAt"" IS NOT NULL AND (""SmsOptedInAt"" IS NULL OR ""SmsOptedInAt"" < ""SmsOptedOutAt"") THEN ""SmsOptedOutAt""
         ELSE COALESCE(""SmsOptedInAt"", ""UpdatedAt"") END,
    COALESCE(""SmsOptInSource"", 'unknown'), 'migration', NULL
FROM ""Customers"" WHERE ""SmsOptedIn"" = TRUE;
");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AccessLog");

            migrationBuilder.DropTable(
                name: "ConsentRecords");
        }
    }
}
