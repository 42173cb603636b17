using System.IO.Compression;
using System.Text.Json;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Privacy;
using CustomerAdmin.Features.Privacy.Export;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Privacy;

/// <summary>
/// Every table that holds a customer's rows is one the export writes and the erasure decided about, read from the EF
/// model itself: a table added later with a customer key (a foreign key, or a CustomerId column without one) fails
/// here, stops every erasure with its name and is missing from no export.
/// </summary>
public sealed class PersonalDataTests
{
    [Fact]
    public async Task EveryCustomerKeyedTableIsListedAndTheExportWritesEachOfThem()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: ct);
        using var rig = new PrivacyRig(database);
        var scenario = await rig.ScenarioAsync(ct);
        await using var db = database.CreateDbContext();

        var keyed = PersonalData.CustomerKeyed(db.Model);
        var types = keyed.Select(k => k.Entity.ClrType).ToList();
        // Found by a foreign key, by two (a review pair, a merge), and by a bare CustomerId column (the import report).
        Assert.Contains(typeof(SmsMessage), types);
        Assert.Equal(["CustomerAId", "CustomerBId"], keyed.Single(k => k.Entity.ClrType == typeof(DuplicatePair)).Columns.Select(c => c.Name).Order());
        Assert.Equal(["MergedId", "SurvivorId"], keyed.Single(k => k.Entity.ClrType == typeof(CustomerMerge)).Columns.Select(c => c.Name).Order());
        Assert.Contains(typeof(ImportReportRow), types);
        var unlisted = types.Where(t => !PersonalData.Tables.ContainsKey(t)).Select(t => t.Name).ToList();
        Assert.True(unlisted.Count == 0, "Holds customer rows, but the export and the erasure do not know it: " + string.Join(", ", unlisted));
        var stale = PersonalData.Tables.Keys.Where(t => t != typeof(Customer) && !types.Contains(t)).Select(t => t.Name).ToList();
        Assert.True(stale.Count == 0, "Listed but no longer holding customer rows: " + string.Join(", ", stale));

        using var file = new MemoryStream();
        await rig.Export.WriteAsync(scenario.CustomerId, file, ct);
        file.Position = 0;
        using var zip = new ZipArchive(file);
        using var json = await JsonDocument.ParseAsync(zip.GetEntry(SubjectAccessExport.JsonEntry)!.Open(), cancellationToken: ct);
        var tables = json.RootElement.GetProperty("tables");
        foreach (var type in types.Append(typeof(Customer)))
            Assert.True(tables.TryGetProperty(type.Name, out _), $"The export has no {type.Name}.");
        // Each table the person has rows in has them in the file (the access log, the consent register, the erasure log and
        // the match queue are empty here).
        var empty = tables.EnumerateObject().Where(t => t.Value.GetArrayLength() == 0).Select(t => t.Name).Order().ToList();
        Assert.Equal([nameof(AccessLogEntry), nameof(ConsentRecord), nameof(CustomerErasure), nameof(DuplicateCheckRequest)], empty);
    }

    [Fact]
    public void ANewTableWithCustomerRowsStopsTheErasureUntilItIsListed()
    {
        var builder = new ModelBuilder(Microsoft.EntityFrameworkCore.Metadata.Conventions.SqliteConventionSetBuilder.Build());
        builder.Entity<Customer>().Ignore(c => c.Organization).Ignore(c => c.SearchTokens).Ignore(c => c.Changes);
        builder.Entity<Forgotten>();

        var refused = Assert.Throws<InvalidOperationException>(() => PersonalData.Checked(builder.FinalizeModel()));

        Assert.Contains(nameof(Forgotten), refused.Message);
    }

    /// <summary>A customer's rows without a foreign key: found by its CustomerId column.</summary>
    private sealed class Forgotten
    {
        public int Id { get; set; }
        public int CustomerId { get; set; }
        public string? Note { get; set; }
    }
}
