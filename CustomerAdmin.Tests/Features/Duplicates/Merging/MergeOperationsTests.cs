using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Duplicates.Merging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Duplicates.Merging;

/// <summary>Merging two customers and undoing it, against both databases, at the size of a real customer's history.</summary>
public sealed class MergeOperationsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 14, 0, 0, TimeSpan.Zero));

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task MergeMovesEveryRowToTheSurvivorAndUndoGivesBackExactlyWhatMoved(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var rig = new MergeTestRig(database, _time);
        var survivor = await rig.CustomerWithHistoryAsync("Robert", "Smith", "+12127365001", tickets: 150, email: "bob@example.com",
            with: c => c.Tags = "vip");
        _time.Advance(TimeSpan.FromDays(1));
        var merged = await rig.CustomerWithHistoryAsync("Bob", "Smith", "+12127365002", tickets: 120, with: c =>
        {
            c.Tags = "late-payer";
            c.Notes = "Prefers mornings";
            c.City = "Albany";
        });
        var pair = await database.Data.DuplicatePairAsync(survivor.Id, merged.Id);
        var before = await rig.SnapshotAsync(survivor.Id, merged.Id);
        _time.Advance(TimeSpan.FromHours(1));

        var result = await rig.MergeAsync(survivor.Id, merged.Id, r => r with
        {
            PairId = pair.Id, PairVersion = pair.Version,
            FieldSources = new Dictionary<string, int> { [nameof(Customer.PrimaryPhone)] = merged.Id },
        });

        Assert.Equal(120, result.MovedRows[nameof(Ticket)]);
        await using (var db = database.CreateDbContext())
        {
            Assert.False(await db.Tickets.AnyAsync(t => t.CustomerId == merged.Id, ct));
            Assert.False(await db.Sales.AnyAsync(t => t.CustomerId == merged.Id, ct));
            Assert.False(await db.SmsMessages.AnyAsync(t => t.CustomerId == merged.Id, ct));
            Assert.False(await db.Documents.AnyAsync(t => t.CustomerId == merged.Id, ct));
            Assert.False(await db.Equipment.AnyAsync(t => t.CustomerId == merged.Id, ct));
            Assert.Equal(survivor.Id, (await db.LegacyCustomerLinks.SingleAsync(l => l.LegacyId == $"L-{merged.Id}", ct)).CustomerId);
            var s = await db.Customers.SingleAsync(c => c.Id == survivor.Id, ct);
            var m = await db.Customers.SingleAsync(c => c.Id == merged.Id, ct);
            Assert.Equal((CustomerStatus.Merged, (int?)survivor.Id), (m.Status, m.MergedIntoId));
            Assert.Equal("+12127365002", s.PrimaryPhone);
            Assert.Equal("Albany", s.City); // the merged record's city was changed more recently
            Assert.Equal("bob@example.com", s.Email); // the only one filled in
            Assert.Equal("vip,late-payer", s.Tags);
            Assert.Contains("Prefers mornings", s.Notes);
            Assert.Equal(270, s.TicketCount);
            Assert.Equal(await db.Tickets.Where(t => t.CustomerId == s.Id && t.Status == TicketStatus.Closed).SumAsync(t => t.FinalAmount ?? 0m, ct)
                + await db.Sales.Where(x => x.CustomerId == s.Id).SumAsync(x => x.Total, ct), s.TotalSpent);
            Assert.Equal((0m, 0, 0), (m.TotalSpent, m.VisitCount, m.TicketCount));
            Assert.False(await db.CustomerSearchTokens.AnyAsync(t => t.CustomerId == merged.Id, ct));
            Assert.Equal(DuplicatePairState.Merged, (await db.DuplicatePairs.SingleAsync(ct)).State);
            Assert.Contains(await db.CustomerChanges.Where(c => c.CustomerId == survivor.Id && c.Field == CustomerChange.MergedField).ToListAsync(ct),
                c => c.NewValue!.Contains($"Customer {merged.Id}") && c.ChangedBy == "manager@test.local");
            Assert.True(await db.CustomerChanges.AnyAsync(c => c.CustomerId == merged.Id && c.Field == CustomerChange.MergedField, ct));
            Assert.True(await db.Activities.AnyAsync(a => a.CustomerId == survivor.Id && a.Kind == ActivityKind.Merged, ct));
            var found = await db.SuggestAsync(SearchQuery.Parse("bob smith", new PhoneNormalizer("US")), ct);
            Assert.DoesNotContain(found, f => f.Id == merged.Id);
        }

        // Work done on the survivor after the merge stays with it.
        _time.Advance(TimeSpan.FromDays(2));
        var later = await database.Data.TicketAsync(survivor.Id);
        await rig.Merges.UndoAsync(result.MergeId, "admin@test.local", ct);

        var after = await rig.SnapshotAsync(survivor.Id, merged.Id);
        var added = after.Rows.Where(r => r == $"ticket {later.Id} {survivor.Id}" || r.EndsWith($" {survivor.Id} t{later.Id}", StringComparison.Ordinal)).ToList();
        Assert.Equal(before.Rows, after.Rows.Except(added).ToList());
        Assert.Equal(2, added.Count); // the later ticket and its timeline entry stay with the survivor
        Assert.Equal(before.Pairs, after.Pairs);
        Assert.Equal(before.Tokens, after.Tokens);
        Assert.Equal(before.Customers[1], after.Customers[1]);
        await using (var db = database.CreateDbContext())
        {
            var s = await db.Customers.SingleAsync(c => c.Id == survivor.Id, ct);
            Assert.Equal(("+12127365001", "vip", (string?)null, "Boston"), (s.PrimaryPhone, s.Tags, s.Notes, s.City));
            Assert.Equal(151, s.TicketCount);
            Assert.True(await db.CustomerChanges.AnyAsync(c => c.CustomerId == survivor.Id && c.Field == CustomerChange.MergeUndoneField, ct));
            Assert.True(await db.CustomerChanges.AnyAsync(c => c.CustomerId == merged.Id && c.Field == CustomerChange.MergeUndoneField, ct));
            Assert.NotNull((await db.CustomerMerges.SingleAsync(ct)).UndoneAt);
        }
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TheSurvivorIsACustomerSinceTheEarlierFirstSeenDateAndUndoGivesItsOwnBack(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var rig = new MergeTestRig(database, _time);
        var since = new DateTime(2019, 5, 1, 9, 30, 0, DateTimeKind.Utc);
        var survivor = await rig.CustomerWithHistoryAsync("Robert", "Smith", "+12127365001", tickets: 2);
        // The other record came from a legacy file: a customer since 2019, recorded today.
        var merged = await rig.CustomerWithHistoryAsync("Bob", "Smith", "+12127365002", tickets: 1, with: c => c.FirstSeenAt = since);
        var survivorSince = (await rig.ReloadAsync(survivor.Id)).FirstSeenAt;
        Assert.True(survivorSince > since);

        var result = await rig.MergeAsync(survivor.Id, merged.Id);
        Assert.Equal(since, DateTime.SpecifyKind((await rig.ReloadAsync(survivor.Id)).FirstSeenAt, DateTimeKind.Utc));

        // The other way round the survivor keeps its own, earlier, date.
        await rig.Merges.UndoAsync(result.MergeId, ct: ct);
        Assert.Equal(survivorSince, (await rig.ReloadAsync(survivor.Id)).FirstSeenAt);
        await rig.MergeAsync(merged.Id, survivor.Id);
        Assert.Equal(since, DateTime.SpecifyKind((await rig.ReloadAsync(merged.Id)).FirstSeenAt, DateTimeKind.Utc));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task BookingsOfOneEventBecomeOneAndTheRemovedOnesRemindersAreNotSent(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var rig = new MergeTestRig(database, _time);
        var data = new TestData(database.Factory, _time);
        var survivor = await data.CustomerAsync("Ann", "Lee", "+12127365001");
        var merged = await data.CustomerAsync("Anne", "Lee", "+12127365002");
        var ev = await data.EventAsync("Jazz night", rig.Now.AddDays(20), capacity: 5);
        var kept = await data.BookingAsync(survivor.Id, ev.Id, 2);
        var removed = await data.BookingAsync(merged.Id, ev.Id, 1, b => b.Notes = "aisle");
        var other = await data.CustomerAsync("Sam", "Ng", "+12127365003");
        await data.BookingAsync(other.Id, ev.Id, 1);
        var reminder = await data.AddAsync(new SmsMessage
        {
            CustomerId = merged.Id, BookingId = removed.Id, EventId = ev.Id, EventStartsAt = ev.StartsAt, Kind = SmsKind.Reminder7Day,
            To = merged.PrimaryPhone, Body = "Reminder", Status = SmsStatus.Pending, CreatedAt = rig.Now, NextAttemptAt = ev.StartsAt.AddDays(-7), UpdatedAt = rig.Now,
        });
        var before = await rig.SnapshotAsync(survivor.Id, merged.Id);

        var tooMany = await Assert.ThrowsAsync<RuleViolationException>(() => rig.MergeAsync(survivor.Id, merged.Id,
            r => r with { BookingSeats = new Dictionary<int, int> { [ev.Id] = 5 } }));
        Assert.Contains("Only 4 seats are left", tooMany.Message);
        Assert.Equal(before, await rig.SnapshotAsync(survivor.Id, merged.Id), new SnapshotComparer());

        var result = await rig.MergeAsync(survivor.Id, merged.Id, r => r with { BookingSeats = new Dictionary<int, int> { [ev.Id] = 3 } });

        await using (var db = database.CreateDbContext())
        {
            var booking = await db.Bookings.SingleAsync(b => b.EventId == ev.Id && (b.CustomerId == survivor.Id || b.CustomerId == merged.Id), ct);
            Assert.Equal((kept.Id, survivor.Id, 3, "aisle"), (booking.Id, booking.CustomerId, booking.Seats, booking.Notes));
            var sms = await db.SmsMessages.SingleAsync(m => m.Id == reminder.Id, ct);
            Assert.Equal((SmsStatus.Skipped, MergeOperations.BookingMergedCode, survivor.Id, (int?)null), (sms.Status, sms.ErrorCode, sms.CustomerId, sms.BookingId));
        }

        await rig.Merges.UndoAsync(result.MergeId, ct: ct);

        Assert.Equal(before, await rig.SnapshotAsync(survivor.Id, merged.Id), new SnapshotComparer());
        await using (var db = database.CreateDbContext())
        {
            var sms = await db.SmsMessages.SingleAsync(m => m.Id == reminder.Id, ct);
            Assert.Equal((SmsStatus.Pending, (int?)removed.Id, merged.Id), (sms.Status, sms.BookingId, sms.CustomerId));
        }
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task BadMergesAreRefusedWithAClearMessageAndChangeNothing(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var rig = new MergeTestRig(database, _time);
        var a = await rig.CustomerWithHistoryAsync("Ann", "Lee", "+12127365001", tickets: 5);
        var b = await rig.CustomerWithHistoryAsync("Anne", "Lee", "+12127365002", tickets: 5);
        var c = await rig.CustomerWithHistoryAsync("Ana", "Lee", "+12127365003", tickets: 5);
        var deleted = await rig.CustomerWithHistoryAsync("Deleted", "Lee", "+12127365004", tickets: 0, with: x => x.Status = CustomerStatus.Deleted);
        var before = await rig.SnapshotAsync(a.Id, b.Id, c.Id, deleted.Id);

        Assert.Contains("with itself", (await Assert.ThrowsAsync<RuleViolationException>(() => rig.MergeAsync(a.Id, a.Id))).Message);
        Assert.Contains("is deleted", (await Assert.ThrowsAsync<RuleViolationException>(() => rig.MergeAsync(a.Id, deleted.Id))).Message);
        var stale = new MergeRequest(a.Id, b.Id, a.Version, b.Version);
        await using (var db = database.CreateDbContext())
        {
            var edited = await db.Customers.SingleAsync(x => x.Id == b.Id, ct);
            edited.Email = "anne@example.com";
            await db.SaveChangesAsync(ct);
        }
        var after = await rig.SnapshotAsync(a.Id, b.Id, c.Id, deleted.Id);
        var changed = await Assert.ThrowsAsync<RuleViolationException>(() => rig.Merges.MergeAsync(stale with { MergedVersion = stale.MergedVersion }, ct: ct));
        Assert.Contains("was changed after this pair was listed", changed.Message);
        Assert.Equal(after, await rig.SnapshotAsync(a.Id, b.Id, c.Id, deleted.Id), new SnapshotComparer());
        Assert.NotEqual(before.Customers, after.Customers);

        await rig.MergeAsync(a.Id, b.Id);
        var again = await Assert.ThrowsAsync<RuleViolationException>(() => rig.MergeAsync(c.Id, b.Id));
        Assert.Contains($"has already been merged into customer {a.Id}", again.Message);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task TwoManagersMergingOverlappingPairsAtOnceOneWinsTheOtherIsToldAndNothingIsHalfDone(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var rig = new MergeTestRig(database, _time);
        var a = await rig.CustomerWithHistoryAsync("Ann", "Lee", "+12127365001", tickets: 60);
        var b = await rig.CustomerWithHistoryAsync("Anne", "Lee", "+12127365002", tickets: 60);
        var c = await rig.CustomerWithHistoryAsync("Ana", "Lee", "+12127365003", tickets: 60);
        var (va, vb, vc) = ((await rig.ReloadAsync(a.Id)).Version, (await rig.ReloadAsync(b.Id)).Version, (await rig.ReloadAsync(c.Id)).Version);

        // B into A, and at the same moment B into C: B can only end up in one of them.
        var first = Task.Run(() => rig.Merges.MergeAsync(new MergeRequest(a.Id, b.Id, va, vb), "one@test.local", ct), ct);
        var second = Task.Run(() => rig.Merges.MergeAsync(new MergeRequest(c.Id, b.Id, vc, vb), "two@test.local", ct), ct);
        var outcomes = await Task.WhenAll(Outcome(first), Outcome(second));

        Assert.Single(outcomes, o => o is MergeResult);
        var refused = Assert.IsType<RuleViolationException>(Assert.Single(outcomes, o => o is not MergeResult));
        Assert.Matches("already been merged|was changed after this pair was listed|changed one of these customers", refused.Message);
        var winner = (MergeResult)outcomes.Single(o => o is MergeResult);
        var loser = winner.SurvivorId == a.Id ? c.Id : a.Id;
        await using var db = database.CreateDbContext();
        Assert.Equal(120, await db.Tickets.CountAsync(t => t.CustomerId == winner.SurvivorId, ct));
        Assert.Equal(60, await db.Tickets.CountAsync(t => t.CustomerId == loser, ct));
        Assert.Equal(1, await db.CustomerMerges.CountAsync(ct));
        Assert.Equal(winner.SurvivorId, (await db.Customers.SingleAsync(x => x.Id == b.Id, ct)).MergedIntoId);

        static async Task<object> Outcome(Task<MergeResult> merge)
        {
            try { return await merge; }
            catch (RuleViolationException ex) { return ex; }
        }
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AnEditOfTheOtherRecordDuringAMergeLosesToItWithAClearMessage(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var rig = new MergeTestRig(database, _time);
        var a = await rig.CustomerWithHistoryAsync("Ann", "Lee", "+12127365001", tickets: 3);
        var b = await rig.CustomerWithHistoryAsync("Anne", "Lee", "+12127365002", tickets: 3);
        var form = await rig.ReloadAsync(b.Id);
        var operations = new CustomerOperations(database.Factory, new PhoneNormalizer("US"), _time);

        await rig.MergeAsync(a.Id, b.Id);
        form.Email = "anne@example.com";
        var edit = await Record.ExceptionAsync(() => operations.UpdateAsync(b.Id, form.Version, form, null, ct: ct));

        var refused = Assert.IsType<RuleViolationException>(edit);
        Assert.Contains($"merged this customer into customer {a.Id}", refused.Message);
        Assert.Null((await rig.ReloadAsync(b.Id)).Email);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ChainsUndoNewestFirstAndRefuseTheOlderUndoWhileTheSurvivorIsItselfMerged(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var rig = new MergeTestRig(database, _time);
        var a = await rig.CustomerWithHistoryAsync("Ann", "Lee", "+12127365001", tickets: 20);
        var b = await rig.CustomerWithHistoryAsync("Anne", "Lee", "+12127365002", tickets: 20);
        var c = await rig.CustomerWithHistoryAsync("Ana", "Lee", "+12127365003", tickets: 20);
        var before = await rig.SnapshotAsync(a.Id, b.Id, c.Id);

        var aIntoB = await rig.MergeAsync(b.Id, a.Id);
        var bIntoC = await rig.MergeAsync(c.Id, b.Id);
        await using (var db = database.CreateDbContext())
        {
            Assert.Equal(c.Id, await db.SurvivorOfAsync(a.Id, ct));
            Assert.Equal(60, await db.Tickets.CountAsync(t => t.CustomerId == c.Id, ct));
        }

        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => rig.Merges.UndoAsync(aIntoB.MergeId, ct: ct));
        Assert.Contains($"has since been merged into customer {c.Id}", refused.Message);
        await rig.Merges.UndoAsync(bIntoC.MergeId, ct: ct);
        await rig.Merges.UndoAsync(aIntoB.MergeId, ct: ct);

        var after = await rig.SnapshotAsync(a.Id, b.Id, c.Id);
        Assert.Equal(before.Rows, after.Rows);
        Assert.Equal(before.Tokens, after.Tokens);
        Assert.Equal(before.Customers, after.Customers);
        var again = await Assert.ThrowsAsync<RuleViolationException>(() => rig.Merges.UndoAsync(aIntoB.MergeId, ct: ct));
        Assert.Contains("already undone", again.Message);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AnOptOutAlwaysSurvivesAndAMergedPhoneCanBeUsedAgain(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var rig = new MergeTestRig(database, _time);
        var data = new TestData(database.Factory, _time);
        var survivor = await data.CustomerAsync("Ann", "Lee", "+12127365001", c => (c.SmsOptedIn, c.SmsOptedInAt, c.SmsOptInSource) = (true, rig.Now, "staff"));
        var merged = await data.CustomerAsync("Anne", "Lee", "+12127365002", c => (c.SmsOptedOutAt, c.SmsOptOutSource) = (rig.Now.AddDays(-3), "sms:STOP"));

        await rig.MergeAsync(survivor.Id, merged.Id);

        var s = await rig.ReloadAsync(survivor.Id);
        Assert.True(s.SmsOptedOut);
        Assert.Equal("sms:STOP", s.SmsOptOutSource);
        await using var db = database.CreateDbContext();
        Assert.Contains(await db.CustomerChanges.Where(c => c.CustomerId == survivor.Id).ToListAsync(ct), c => c.Field == nameof(Customer.SmsOptedIn) && c.NewValue == "false");
        // The merged record no longer holds its phone in the unique index: a new customer may have it.
        var again = await data.CustomerAsync("New", "Person", "+12127365002");
        Assert.True(again.Id > 0);
    }
}

/// <summary>Compares two snapshots part by part, so a failure says which part differs.</summary>
internal sealed class SnapshotComparer : IEqualityComparer<MergeTestRig.Snapshot>
{
    public bool Equals(MergeTestRig.Snapshot? x, MergeTestRig.Snapshot? y)
    {
        Assert.Equal(x!.Customers, y!.Customers);
        Assert.Equal(x.Rows, y.Rows);
        Assert.Equal(x.Tokens, y.Tokens);
        Assert.Equal(x.Pairs, y.Pairs);
        return true;
    }

    public int GetHashCode(MergeTestRig.Snapshot obj) => 0;
}
