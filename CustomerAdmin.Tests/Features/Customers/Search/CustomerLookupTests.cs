using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Customers.Search;

/// <summary>
/// <see cref="CustomerLookup.FindCustomerAsync"/> reads the row itself (no EF query): it must return exactly what EF's
/// no-tracking query with the organisation included returns, every mapped value and its conversion (enum names,
/// money, UTC dates, nulls) on both providers.
/// </summary>
public class CustomerLookupTests
{
    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task LookupReturnsWhatEfReturnsForEveryMappedValue(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        int full, bare;
        await using (var db = database.CreateDbContext())
        {
            var organization = new Organization
            {
                Name = "Mercy Health", Phone = "+13125550100", Email = "info@mercy.example", Website = "https://mercy.example",
                City = "Chicago", Notes = "Group of three clinics", CreatedAt = new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc),
            };
            var customer = TestCustomers.Organisation("Mercy Clinic \"North\" <b>", "+13125550199", CustomerType.Hospital);
            (customer.DisplayName, customer.SecondaryPhone, customer.WhatsAppPhone, customer.Email) = ("Mercy N.", "+13125550198", "+13125550197", "north@mercy.example");
            (customer.AddressLine1, customer.AddressLine2, customer.City, customer.State, customer.PostalCode) = ("1 Main St", "Floor 2", "Chicago", "IL", "60601");
            (customer.RegistrationNumber, customer.TaxId, customer.Website, customer.Organization) = ("REG-1", "TAX-2", "https://north.example", organization);
            (customer.Status, customer.Tier, customer.PreferredLanguage, customer.PreferredContactMethod) = (CustomerStatus.Blocked, CustomerTier.Vip, "es", ContactMethod.WhatsApp);
            (customer.SmsOptedIn, customer.SmsOptedInAt, customer.SmsOptInSource) = (true, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), "front desk");
            (customer.SmsOptedOutAt, customer.SmsOptOutSource) = (new DateTime(2026, 2, 3, 4, 5, 6, DateTimeKind.Utc), "reply STOP");
            (customer.Notes, customer.Tags, customer.PrimaryPhoneSmsCapable) = ("Ünïcödé notes ✓", "vip,wholesale", false);
            (customer.TotalSpent, customer.VisitCount, customer.LastVisitAt) = (1234.56m, 7, new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc));
            var plain = TestCustomers.Individual("Ann", "Lee", "+16175550123");
            db.Customers.AddRange(customer, plain);
            await db.SaveChangesAsync(ct);
            (full, bare) = (customer.Id, plain.Id);
        }

        foreach (var id in new[] { full, bare })
        {
            await using var db = database.CreateDbContext();
            var expected = await db.Customers.AsNoTracking().Include(c => c.Organization).SingleAsync(c => c.Id == id, ct);
            var actual = await db.FindCustomerAsync(id, ct);

            Assert.NotNull(actual);
            AssertSameValues(db, expected, actual);
            Assert.Equal(expected.Organization is null, actual.Organization is null);
            if (expected.Organization is not null) AssertSameValues(db, expected.Organization, actual.Organization!);
            Assert.Equal(System.Data.ConnectionState.Closed, db.Database.GetDbConnection().State);
        }
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task LookupOfAnUnknownIdReturnsNull(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await using var db = database.CreateDbContext();

        Assert.Null(await db.FindCustomerAsync(12345, ct));
    }

    private static void AssertSameValues<T>(AppDbContext db, T expected, T actual) where T : class
    {
        var checkedValues = 0;
        foreach (var property in db.Model.FindEntityType(typeof(T))!.GetProperties())
        {
            var (e, a) = (property.PropertyInfo!.GetValue(expected), property.PropertyInfo.GetValue(actual));
            Assert.True(Equals(e, a), $"{typeof(T).Name}.{property.Name}: EF read {e ?? "null"}, the lookup {a ?? "null"}.");
            if (e is DateTime de) Assert.Equal(de.Kind, ((DateTime)a!).Kind);
            if (e is not null) checkedValues++;
        }
        Assert.True(checkedValues > 5);
    }
}
