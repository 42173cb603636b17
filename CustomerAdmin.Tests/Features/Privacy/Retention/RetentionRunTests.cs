using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Privacy.Erasure;
using CustomerAdmin.Features.Privacy.Retention;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Privacy.Retention;

/// <summary>The retention run on both databases, at a few hundred customers: the dry run's figures are what the run does.</summary>
public sealed class RetentionRunTests
{
    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TheDryRunCountsWhatTheRunThenDoes(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        using var privacy = new PrivacyRig(database);
        var rig = new RetentionRig(database, privacy);
        await rig.ArrangeAsync(ct);
        // A record erased on request, then given a document by mistake: the documents policy takes it too.
        var erased = rig.Customers[250];
        await privacy.Erasures.EraseAsync(erased.Id, "Request by email", "dpo@test.local", ct);
        var late = await privacy.Documents.SaveAsync(erased.Id, new MemoryStream("%PDF-1.4\n%%EOF\n"u8.ToArray()), "scan.pdf", DocumentType.Other, "staff@test.local", ct);
        var retention = rig.Operations();
        await retention.SavePolicyAsync(RetentionRig.AllOn(), "admin@test.local", ct);

        var preview = await retention.PreviewAsync(ct);
        // Its document is one more to delete; its SMS text is gone already.
        var expected = RetentionRig.Expected with { Documents = RetentionRig.Expected.Documents + 1, SmsBodies = RetentionRig.Expected.SmsBodies - 1 };
        Assert.Equal(expected, preview);
        Assert.Equal((120, 40, 499), (preview.Anonymise, preview.Refused, preview.SmsBodies));

        var run = await retention.RunAsync("admin@test.local", ct: ct);

        Assert.NotNull(run);
        Assert.Null(run.Error);
        Assert.Equal((preview.Anonymise, preview.Refused, preview.SmsBodies, preview.Documents),
            (run.CustomersAnonymised, run.CustomersRefused, run.SmsBodiesCleared, run.DocumentsDeleted));
        await using var db = database.CreateDbContext();
        var report = await db.RetentionRuns.AsNoTracking().SingleAsync(ct);
        Assert.NotNull(report.FinishedAt);
        Assert.Equal((120, 40, "admin@test.local"), (report.CustomersAnonymised, report.CustomersRefused, report.StartedBy));
        var refusals = report.Refusals!.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(40, refusals.Length);
        Assert.Contains(refusals, r => r.StartsWith($"#{rig.Customers[0].Id}: ", StringComparison.Ordinal) && r.Contains("ticket is open"));
        Assert.Contains(refusals, r => r.StartsWith($"#{rig.Customers[1].Id}: ", StringComparison.Ordinal) && r.Contains("Spring gala"));

        var names = await db.Customers.AsNoTracking().ToDictionaryAsync(c => c.Id, c => c.FullName, ct);
        for (var i = 0; i < RetentionRig.Count; i++)
        {
            var id = rig.Customers[i].Id;
            var anonymous = names[id] == ErasureOperations.AnonymousName(id);
            Assert.True(anonymous == (RetentionRig.Anonymised(i) || i == 250), $"customer {i}: {names[id]}");
        }
        // Texts gone, statuses and counts kept; a message still waiting keeps its text.
        var sms = await db.SmsMessages.AsNoTracking().ToListAsync(ct);
        Assert.Equal(RetentionRig.Count + RetentionRig.Old / 10 + RetentionRig.Old, sms.Count);
        Assert.All(sms.Where(m => m.CreatedAt < RetentionRig.Now.AddDays(-365) && m.Status == SmsStatus.Delivered), m => Assert.Equal("", m.Body));
        Assert.All(sms.Where(m => m.Status == SmsStatus.Pending), m => Assert.Equal("Still waiting to go", m.Body));
        Assert.Equal(RetentionRig.Old / 10, sms.Count(m => m.Body == "Your repair is ready" && m.Status == SmsStatus.Delivered));
        Assert.Empty(await db.Activities.Where(a => a.Kind == ActivityKind.SmsReply && a.Body != null).ToListAsync(ct));
        Assert.Equal(RetentionRig.Old, await db.Activities.CountAsync(a => a.Kind == ActivityKind.SmsReply, ct));
        // Documents of inactive and erased customers gone, rows and files; the active customers' stay.
        var left = await db.Documents.AsNoTracking().Select(d => d.Id).ToListAsync(ct);
        Assert.DoesNotContain(late.Document.Id, left);
        Assert.Equal(rig.DocumentIds.Count - RetentionRig.Expected.Documents!.Value, left.Count);
        Assert.Equal(left.Count, Directory.EnumerateFiles(privacy.Folder).Count());

        // Done: the next run would do nothing but meet the same refusals.
        Assert.Equal(new RetentionPreview(0, 40, 0, 0), await retention.PreviewAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task EveryPolicyIsOffUntilAnAdminSwitchesItOn(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        using var privacy = new PrivacyRig(database);
        var rig = new RetentionRig(database, privacy);
        await rig.ArrangeAsync(ct);
        var retention = rig.Operations();

        Assert.Equal(new RetentionPreview(null, null, null, null), await retention.PreviewAsync(ct));
        Assert.Null(await retention.RunAsync(RetentionOperations.ScheduleActor, DateOnly.FromDateTime(RetentionRig.Now), ct));

        await retention.SavePolicyAsync(new RetentionPolicy { ClearSmsBodies = true, SmsBodyDays = 365 }, "admin@test.local", ct);
        var run = await retention.RunAsync(RetentionOperations.ScheduleActor, DateOnly.FromDateTime(RetentionRig.Now), ct);
        Assert.Equal((0, 0, 500, 0), (run!.CustomersAnonymised, run.CustomersRefused, run.SmsBodiesCleared, run.DocumentsDeleted));
        await using var db = database.CreateDbContext();
        Assert.Equal(0, await db.Customers.CountAsync(c => c.DisplayName != null && c.DisplayName.StartsWith("Erased"), ct));
    }

    [Fact]
    public async Task TwoInstancesOnPostgresRunADaysRetentionOnce()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, ct: ct);
        using var privacy = new PrivacyRig(database);
        var rig = new RetentionRig(database, privacy);
        await rig.ArrangeAsync(ct);
        await rig.Operations().SavePolicyAsync(RetentionRig.AllOn(), "admin@test.local", ct);
        var venue = Options.Create(new VenueOptions { TimeZone = "America/New_York" });
        // 03:30 in New York: past the default 03:00.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 8, 30, 0, TimeSpan.Zero));
        RetentionService Instance() => new(rig.Operations(), Options.Create(new RetentionOptions()), venue, clock, NullLogger<RetentionService>.Instance);
        var (one, two) = (Instance(), Instance());

        var runs = await Task.WhenAll(one.TickAsync(ct), two.TickAsync(ct), one.TickAsync(ct), two.TickAsync(ct));

        var run = Assert.Single(runs, r => r is not null);
        Assert.Equal(new DateOnly(2026, 12, 7), run!.ScheduledDay);
        await using var db = database.CreateDbContext();
        Assert.Equal(1, await db.RetentionRuns.CountAsync(ct));
        Assert.Equal(120, await db.CustomerErasures.CountAsync(ct));
        // Later the same day nothing runs again; the next day runs (and finds nothing left to do).
        clock.Advance(TimeSpan.FromHours(10));
        Assert.Null(await one.TickAsync(ct));
        clock.Advance(TimeSpan.FromHours(13));
        Assert.Null(await two.TickAsync(ct)); // 02:30 the next day: before 03:00
        clock.Advance(TimeSpan.FromHours(1));
        var next = await two.TickAsync(ct);
        Assert.Equal((new DateOnly(2026, 12, 8), 0), (next!.ScheduledDay, next.CustomersAnonymised));
    }
}
