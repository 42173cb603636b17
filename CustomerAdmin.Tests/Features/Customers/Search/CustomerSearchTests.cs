using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Customers.Search;

/// <summary>
/// Each search is checked through both entry points: <see cref="CustomerSearch.SuggestAsync"/> (the app bar) and
/// <see cref="CustomerSearch.Matching"/> (the list page), which must agree on what a term finds.
/// </summary>
public class CustomerSearchTests
{
    private readonly PhoneNormalizer _us = new("US");

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SearchFindsCustomerByNameWordPrefix(DatabaseProvider provider)
    {
        await using var database = await SeededAsync(provider);

        Assert.Equal(["José Álvarez"], await FindAsync(database, "alv", _us));
        Assert.Equal(["José Álvarez"], await FindAsync(database, "jos alv", _us));
        Assert.Equal(["Mercy Clinic"], await FindAsync(database, "merc", _us));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SearchIgnoresAccentsAndCase(DatabaseProvider provider)
    {
        await using var database = await SeededAsync(provider);

        Assert.Equal(["José Álvarez"], await FindAsync(database, "jose", _us));
        Assert.Equal(["José Álvarez"], await FindAsync(database, "JOSÉ ÁLV", _us));
        Assert.Equal(["Jürgen Müller"], await FindAsync(database, "muller", _us));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SearchFindsCustomerByLastPhoneDigits(DatabaseProvider provider)
    {
        await using var database = await SeededAsync(provider);

        Assert.Equal(["José Álvarez"], await FindAsync(database, "5000", _us));
        Assert.Equal(["José Álvarez"], await FindAsync(database, "736-5000", _us));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SearchFindsCustomerBySecondaryPhoneDigits(DatabaseProvider provider)
    {
        await using var database = await SeededAsync(provider);

        Assert.Equal(["Jürgen Müller"], await FindAsync(database, "4321", _us));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "(212) 736-5000")]
    [InlineData(DatabaseProvider.Postgres, "(212) 736-5000")]
    [InlineData(DatabaseProvider.Sqlite, "212.736.5000")]
    [InlineData(DatabaseProvider.Postgres, "212.736.5000")]
    [InlineData(DatabaseProvider.Sqlite, "+1 212-736-5000")]
    [InlineData(DatabaseProvider.Postgres, "+1 212-736-5000")]
    public async Task SearchFindsCustomerByFullPhoneTypedAnyWay(DatabaseProvider provider, string typed)
    {
        await using var database = await SeededAsync(provider);

        Assert.Equal(["José Álvarez"], await FindAsync(database, typed, _us));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SearchFindsCustomerByNationalPhoneWithATrunkPrefix(DatabaseProvider provider)
    {
        // In the UK (like most countries) a national number starts with a 0 that is not part of E.164,
        // so its digits are not a suffix of the stored number: only the exact-phone key can find it.
        var gb = new PhoneNormalizer("GB");
        await using var database = await SeededAsync(provider);

        Assert.Equal(["Zoë Lefèvre"], await FindAsync(database, "020 7946 0018", gb));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SearchFindsCustomerByEmailPrefix(DatabaseProvider provider)
    {
        await using var database = await SeededAsync(provider);

        Assert.Equal(["Zoë Lefèvre"], await FindAsync(database, "zlef", _us));
        Assert.Equal(["Zoë Lefèvre"], await FindAsync(database, "ZLefevre@", _us));
        Assert.Equal(["Zoë Lefèvre"], await FindAsync(database, "zlefevre@example.org", _us));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SearchFindsCustomerByTag(DatabaseProvider provider)
    {
        await using var database = await SeededAsync(provider);

        Assert.Equal(["Mercy Clinic"], await FindAsync(database, "wholesale", _us));
        Assert.Equal(["Mercy Clinic"], await FindAsync(database, "whole", _us));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SearchNeverReturnsDeletedCustomers(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await SeededAsync(provider);
        Assert.Equal(["José Álvarez"], await FindAsync(database, "jose", _us));

        await using (var db = database.CreateDbContext())
        {
            var jose = await db.Customers.SingleAsync(c => c.FirstName == "José", ct);
            jose.Status = CustomerStatus.Deleted;
            await db.SaveChangesAsync(ct);
        }

        foreach (var term in new[] { "jose", "alvarez", "5000", "(212) 736-5000", "jalvarez", "events" })
            Assert.Empty(await FindAsync(database, term, _us));
        await using var check = database.CreateDbContext();
        Assert.False(await check.CustomerSearchTokens.AnyAsync(t => t.CustomerId == check.Customers.Single(c => c.FirstName == "José").Id, ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task RestoredCustomerIsFoundAgain(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await SeededAsync(provider);
        await using var db = database.CreateDbContext();
        var jose = await db.Customers.SingleAsync(c => c.FirstName == "José", ct);
        jose.Status = CustomerStatus.Deleted;
        await db.SaveChangesAsync(ct);
        jose.Status = CustomerStatus.Inactive;
        await db.SaveChangesAsync(ct);

        Assert.Equal(["José Álvarez"], await FindAsync(database, "jose", _us));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task RenamedCustomerIsFoundByTheNewNameOnly(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await SeededAsync(provider);
        await using (var db = database.CreateDbContext())
        {
            var jose = await db.Customers.SingleAsync(c => c.FirstName == "José", ct);
            jose.LastName = "Navarro";
            await db.SaveChangesAsync(ct);
        }

        Assert.Empty(await FindAsync(database, "alvarez", _us));
        Assert.Equal(["José Navarro"], await FindAsync(database, "navarro", _us));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task MarkupAndSqlInNamesAreStoredVerbatimAndFound(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        const string script = "<script>alert('x')</script>";
        const string sql = "Robert'); DROP TABLE \"Customers\";--";
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await using (var db = database.CreateDbContext())
        {
            db.Customers.Add(TestCustomers.Individual(script, sql, "+12127365000"));
            await db.SaveChangesAsync(ct);
        }

        await using var check = database.CreateDbContext();
        var stored = await check.Customers.SingleAsync(ct);
        Assert.Equal(script, stored.FirstName);
        Assert.Equal(sql, stored.LastName);
        Assert.Equal([$"{script} {sql}"], await FindAsync(database, "robert", _us));
        Assert.Equal([$"{script} {sql}"], await FindAsync(database, "script alert", _us));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "%")]
    [InlineData(DatabaseProvider.Postgres, "%")]
    [InlineData(DatabaseProvider.Sqlite, "_")]
    [InlineData(DatabaseProvider.Postgres, "_")]
    [InlineData(DatabaseProvider.Sqlite, "'")]
    [InlineData(DatabaseProvider.Postgres, "'")]
    [InlineData(DatabaseProvider.Sqlite, "%_%")]
    [InlineData(DatabaseProvider.Postgres, "%_%")]
    public async Task WildcardOrQuoteAloneSuggestsNothingAndDoesNotFilterTheList(DatabaseProvider provider, string term)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await SeededAsync(provider);
        var query = SearchQuery.Parse(term, new PhoneNormalizer("US"));
        await using var db = database.CreateDbContext();

        Assert.Empty(await db.SuggestAsync(query, ct));
        // Nothing searchable was typed, so the list page shows its unfiltered list rather than an error.
        Assert.Equal(4, await db.Customers.Matching(db, query).CountAsync(ct));
    }

    [Theory]
    [InlineData(DatabaseProvider.Sqlite, "j_se")]
    [InlineData(DatabaseProvider.Postgres, "j_se")]
    [InlineData(DatabaseProvider.Sqlite, "%lvarez")]
    [InlineData(DatabaseProvider.Postgres, "%lvarez")]
    [InlineData(DatabaseProvider.Sqlite, "o'brien")]
    [InlineData(DatabaseProvider.Postgres, "o'brien")]
    [InlineData(DatabaseProvider.Sqlite, "'; DROP TABLE \"Customers\"; --")]
    [InlineData(DatabaseProvider.Postgres, "'; DROP TABLE \"Customers\"; --")]
    public async Task WildcardsAndQuotesInATermAreNotPatterns(DatabaseProvider provider, string term)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await SeededAsync(provider);

        // "j_se" would find José and "%lvarez" Álvarez if either reached a LIKE pattern.
        Assert.Empty(await FindAsync(database, term, _us));
        await using var db = database.CreateDbContext();
        Assert.Equal(4, await db.Customers.CountAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SearchFindsNonLatinNames(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await using (var db = database.CreateDbContext())
        {
            db.Customers.Add(TestCustomers.Individual("Анна", "Иванова", "+12127365000"));
            await db.SaveChangesAsync(ct);
        }

        Assert.Equal(["Анна Иванова"], await FindAsync(database, "иван", _us));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task LongSearchTermRunsWithoutError(DatabaseProvider provider)
    {
        await using var database = await SeededAsync(provider);

        Assert.Empty(await FindAsync(database, new string('z', 10_000), _us));
        Assert.Empty(await FindAsync(database, new string('9', 10_000), _us));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SearchMatchesEveryWordOfTwoAndThreeWordTerms(DatabaseProvider provider)
    {
        await using var database = await SeededAsync(provider);

        // A first word no longer than the pair lead, one longer (filtered by its own prefix), and a third word.
        Assert.Equal(["José Álvarez"], await FindAsync(database, "jo alv", _us));
        Assert.Equal(["Jürgen Müller"], await FindAsync(database, "jürg mül", _us));
        Assert.Equal(["José Álvarez"], await FindAsync(database, "jos alv jo", _us));
        Assert.Empty(await FindAsync(database, "jo mul", _us));
        Assert.Empty(await FindAsync(database, "jox alv", _us));
        Assert.Empty(await FindAsync(database, "jos alv mer", _us));
        // The second word leads the range when it is the short one, or the first is the longer one; either way every
        // typed word must still start a different word of the name.
        Assert.Equal(["José Álvarez"], await FindAsync(database, "álvar jo", _us));
        Assert.Equal(["José Álvarez"], await FindAsync(database, "jos álvarez", _us));
        Assert.Equal(["Jürgen Müller"], await FindAsync(database, "müll jürg", _us));
        Assert.Empty(await FindAsync(database, "alvx jo", _us));
        Assert.Empty(await FindAsync(database, "jox álvarez", _us));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SuggestionOpensTheConnectionOnceAndLeavesItAsItFoundIt(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await SeededAsync(provider);
        // "jos" finds one name, so the suggestion also looks at emails and tags before loading the rows: four statements.
        var query = SearchQuery.Parse("jos", _us);

        await using (var db = database.CreateDbContext())
        {
            var connection = db.Database.GetDbConnection();
            var opens = 0;
            connection.StateChange += (_, e) => opens += e.CurrentState == System.Data.ConnectionState.Open ? 1 : 0;

            Assert.Equal(["José Álvarez"], (await db.SuggestAsync(query, ct)).Select(s => s.Name));
            Assert.Equal(1, opens);
            Assert.Equal(System.Data.ConnectionState.Closed, connection.State);
        }

        await using (var db = database.CreateDbContext())
        {
            await db.Database.OpenConnectionAsync(ct);
            Assert.Equal(["José Álvarez"], (await db.SuggestAsync(query, ct)).Select(s => s.Name));
            Assert.Equal(System.Data.ConnectionState.Open, db.Database.GetDbConnection().State);
        }
    }

    /// <summary>
    /// The names both search paths return, after checking they agree. Ordered by name for the list path;
    /// the suggestions' own order is checked where it matters.
    /// </summary>
    private static async Task<List<string>> FindAsync(TestDatabase database, string term, PhoneNormalizer phones)
    {
        var ct = TestContext.Current.CancellationToken;
        var query = SearchQuery.Parse(term, phones);
        await using var db = database.CreateDbContext();
        var suggested = (await db.SuggestAsync(query, ct)).Select(s => s.Name).Order(StringComparer.Ordinal).ToList();
        var listed = (await db.Customers.Matching(db, query).Where(c => c.Status != CustomerStatus.Deleted).ToListAsync(ct))
            .Select(c => c.FullName).Order(StringComparer.Ordinal).ToList();
        Assert.True(suggested.SequenceEqual(listed),
            $"The app bar found [{string.Join(", ", suggested)}] but the list page found [{string.Join(", ", listed)}] for \"{term}\".");
        return suggested;
    }

    private static async Task<TestDatabase> SeededAsync(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        var database = await TestDatabase.CreateAsync(provider, ct: ct);
        try
        {
            await using var db = database.CreateDbContext();
            db.Customers.AddRange(
                TestCustomers.Individual("José", "Álvarez", "+12127365000", email: "jalvarez@example.com", tags: "events"),
                TestCustomers.Individual("Zoë", "Lefèvre", "+442079460018", email: "zlefevre@example.org"),
                TestCustomers.Individual("Jürgen", "Müller", "+16175550100", email: "jm@example.de"),
                TestCustomers.Organisation("Mercy Clinic", "+13125550199"));
            await db.SaveChangesAsync(ct);
            // Edits after creation, so the index is also checked after a rebuild, not only on insert.
            var jurgen = await db.Customers.SingleAsync(c => c.LastName == "Müller", ct);
            jurgen.SecondaryPhone = "+16175554321";
            var mercy = await db.Customers.SingleAsync(c => c.Name == "Mercy Clinic", ct);
            mercy.Tags = "wholesale, vip-lounge";
            await db.SaveChangesAsync(ct);
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }
}
