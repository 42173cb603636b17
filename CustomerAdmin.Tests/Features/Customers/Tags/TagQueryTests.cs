using System.Diagnostics;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Tags;

namespace CustomerAdmin.Tests.Features.Customers.Tags;

/// <summary>The tags in use, as the tag box suggests them and the tags page lists them.</summary>
public sealed class TagQueryTests(ITestOutputHelper output)
{
    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TagsInUseAreListedOnceEachByPrefixWithTheirSpellingAndCount(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await database.Data.ManyCustomersAsync(3_000, (i, c) => c.Tags = (i % 3) switch { 0 => "Événements,VIP", 1 => "vip-gold", _ => "walk-in,VIP" });
        await database.Data.CustomerAsync("Gone", "Person", "+12125550199", c => { c.Tags = "secret"; c.Status = CustomerStatus.Deleted; });
        await using var db = database.CreateDbContext();

        var clock = Stopwatch.StartNew();
        var all = await db.TagsAsync(null, ct: ct);
        output.WriteLine($"{provider}: all tags of 3,000 customers in {clock.Elapsed.TotalMilliseconds:F1} ms");

        Assert.Equal([("evenements", "Événements"), ("vip", "VIP"), ("vip-gold", "vip-gold"), ("walk-in", "walk-in")],
            all.Select(t => (t.Key, t.Name)));
        Assert.Equal(["VIP", "vip-gold"], (await db.TagsAsync("Vi", ct: ct)).Select(t => t.Name));
        Assert.Equal(["vip-gold"], (await db.TagsAsync("v", afterKey: "vip", ct: ct)).Select(t => t.Name));
        Assert.Equal(["Événements"], (await db.TagsAsync("éve", ct: ct)).Select(t => t.Name));
        Assert.Equal(["VIP"], (await db.TagsAsync("v", limit: 1, ct: ct)).Select(t => t.Name));
        Assert.Empty(await db.TagsAsync("secret", ct: ct));
        Assert.Equal(2_000, await db.CustomerCountAsync("vip", ct));
        Assert.Equal(0, await db.CustomerCountAsync("secret", ct));
    }
}
