using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Privacy;
using CustomerAdmin.Features.Privacy.Erasure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CustomerAdmin.Tests.Features.Privacy.Erasure;

/// <summary>The erasure on both databases: nothing personal left in any table, the figures kept, refusals, and the log.</summary>
public sealed class ErasureTests
{
    private static readonly string[] PersonTables =
    [
        "Customers", "CustomerChanges", "CustomerSearchTokens", "Activities", "SmsMessages", "Tickets", "Equipment", "Bookings",
        "CustomerMerges", "ImportReportRows", "Documents",
    ];

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task NoTableKeepsAPersonalValueAndTheFiguresStayTheSame(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        using var rig = new PrivacyRig(database);
        var scenario = await rig.ScenarioAsync(ct);
        var before = await PrivacyRig.FiguresAsync(database.Factory, scenario.CustomerId, ct);
        // The search finds what it looks for: before the erasure the person is in all these tables.
        var found = (await PrivacyScenario.FindAsync(database.Factory, ct)).Select(f => f[..f.IndexOf('.')]).ToHashSet();
        Assert.Superset(PersonTables.ToHashSet(), found);
        Assert.True(File.Exists(scenario.DocumentFile));

        // Asked about the merged record: the person's record it lives on in is erased, with it.
        var result = await rig.Erasures.EraseAsync(scenario.MergedId, "Request by email of 3 December", "dpo@test.local", ct);

        Assert.Equal(scenario.CustomerId, result.CustomerId);
        Assert.Equal([scenario.CustomerId, scenario.MergedId], result.Records);
        Assert.Equal(1, result.Documents);
        Assert.True(result.Purged);
        Assert.Empty(await PrivacyScenario.FindAsync(database.Factory, ct));
        Assert.False(File.Exists(scenario.DocumentFile));
        Assert.Empty(Directory.EnumerateFiles(rig.Folder, "*", SearchOption.AllDirectories));
        Assert.Equal(before, await PrivacyRig.FiguresAsync(database.Factory, scenario.CustomerId, ct));

        await using var db = database.CreateDbContext();
        var customer = await db.Customers.AsNoTracking().FirstAsync(c => c.Id == scenario.CustomerId, ct);
        Assert.Equal($"Erased customer #{scenario.CustomerId}", customer.FullName);
        Assert.True(customer.SmsOptedOut);
        Assert.Equal(PrivacyScenario.Sms, await db.SmsMessages.CountAsync(m => m.CustomerId == scenario.CustomerId, ct));
        Assert.Equal(3, await db.Tickets.CountAsync(t => t.CustomerId == scenario.CustomerId, ct));
        Assert.Empty(await db.Documents.Where(d => d.CustomerId == scenario.CustomerId).ToListAsync(ct));
        var log = await db.CustomerErasures.SingleAsync(ct);
        Assert.Equal((scenario.CustomerId, $"{scenario.CustomerId},{scenario.MergedId}", "dpo@test.local", "Request by email of 3 December"),
            (log.CustomerId, log.CustomerIds, log.ErasedBy, log.Reason));
        Assert.Contains("\"SmsMessage\":" + PrivacyScenario.Sms, log.Rows);
    }

    [Fact]
    public async Task PostgresKeepsNoDeadRowVersionOfTheTouchedTables()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, ct: ct);
        using var rig = new PrivacyRig(database);
        var scenario = await rig.ScenarioAsync(ct);
        // The set-up's connections are closed first: a server process reports its row counts when it goes idle (at most
        // once a second) or ends, and a late report would count rows the erasure's VACUUM has already removed.
        await using (var pooled = new NpgsqlConnection(database.ConnectionString)) NpgsqlConnection.ClearPool(pooled);
        await Task.Delay(500, ct);

        await rig.Erasures.EraseAsync(scenario.CustomerId, "Request by letter", "dpo@test.local", ct);

        // Every table of the schema, read as text row by row (all columns, TOAST included): no live row version holds a value.
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync(ct);
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", connection))
        await using (var reader = await list.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) tables.Add(reader.GetString(0));
        Assert.Contains("Customers", tables);
        foreach (var table in tables)
            foreach (var needle in PrivacyScenario.Needles)
            {
                await using var search = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\" t WHERE lower(t::text) LIKE '%{needle}%'", connection);
                Assert.True((long)(await search.ExecuteScalarAsync(ct))! == 0, $"{table} holds {needle}");
            }
        // No dead row version left behind in the tables the erasure touched (what VACUUM reports, read fresh).
        await using (var clear = new NpgsqlCommand("SELECT pg_stat_clear_snapshot()", connection)) await clear.ExecuteNonQueryAsync(ct);
        await using var dead = new NpgsqlCommand(
            "SELECT relname, n_dead_tup FROM pg_stat_user_tables WHERE relname::text = ANY(@tables) AND n_dead_tup > 0", connection);
        dead.Parameters.AddWithValue("tables", PersonTables);
        await using var rows = await dead.ExecuteReaderAsync(ct);
        var left = new List<string>();
        while (await rows.ReadAsync(ct)) left.Add($"{rows.GetString(0)}: {rows.GetInt64(1)}");
        Assert.Empty(left);
    }

    [Fact]
    public async Task AnOpenTicketOrABookingToComeRefusesTheErasureAndNothingChanges()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: ct);
        using var rig = new PrivacyRig(database);
        var ann = await database.Data.CustomerAsync("Ann", "Lee");
        var ticket = await database.Data.TicketAsync(ann.Id);
        var gala = await database.Data.EventAsync("Gala", DateTime.UtcNow.AddDays(10), 50);
        await database.Data.BookingAsync(ann.Id, gala.Id, 2);

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => rig.Erasures.EraseAsync(ann.Id, "Request", "dpo@test.local", ct));
        Assert.Contains(ticket.Number, refused.Message);
        Assert.Contains("Gala", refused.Message);
        var missing = await Assert.ThrowsAsync<RuleViolationException>(() => rig.Erasures.EraseAsync(ann.Id, " ", "dpo@test.local", ct));
        Assert.Equal(nameof(ErasureRequest.Reason), missing.Field);

        await using var db = database.CreateDbContext();
        Assert.Equal("Ann Lee", (await db.Customers.FirstAsync(c => c.Id == ann.Id, ct)).FullName);
        Assert.Empty(await db.CustomerErasures.ToListAsync(ct));
    }

    [Fact]
    public void ConfirmationMustBeTypedExactly()
    {
        Assert.Empty(ErasureOperations.Validate("Customer's request", "ERASE"));
        Assert.Equal([nameof(ErasureRequest.Confirmation)], ErasureOperations.Validate("Customer's request", "erase").Keys);
        Assert.Equal([nameof(ErasureRequest.Reason), nameof(ErasureRequest.Confirmation)], ErasureOperations.Validate(null, null).Keys);
    }
}
