using System.Diagnostics;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Bulk;
using CustomerAdmin.Features.Sms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace CustomerAdmin.Tests.Features.Customers.Bulk;

/// <summary>Bulk changes on the customer list's selection, on both databases: preview, background run, history, delete guards.</summary>
public sealed class CustomerBulkOperationsTests(ITestOutputHelper output)
{
    private static readonly PhoneNormalizer Phones = new("US");

    private static CustomerBulkOperations Operations(TestDatabase database) =>
        new(database.Factory, Phones, TimeProvider.System, new CustomerAdmin.Features.Customers.Status.CustomerStatusOperations(database.Factory, TimeProvider.System),
            new StillRunning(), NullLogger<CustomerBulkOperations>.Instance);

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AddingATagToAllTenThousandMatchingCustomersChangesEachOnceWithItsHistory(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        // 10,000 in Boston (every 10th already tagged "vip" in other letters), 50 in Austin that the filter leaves out.
        await database.Data.ManyCustomersAsync(10_050, (i, c) =>
        {
            c.City = i < 10_000 ? "Boston" : "Austin";
            c.Tags = i % 10 == 0 && i < 10_000 ? "VIP,walk-in" : "walk-in";
        });
        var bulk = Operations(database);
        var selection = CustomerSelection.AllMatching(new CustomerListFilter { City = "Boston" });
        var action = BulkAction.AddTags(["vip"]);

        var clock = Stopwatch.StartNew();
        var preview = await bulk.PreviewAsync(selection, action, ct);
        output.WriteLine($"{provider}: preview of 10,000 in {clock.ElapsedMilliseconds} ms");
        Assert.Equal((10_000, 9_000, 1_000, 0), (preview.Selected, preview.WillChange, preview.Unchanged, preview.RefusedCount));

        clock.Restart();
        var job = await bulk.StartAsync(selection, action, "manager@test.local", ct);
        Assert.Equal(10_000, job.Total);
        await job.Completion.WaitAsync(TimeSpan.FromMinutes(3), ct);
        output.WriteLine($"{provider}: applied to 10,000 in {clock.ElapsedMilliseconds} ms");

        Assert.Equal(BulkJobState.Finished, job.State);
        Assert.Equal((9_000, 1_000, 0), (job.Changed, job.Unchanged, job.RefusedCount));
        Assert.Equal(100, job.Percent);
        await using var db = database.CreateDbContext();
        Assert.Equal(10_000, await db.Filtered(new CustomerListFilter { City = "Boston", Tag = "vip" }, Phones).CountAsync(ct));
        Assert.Equal(0, await db.Filtered(new CustomerListFilter { City = "Austin", Tag = "vip" }, Phones).CountAsync(ct));
        Assert.Equal("walk-in,vip", await db.Customers.Where(c => c.FirstName == "Bulk1").Select(c => c.Tags).SingleAsync(ct));
        Assert.Equal("VIP,walk-in", await db.Customers.Where(c => c.FirstName == "Bulk10").Select(c => c.Tags).SingleAsync(ct));
        // One history row per changed customer, by the user who started the change.
        var history = await db.CustomerChanges.Where(h => h.Field == nameof(Customer.Tags)).ToListAsync(ct);
        Assert.Equal(9_000, history.Count);
        Assert.Equal(9_000, history.Select(h => h.CustomerId).Distinct().Count());
        Assert.All(history, h => Assert.Equal(("walk-in", "walk-in,vip", "manager@test.local"), (h.OldValue, h.NewValue, h.ChangedBy)));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task RemovingATagFromTheRowsTickedChangesOnlyThoseThatHaveIt(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customers = await database.Data.ManyCustomersAsync(300, (i, c) => c.Tags = i % 2 == 0 ? "José,events" : "events");
        var ticked = customers.Take(200).Select(c => c.Id).ToList();
        var bulk = Operations(database);
        var action = BulkAction.RemoveTags(["jose"]);

        var preview = await bulk.PreviewAsync(CustomerSelection.Of(ticked), action, ct);
        var job = await bulk.StartAsync(CustomerSelection.Of(ticked), action, "staff@test.local", ct);
        await job.Completion.WaitAsync(TimeSpan.FromMinutes(1), ct);

        Assert.Equal((200, 100, 100), (preview.Selected, preview.WillChange, preview.Unchanged));
        Assert.Equal((100, 100), (job.Changed, job.Unchanged));
        await using var db = database.CreateDbContext();
        // Case and accents are ignored, as search ignores them; the customers not ticked keep theirs.
        Assert.Equal(50, await db.Filtered(new CustomerListFilter { Tag = "José" }, Phones).CountAsync(ct));
        Assert.Equal(300, await db.Filtered(new CustomerListFilter { Tag = "events" }, Phones).CountAsync(ct));
        Assert.Equal(100, await db.CustomerChanges.CountAsync(h => h.Field == nameof(Customer.Tags) && h.NewValue == "events", ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task DeletingRefusesTheCustomersSingleDeleteWouldRefuseAndSaysWhy(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var now = DateTime.UtcNow;
        Customer free, openTicket, booked, pastBooking;
        await using (var db = database.CreateDbContext())
        {
            var data = new TestData.Batch(db);
            free = data.Customer("Free", "Person", now.AddDays(-50), city: "Salem");
            openTicket = data.Customer("Open", "Ticket", now.AddDays(-50), city: "Salem");
            data.Ticket(openTicket, now.AddDays(-3));
            booked = data.Customer("Future", "Booking", now.AddDays(-50), city: "Salem");
            data.Booking(booked, data.Event("Gala", now.AddDays(10), 50), 2, now.AddDays(-1));
            pastBooking = data.Customer("Past", "Booking", now.AddDays(-50), city: "Salem");
            data.Booking(pastBooking, data.Event("Old show", now.AddDays(-10), 50), 2, now.AddDays(-20));
            data.Customer("Other", "Town", now.AddDays(-50), city: "Lynn");
            await db.SaveChangesAsync(ct);
        }
        var bulk = Operations(database);
        var selection = CustomerSelection.AllMatching(new CustomerListFilter { City = "Salem" });

        var preview = await bulk.PreviewAsync(selection, BulkAction.Delete(), ct);
        var job = await bulk.StartAsync(selection, BulkAction.Delete(), "manager@test.local", ct);
        await job.Completion.WaitAsync(TimeSpan.FromMinutes(1), ct);

        Assert.Equal((4, 2, 0, 2), (preview.Selected, preview.WillChange, preview.Unchanged, preview.RefusedCount));
        Assert.Equal((2, 2), (job.Changed, job.RefusedCount));
        var refused = job.Refused.OrderBy(r => r.CustomerId).ToList();
        Assert.Equal([openTicket.Id, booked.Id], refused.Select(r => r.CustomerId));
        Assert.Contains("a ticket is open: T-", refused[0].Reason);
        Assert.Contains("booked on an event to come: Gala", refused[1].Reason);
        Assert.Equal(refused, preview.Refused.OrderBy(r => r.CustomerId));
        await using var read = database.CreateDbContext();
        var statuses = await read.Customers.ToDictionaryAsync(c => c.Id, c => c.Status, ct);
        Assert.Equal(CustomerStatus.Deleted, statuses[free.Id]);
        Assert.Equal(CustomerStatus.Deleted, statuses[pastBooking.Id]);
        Assert.Equal(CustomerStatus.Active, statuses[openTicket.Id]);
        Assert.Equal(CustomerStatus.Active, statuses[booked.Id]);
        Assert.Equal(2, await read.CustomerChanges.CountAsync(h => h.Field == nameof(Customer.Status) && h.NewValue == nameof(CustomerStatus.Deleted), ct));
        // Deleted customers leave search: the filter now matches only the two refused.
        Assert.Equal(2, await read.Filtered(new CustomerListFilter { City = "Salem" }, Phones).CountAsync(ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task RenamingATagOntoAnotherMergesThemOnEveryCustomer(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await database.Data.ManyCustomersAsync(450, (i, c) => c.Tags = (i % 3) switch { 0 => "news,Walk In", 1 => "walk-in,news", _ => "other" });
        var bulk = Operations(database);
        var action = BulkAction.RenameTags(["Walk In"], "walk-in");

        var job = await bulk.StartAsync(CustomerSelection.Tagged(action.Tags), action, "admin@test.local", ct);
        await job.Completion.WaitAsync(TimeSpan.FromMinutes(1), ct);

        Assert.Equal((150, 150), (job.Total, job.Changed));
        await using var db = database.CreateDbContext();
        Assert.Equal(0, await db.Filtered(new CustomerListFilter { Tag = "walk in" }, Phones).CountAsync(ct));
        Assert.Equal(300, await db.Filtered(new CustomerListFilter { Tag = "walk-in" }, Phones).CountAsync(ct));
        Assert.Equal("news,walk-in", await db.Customers.Where(c => c.FirstName == "Bulk0").Select(c => c.Tags).SingleAsync(ct));
        Assert.Equal(150, await db.CustomerChanges.CountAsync(h => h.Field == nameof(Customer.Tags) && h.ChangedBy == "admin@test.local", ct));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task SettingTheStatusOfAllMatchingGoesThroughTheStatusOperationWithItsReason(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await database.Data.ManyCustomersAsync(1_000, (i, c) =>
        {
            c.City = i < 900 ? "Boston" : "Austin";
            if (i % 10 == 0) c.Status = CustomerStatus.Inactive;
        });
        var bulk = Operations(database);
        var selection = CustomerSelection.AllMatching(new CustomerListFilter { City = "Boston" });
        var action = BulkAction.SetStatus(CustomerStatus.Inactive, "  Moved away  ");

        var preview = await bulk.PreviewAsync(selection, action, ct);
        var job = await bulk.StartAsync(selection, action, "manager@test.local", ct);
        await job.Completion.WaitAsync(TimeSpan.FromMinutes(2), ct);

        Assert.Equal((900, 810, 90), (preview.Selected, preview.WillChange, preview.Unchanged));
        Assert.Equal((BulkJobState.Finished, 810, 90), (job.State, job.Changed, job.Unchanged));
        await using var db = database.CreateDbContext();
        Assert.Equal(900, await db.Customers.CountAsync(c => c.City == "Boston" && c.Status == CustomerStatus.Inactive, ct));
        Assert.Equal(90, await db.Customers.CountAsync(c => c.City == "Austin" && c.Status == CustomerStatus.Active, ct));
        var history = await db.CustomerChanges.Where(h => h.Field == nameof(Customer.Status)).ToListAsync(ct);
        Assert.Equal(810, history.Count);
        Assert.All(history, h => Assert.Equal(("Moved away", "manager@test.local"), (h.Reason, h.ChangedBy)));
        await Assert.ThrowsAsync<RuleViolationException>(() => bulk.PreviewAsync(selection, BulkAction.SetStatus(CustomerStatus.Blocked, " "), ct));
    }

    [Fact]
    public async Task ASecondChangeWaitsForTheUsersFirstAndBadTagsAreRefusedAtTheField()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: ct);
        await database.Data.ManyCustomersAsync(2_000);
        var bulk = Operations(database);
        var all = CustomerSelection.AllMatching(new CustomerListFilter());

        var first = await bulk.StartAsync(all, BulkAction.AddTags(["a"]), "ann", ct);
        var refused = await Assert.ThrowsAsync<RuleViolationException>(() => bulk.StartAsync(all, BulkAction.AddTags(["b"]), "ann", ct));
        await first.Completion.WaitAsync(TimeSpan.FromMinutes(1), ct);

        Assert.Contains("still running", refused.Message);
        Assert.Same(first, bulk.LatestJobOf("ann"));
        Assert.Equal(nameof(BulkAction.Tags), (await Assert.ThrowsAsync<RuleViolationException>(() =>
            bulk.PreviewAsync(all, BulkAction.AddTags([" , "]), ct))).Field);
        Assert.Equal(nameof(BulkAction.Tags), (await Assert.ThrowsAsync<RuleViolationException>(() =>
            bulk.PreviewAsync(all, BulkAction.AddTags([new string('x', BulkAction.TagMax + 1)]), ct))).Field);
    }
}
