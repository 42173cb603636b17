using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace CustomerAdmin.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AddActivityImportRun : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ImportRunId",
                table: "Activities",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Activities_ImportRunId",
                table: "Activities",
                column: "ImportRunId");

            migrationBuilder.AddForeignKey(
                name: "FK_Activities_ImportRuns_ImportRunId",
                table: "Activities",
                column: "ImportRunId",
                principalTable: "ImportRuns",
                principalColumn: "Id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Activities_ImportRuns_ImportRunId",
                table: "Activities");

            migrationBuilder.DropIndex(
                name: "IX_Activities_ImportRunId",
                table: "Activities");

            migrationBuilder.DropColumn(
                name: "ImportRunId",
                table: "Activities");
        }
    }
}
