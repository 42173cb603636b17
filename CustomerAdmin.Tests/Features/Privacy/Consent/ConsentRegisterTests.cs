using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Privacy.Consent;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Tests.Features.Duplicates.Merging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Privacy.Consent;

/// <summary>
/// The consent register on both databases: every change is a row, the customer's SMS state follows the newest
/// sms-service row, and a STOP reply, an edit or a merge never brings an opt-out back; only an explicit opt-in does.
/// </summary>
public sealed class ConsentRegisterTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 14, 0, 0, TimeSpan.Zero));

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    private ConsentOperations Consents(TestDatabase database) => new(database.Factory, Options.Create(new ConsentOptions()), _time);

    private static async Task<(Customer Customer, List<ConsentRecord> Rows)> ReadAsync(TestDatabase database, int id)
    {
        await using var db = database.CreateDbContext();
        var ct = TestContext.Current.CancellationToken;
        return (await db.Customers.AsNoTracking().SingleAsync(c => c.Id == id, ct),
            await db.ConsentRecords.AsNoTracking().Where(r => r.CustomerId == id).OrderBy(r => r.Id).ToListAsync(ct));
    }

    private static async Task<IReadOnlyDictionary<string, bool?>> StatesAsync(TestDatabase database, int id)
    {
        await using var db = database.CreateDbContext();
        return (await db.ConsentStatesAsync(new ConsentOptions().Purposes, id, TestContext.Current.CancellationToken)).ToDictionary(s => s.Purpose.Key, s => s.Granted);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task StopWithdrawsEverySmsPurposeAndStartGivesBackOnlyTheServiceMessages(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var customers = await database.Data.ManyCustomersAsync(200);
        var ann = customers[42];
        await Consents(database).RecordAsync(ann.Id, ConsentOptions.SmsMarketing, true, "paper form", "staff@test.local", ct);

        _time.Advance(TimeSpan.FromHours(1));
        await using (var db = database.CreateDbContext())
            await SmsConsent.OptOutAsync(db, ann.Id, "sms:STOP", Now, dedupeKey: null, ct);
        var (stopped, rows) = await ReadAsync(database, ann.Id);
        Assert.True(stopped.SmsOptedOut);
        Assert.Equal("sms:STOP", stopped.SmsOptOutSource);
        Assert.Equal([(ConsentOptions.SmsMarketing, true), (ConsentOptions.SmsService, false), (ConsentOptions.SmsMarketing, false)],
            rows.Select(r => (r.Purpose, r.Granted)));
        Assert.All(rows.Skip(1), r => Assert.Equal(("sms:STOP", Now), (r.Source, r.At)));

        _time.Advance(TimeSpan.FromHours(1));
        await using (var db = database.CreateDbContext())
            await SmsConsent.OptInAsync(db, ann.Id, "sms:START", Now, dedupeKey: null, ct);
        var (started, after) = await ReadAsync(database, ann.Id);
        Assert.True(started.SmsOptedIn);
        Assert.Equal(4, after.Count);
        var states = await StatesAsync(database, ann.Id);
        Assert.True(states[ConsentOptions.SmsService]);
        Assert.False(states[ConsentOptions.SmsMarketing]);
        Assert.Null(states[ConsentOptions.EmailMarketing]);
        // Nobody else's register moved.
        await using (var db = database.CreateDbContext())
            Assert.Equal(4, await db.ConsentRecords.CountAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AnEditNeverTurnsAnOptOutBackOnButTickingTheBoxIsAnExplicitOptIn(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var operations = new CustomerOperations(database.Factory, new PhoneNormalizer("US"), _time, Options.Create(new ConsentOptions()));
        var ann = await operations.CreateAsync(TestCustomers.Individual("Ann", "Lee", "+12127365001").Also(c => c.SmsOptedIn = true), "staff@test.local", ct);
        var (created, createdRows) = await ReadAsync(database, ann.Id);
        Assert.True(created.SmsOptedIn);
        var given = Assert.Single(createdRows);
        Assert.Equal((ConsentOptions.SmsService, true, "staff", "staff@test.local", "sms-service-1"),
            (given.Purpose, given.Granted, given.Source, given.RecordedBy, given.WordingVersion));

        _time.Advance(TimeSpan.FromMinutes(5));
        await using (var db = database.CreateDbContext())
            await SmsConsent.OptOutAsync(db, ann.Id, "sms:STOP", Now, dedupeKey: null, ct);

        // A form opened before the STOP, saved with the box as it was loaded (ticked), and another edit after it.
        var form = created.Copy();
        form.City = "Salem";
        var (stopped, _) = await ReadAsync(database, ann.Id);
        await operations.UpdateAsync(ann.Id, stopped.Version, form, consent: null, "staff@test.local", ct);
        var (edited, editedRows) = await ReadAsync(database, ann.Id);
        Assert.Equal("Salem", edited.City);
        Assert.True(edited.SmsOptedOut);
        Assert.Equal(3, editedRows.Count);

        await operations.UpdateAsync(ann.Id, edited.Version, form, new ConsentChoice(true), "manager@test.local", ct);
        var (optedIn, optedInRows) = await ReadAsync(database, ann.Id);
        Assert.True(optedIn.SmsOptedIn);
        Assert.Equal((ConsentOptions.SmsService, true, "manager@test.local"), (optedInRows[^1].Purpose, optedInRows[^1].Granted, optedInRows[^1].RecordedBy));
        Assert.False((await StatesAsync(database, ann.Id))[ConsentOptions.SmsMarketing]);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AMergeCarriesTheMergedRecordsOptOutsToTheSurvivor(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var rig = new MergeTestRig(database, _time);
        var data = new TestData(database.Factory, _time);
        var survivor = await data.CustomerAsync("Ann", "Lee", "+12127365001");
        var merged = await data.CustomerAsync("Anne", "Lee", "+12127365002");
        var consents = Consents(database);
        await consents.RecordAsync(survivor.Id, ConsentOptions.SmsMarketing, true, "paper form", "staff@test.local", ct);
        await consents.RecordAsync(survivor.Id, ConsentOptions.EmailMarketing, true, "paper form", "staff@test.local", ct);
        await consents.RecordAsync(survivor.Id, ConsentOptions.SmsService, true, "paper form", "staff@test.local", ct);
        _time.Advance(TimeSpan.FromDays(1));
        await consents.RecordAsync(merged.Id, ConsentOptions.SmsMarketing, false, "staff on the phone", "staff@test.local", ct);
        await consents.RecordAsync(merged.Id, ConsentOptions.EmailMarketing, true, "paper form", "staff@test.local", ct);
        _time.Advance(TimeSpan.FromDays(1));

        await rig.MergeAsync(survivor.Id, merged.Id);

        var states = await StatesAsync(database, survivor.Id);
        Assert.False(states[ConsentOptions.SmsMarketing]);
        Assert.True(states[ConsentOptions.EmailMarketing]);
        Assert.True(states[ConsentOptions.SmsService]);
        var (s, rows) = await ReadAsync(database, survivor.Id);
        Assert.True(s.SmsOptedIn);
        var carried = rows[^1];
        Assert.Equal((ConsentOptions.SmsMarketing, false, "staff on the phone", "manager@test.local", Now),
            (carried.Purpose, carried.Granted, carried.Source, carried.RecordedBy, carried.At));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task UndoingAMergeTakesTheCarriedOptOutsBackOffTheSurvivor(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        var rig = new MergeTestRig(database, _time);
        var data = new TestData(database.Factory, _time);
        var survivor = await data.CustomerAsync("Ann", "Lee", "+12127365001");
        var merged = await data.CustomerAsync("Anne", "Lee", "+12127365002");
        var consents = Consents(database);
        await consents.RecordAsync(survivor.Id, ConsentOptions.SmsService, true, "paper form", "staff@test.local", ct);
        await consents.RecordAsync(survivor.Id, ConsentOptions.SmsMarketing, true, "paper form", "staff@test.local", ct);
        _time.Advance(TimeSpan.FromDays(1));
        await using (var db = database.CreateDbContext())
            await SmsConsent.OptOutAsync(db, merged.Id, "sms:STOP", Now, dedupeKey: null, ct);
        var mergedRows = (await ReadAsync(database, merged.Id)).Rows.Select(r => (r.Id, r.Purpose, r.Granted, r.Source)).ToList();
        _time.Advance(TimeSpan.FromDays(1));
        var merge = await rig.MergeAsync(survivor.Id, merged.Id);
        Assert.Equal([false, false], new[] { (await StatesAsync(database, survivor.Id))[ConsentOptions.SmsService], (await StatesAsync(database, survivor.Id))[ConsentOptions.SmsMarketing] });
        _time.Advance(TimeSpan.FromDays(1));
        // Recorded for the survivor after the merge: the survivor's own, so it stays.
        await consents.RecordAsync(survivor.Id, ConsentOptions.EmailMarketing, true, "paper form", "staff@test.local", ct);

        await rig.Merges.UndoAsync(merge.MergeId, "manager@test.local", ct);

        // Each person's register is their own again: the survivor never said STOP, the merged record did.
        var states = await StatesAsync(database, survivor.Id);
        Assert.Equal((true, true, true), (states[ConsentOptions.SmsService], states[ConsentOptions.SmsMarketing], states[ConsentOptions.EmailMarketing]));
        var (s, rows) = await ReadAsync(database, survivor.Id);
        Assert.DoesNotContain(rows, r => r.Source == "sms:STOP");
        Assert.Equal(3, rows.Count);
        Assert.True(s.SmsOptedIn);
        Assert.Equal(mergedRows, (await ReadAsync(database, merged.Id)).Rows.Select(r => (r.Id, r.Purpose, r.Granted, r.Source)).ToList());
        var m = (await ReadAsync(database, merged.Id)).Customer;
        Assert.True(m.SmsOptedOut);
    }
}

internal static class CustomerTestExtensions
{
    public static Customer Also(this Customer customer, Action<Customer> change)
    {
        change(customer);
        return customer;
    }
}
