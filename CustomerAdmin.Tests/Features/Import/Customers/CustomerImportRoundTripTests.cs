using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Export;
using CustomerAdmin.Features.Import.Customers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Import.Customers;

/// <summary>The app's own customer CSV export imports back with zero changes, in every match mode.</summary>
public sealed class CustomerImportRoundTripTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"export-{Guid.NewGuid():N}.csv");

    public void Dispose() => File.Delete(_path);

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, ImportMatchMode.Fill)]
    [InlineData(DatabaseProvider.Sqlite, ImportMatchMode.Overwrite)]
    [InlineData(DatabaseProvider.Postgres, ImportMatchMode.Overwrite)]
    public async Task AnExportImportsBackWithZeroChanges(DatabaseProvider provider, ImportMatchMode mode)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        await database.Data.BatchAsync(b =>
        {
            for (var i = 0; i < 250; i++)
            {
                var (first, last) = CustomerImporterTests.Person(i);
                var c = i % 10 == 9
                    ? b.Customer(first, last + " Clinic", new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc), type: i % 20 == 9 ? CustomerType.Clinic : CustomerType.Hospital)
                    : b.Customer(first, last, new DateTime(2024, 5, 1, 0, 0, 0, DateTimeKind.Utc).AddDays(i));
                c.PrimaryPhone = CustomerImporterTests.ExistingPhone(i);
                c.Email = i % 3 == 0 ? $"{first}.{last}{i}@example.com".ToLowerInvariant() : null;
                c.SecondaryPhone = i % 4 == 0 ? CustomerImporterTests.NewPhone(i) : null;
                c.AddressLine1 = i % 2 == 0 ? $"{i} Main St, Apt \"B\"" : null;
                c.PostalCode = i % 2 == 0 ? "02118" : null;
                c.State = "MA";
                c.Tags = i % 5 == 0 ? "repeat,vip" : null;
                c.Notes = i % 7 == 0 ? "=SUM(A1) looks like a formula" : null;
            }
        });
        await using (var file = File.Create(_path))
            Assert.Equal(250, await new CustomerCsvExport(database.Factory, new PhoneNormalizer("US")).WriteAsync(file, new CustomerListFilter(), new VenueOptions(), ct: ct));
        var importer = new CustomerImporter(database.Factory, new PhoneNormalizer("US"), Options.Create(new CustomerImportOptions { BatchSize = 100 }),
            Options.Create(new CustomersOptions()), _time, NullLogger<CustomerImporter>.Instance);
        Dictionary<int, int> versions;
        await using (var db = database.CreateDbContext()) versions = await db.Customers.ToDictionaryAsync(c => c.Id, c => c.Version, ct);

        var run = await importer.RunAsync(await CustomerImporterTests.RequestAsync(_path, mode, source: "export"), null, ct);

        Assert.Equal((250, 0, 0, 250, 0), (run.RowsRead, run.Created, run.Updated, run.Unchanged, run.Skipped));
        await using var check = database.CreateDbContext();
        Assert.Equal(versions, await check.Customers.ToDictionaryAsync(c => c.Id, c => c.Version, ct));
        Assert.Equal(250, await check.CustomerChanges.CountAsync(ct));
    }
}
