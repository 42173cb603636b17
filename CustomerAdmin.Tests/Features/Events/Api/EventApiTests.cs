using System.Net;
using CustomerAdmin.Data;
using CustomerAdmin.Security;
using CustomerAdmin.Tests.Features.Api;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Events.Api;

/// <summary><c>/api/v1/events</c> over Kestrel on both databases: keyset pages, stable while events are added.</summary>
public sealed class EventApiTests
{
    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task EventPagesFollowEachOtherWithoutGapsOrRepeatsWhileEventsAreAdded(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var api = await ApiServer.StartAsync(provider);
        var now = DateTime.UtcNow;
        // Upcoming and past events; several start at the same minute, so the id decides between them.
        await api.Data.BatchAsync(b =>
        {
            for (var i = 0; i < 260; i++) b.Event($"Upcoming {i}", now.Date.AddDays(2 + i / 4).AddHours(19), capacity: 50);
            for (var i = 0; i < 130; i++) b.Event($"Past {i}", now.Date.AddDays(-2 - i / 3).AddHours(19), capacity: 50);
        });
        var client = await api.ClientAsync(AppRoles.Staff, Permissions.CustomersRead);
        List<(int Id, DateTime StartsAt)> upcoming, past;
        await using (var db = api.Server.CreateDbContext())
        {
            upcoming = (await db.Events.Where(e => e.StartsAt > now).OrderBy(e => e.StartsAt).ThenBy(e => e.Id)
                .Select(e => new { e.Id, e.StartsAt }).ToListAsync(ct)).Select(e => (e.Id, e.StartsAt)).ToList();
            past = (await db.Events.Where(e => e.StartsAt <= now).OrderByDescending(e => e.StartsAt).ThenByDescending(e => e.Id)
                .Select(e => new { e.Id, e.StartsAt }).ToListAsync(ct)).Select(e => (e.Id, e.StartsAt)).ToList();
        }

        // Events are added between pages, before and after where the client is: those before are not seen, none repeats.
        var seen = new List<int>();
        string? cursor = null;
        var pages = 0;
        var added = new List<int>();
        do
        {
            using var response = await client.GetAsync($"api/v1/events?limit=40{(cursor is null ? "" : "&cursor=" + cursor)}", ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.JsonAsync();
            seen.AddRange(body.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetInt32()));
            cursor = body.GetProperty("nextCursor").GetString();
            if (++pages == 2)
            {
                added.Add((await api.Data.EventAsync("Added early", upcoming[10].StartsAt, 10)).Id);
                added.Add((await api.Data.EventAsync("Added late", upcoming[^1].StartsAt.AddDays(1), 10)).Id);
            }
        }
        while (cursor is not null);
        Assert.Equal(7, pages);
        Assert.Equal([.. upcoming.Select(e => e.Id), added[1]], seen);

        var pastSeen = new List<int>();
        cursor = null;
        do
        {
            var body = await (await client.GetAsync($"api/v1/events?past=true&limit=50{(cursor is null ? "" : "&cursor=" + cursor)}", ct)).JsonAsync();
            pastSeen.AddRange(body.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetInt32()));
            cursor = body.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal(past.Select(e => e.Id), pastSeen);

        // A cursor of the upcoming list is refused by the past one, as is a made-up cursor or too large a page.
        var first = await (await client.GetAsync("api/v1/events?limit=5", ct)).JsonAsync();
        using var wrongList = await client.GetAsync($"api/v1/events?past=true&cursor={first.GetProperty("nextCursor").GetString()}", ct);
        Assert.Equal(HttpStatusCode.BadRequest, wrongList.StatusCode);
        Assert.True((await wrongList.JsonAsync()).GetProperty("errors").TryGetProperty("cursor", out _));
        using var madeUp = await client.GetAsync("api/v1/events?cursor=bm9wZQ", ct);
        Assert.Equal(HttpStatusCode.BadRequest, madeUp.StatusCode);
        using var tooMany = await client.GetAsync("api/v1/events?limit=201", ct);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
    }
}
