using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Matching;
using CustomerAdmin.Features.Duplicates.Scanning;

namespace CustomerAdmin.Tests.Features.Duplicates.Scanning;

/// <summary>The names' warm-up at start: every live person's first and last name read once and worked out, on both databases.</summary>
public sealed class DuplicateNameWarmupTests
{
    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task WarmUpReadsEachNameOfLivePeopleOnceAndNoOtherName(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var expected = new HashSet<string>();
        for (var i = 0; i < 150; i++)
        {
            var (first, last) = ($"Ann{i}", $"Lee{i % 60}");
            await database.Data.CustomerAsync(first, last, $"+1212555{i:D4}");
            expected.UnionWith([first, last]);
        }
        await database.Data.CustomerAsync("Gone", "Away", "+12125559999", c => c.Status = CustomerStatus.Deleted);
        await using (var db = database.CreateDbContext())
        {
            db.Customers.Add(TestCustomers.Organisation("Acme Hospital", "+12125559998"));
            await db.SaveChangesAsync(ct);
        }

        var read = new List<string?>();
        await using (var db = database.CreateDbContext())
            await foreach (var name in DuplicateNameWarmup.NamesAsync(db, ct)) read.Add(name);

        Assert.Equal(expected.Order(), read.OfType<string>().Order());
        Assert.Equal(150 + 60, await DuplicateNameWarmup.WarmAsync(database.Factory, ct));
    }

    [Fact]
    public void RememberedNamesAreWorkedOutOnce()
    {
        var spelling = $"Zq{Guid.NewGuid():N}";
        Assert.False(MatchProfile.KnowsName(spelling));
        MatchProfile.RememberNames([spelling, null, ""]);
        Assert.True(MatchProfile.KnowsName(spelling));
    }
}
