using CustomerAdmin.Data;
using CustomerAdmin.Features.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// One app for every page sweep (phone width, accessibility, screenshots): the demo data at a realistic size (300
/// customers with their tickets, sales, events, bookings, organisations and duplicate pairs) plus equipment with a
/// service history, which the demo does not seed. The sweeps share it through the <see cref="PageSweepCollection"/>.
/// </summary>
public sealed class SweepServer : IAsyncLifetime
{
    private sealed class DemoServer() : AppServer(demoCustomers: 300);

    public AppServer Server { get; } = new DemoServer();

    /// <summary>The records the pages with an id in their route show: the fullest of each kind, so a page is seen with data.</summary>
    public SweepIds Ids { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Server.InitializeAsync();
        Ids = await ArrangeAsync(TestContext.Current.CancellationToken);
    }

    private async Task<SweepIds> ArrangeAsync(CancellationToken ct)
    {
        var factory = Server.Services.GetRequiredService<IDbContextFactory<AppDbContext>>();
        await using var db = await factory.CreateDbContextAsync(ct);
        var customer = await db.Customers.AsNoTracking()
            .Where(c => c.Type == CustomerType.Individual && c.Status == CustomerStatus.Active
                && db.Bookings.Any(b => b.CustomerId == c.Id))
            .OrderByDescending(c => c.TicketCount).ThenBy(c => c.Id).FirstAsync(ct);
        var equipment = await EquipmentOperations.CreateAsync(factory, customer.Id,
            new Equipment { Type = "Laptop", Make = "Lenovo", Model = "ThinkPad T14 Gen 3", SerialNumber = "PF-3K2L9X-2024" }, TimeProvider.System, ct);
        foreach (var problem in new[] { "Does not charge", "Keyboard: some keys do not register", "Fan noise under load" })
            await TicketOperations.CreateAsync(factory, new TicketDraft { CustomerId = customer.Id, EquipmentId = equipment.Id, Item = "Laptop", Problem = problem },
                TimeProvider.System, ct: ct);
        var ticket = await db.Tickets.Where(t => t.CustomerId == customer.Id).OrderByDescending(t => t.Id).Select(t => t.Id).FirstAsync(ct);
        var sale = await db.Sales.OrderByDescending(s => s.Lines.Count).ThenBy(s => s.Id).Select(s => s.Id).FirstAsync(ct);
        var ev = await db.Events.OrderByDescending(e => e.Bookings.Count).ThenBy(e => e.Id).Select(e => e.Id).FirstAsync(ct);
        var organization = await db.Organizations.OrderByDescending(o => o.Customers.Count).ThenBy(o => o.Id).Select(o => o.Id).FirstAsync(ct);
        var pair = await db.DuplicatePairs.Where(p => p.State == DuplicatePairState.Open)
            .OrderByDescending(p => p.Score).ThenBy(p => p.Id).Select(p => p.Id).FirstAsync(ct);
        // A customer import's dry run with a report, for its run page: one row of each kind.
        var run = new ImportRun
        {
            Kind = ImportRunKind.Customers, DryRun = true, Source = "spreadsheet", OnMatch = ImportMatchMode.Fill, FileName = "customers.xlsx",
            FileHash = new string('0', 64), Status = ImportRunStatus.Completed, StartedAt = DateTime.UtcNow.AddMinutes(-5),
            FinishedAt = DateTime.UtcNow.AddMinutes(-4), StartedBy = "manager@customeradmin.local", RowsRead = 4, RowsTotal = 4,
            CustomersCreated = 1, CustomersUpdated = 1, CustomersUnchanged = 1, RowsSkipped = 1, RowsNeedingReview = 1,
        };
        db.ImportRuns.Add(run);
        await db.SaveChangesAsync(ct);
        db.ImportReportRows.AddRange(
            new ImportReportRow { ImportRunId = run.Id, Line = 2, ExternalReference = "C-1001", Action = ImportRowAction.Created, NeedsReview = true, Reason = "may be the same as customer " + customer.Id },
            new ImportReportRow { ImportRunId = run.Id, Line = 3, ExternalReference = "C-1002", Action = ImportRowAction.Updated, CustomerId = customer.Id, ChangedFields = "Email, City" },
            new ImportReportRow { ImportRunId = run.Id, Line = 4, ExternalReference = "C-1003", Action = ImportRowAction.Unchanged, CustomerId = customer.Id },
            new ImportReportRow { ImportRunId = run.Id, Line = 5, ExternalReference = "C-1004", Action = ImportRowAction.Skipped, Reason = "The phone 1.23457E+11 was turned into a number by Excel." });
        await db.SaveChangesAsync(ct);
        return new SweepIds(customer.Id, ticket, sale, ev, organization, equipment.Id, pair, run.Id);
    }

    public async ValueTask DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The page sweeps run one after another on one <see cref="SweepServer"/>: they would only slow each other down in parallel.</summary>
[CollectionDefinition(Name)]
public sealed class PageSweepCollection : ICollectionFixture<SweepServer>
{
    public const string Name = "Page sweeps";
}
