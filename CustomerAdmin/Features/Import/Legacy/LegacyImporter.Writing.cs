using System.Data.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Dashboard;
using CustomerAdmin.Features.Duplicates.Scanning;
using CustomerAdmin.Features.Operations.Observability;
using CustomerAdmin.Features.Tickets;
using Microsoft.EntityFrameworkCore;

using CustomerAdmin.Data.Sql;
namespace CustomerAdmin.Features.Import.Legacy;

public sealed partial class LegacyImporter
{
    private const int Attempts = 5;

    private static Ticket NewTicket(LegacyRow r, int customerId, int sequence, int runId, DateTime now, string actor)
    {
        var closed = r.Status == TicketStatus.Closed;
        return new Ticket
        {
            Sequence = sequence, Number = Ticket.FormatNumber(sequence), CustomerId = customerId,
            Item = r.Item, Problem = r.Problem, Status = r.Status, Priority = TicketPriority.Normal,
            QuotedAmount = closed ? null : r.Amount, FinalAmount = closed ? r.Amount : null,
            OpenedAt = r.CreatedAt, ClosedAt = TicketWorkflow.IsActive(r.Status) ? null : r.CreatedAt,
            CreatedBy = actor, UpdatedAt = now, UpdatedBy = actor, Version = 1,
            ImportRunId = runId, LegacyKey = r.LegacyKey,
        };
    }

    private async Task WriteAsync(List<Planned> plan, ImportRun run, ImportReport report, string actor, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await BatchContextAsync(ct);
            db.Actor = actor;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = time.GetUtcNow().UtcDateTime;

            // A fresh copy per attempt, so a retried batch starts from a clean customer.
            var created = new Dictionary<CustomerRef, Customer>();
            foreach (var p in plan)
            {
                if (p.Customer.Id == 0 && !created.ContainsKey(p.Customer))
                {
                    var copy = p.Customer.Pending!.Copy();
                    copy.Id = 0;
                    created[p.Customer] = copy;
                }
            }
            // A customer the file creates was first seen on the earliest of their tickets in it, not on the import's day.
            foreach (var p in plan)
            {
                if (created.TryGetValue(p.Customer, out var c) && (c.FirstSeenAt == default || p.Row.CreatedAt < c.FirstSeenAt))
                    c.FirstSeenAt = p.Row.CreatedAt;
            }
            // A customer an earlier batch of this run created may have an earlier ticket in this one.
            var earlier = plan.Where(p => p.Customer.Id > 0 && p.Row.CreatedAt < p.Customer.FirstSeenInRun)
                .GroupBy(p => p.Customer).ToDictionary(g => g.Key, g => g.Min(p => p.Row.CreatedAt));
            db.ImportRuns.Attach(run);
            CopyCounts(report, run);
            try
            {
                // First, so on PostgreSQL the ticket-number lock is held from here to the commit, as for a ticket
                // opened by staff (TicketOperations.CreateAsync): neither can take the other's numbers.
                var sequence = await TicketOperations.NextSequenceAsync(db, ct);
                await db.SaveChangesAsync(ct);
                report.Stages.Mark("batch start");
                if (earlier.Count > 0)
                {
                    // All the batch's existing customers at once, in id order, before the first of them changes: the
                    // summary below locks them all, and a second round could take an id below one this move holds,
                    // against another writer's id order (a deadlock).
                    await db.Sql().LockRowsAsync<Customer>(db, plan.Select(p => p.Customer.Id).Where(id => id > 0).ToList(), RowLock.Values, ct);
                    await MoveFirstSeenBackAsync(db, earlier, ct);
                }
                var summary = await DashboardSummaryKeeper.BeginAddingAsync(db, plan.Select(p => p.Customer.Id), ct);
                report.Stages.Mark("dashboard summary before");

                // New customers get what a first save gives a customer (audit stamps, the "(created)" history row, the
                // sort name and search tokens), from the keepers' bulk entry points: written without change tracking,
                // which would cost more than the inserts themselves at hundreds of thousands of customers. Until they
                // are written, they and their tickets carry stand-in ids (negative: never a database id) for the
                // dashboard summary's facts.
                var standIn = new Dictionary<Customer, int>(ReferenceEqualityComparer.Instance);
                foreach (var customer in created.Values)
                {
                    SearchIndexKeeper.PrepareNew(customer);
                    CustomerHistoryKeeper.StampNew(customer, now, actor);
                    standIn[customer] = -(standIn.Count + 1);
                }
                var tickets = new List<Ticket>(plan.Count);
                foreach (var p in plan)
                    tickets.Add(NewTicket(p.Row, created.TryGetValue(p.Customer, out var c) ? standIn[c] : p.Customer.Id, sequence++, run.Id, now, actor));
                // What the batch moves in the summary is pure computation on facts: done on another core while the rows are written.
                summary.Start(
                    created.Values.Select(c => new DashboardContributions.CustomerFacts(standIn[c], c.FirstSeenAt, c.Type, c.Status, c.City)).ToList(),
                    tickets.Select(t => new DashboardContributions.TicketFacts(t.CustomerId, t.Status, t.OpenedAt, t.ClosedAt, t.FinalAmount)).ToList(), ct);
                report.Stages.Mark("plan the rows");

                await using (var customers = new RowInserter<Customer>(db, returningId: true))
                {
                    foreach (var customer in created.Values)
                        customer.Id = (int)await customers.InsertReturningIdAsync(customer, ct);
                }
                await CustomerHistoryKeeper.AddNewAsync(db, created.Values, ct);
                report.Stages.Mark("customers and history");
                await SearchIndexKeeper.AddNewAsync(db, created.Values, ct);
                report.Stages.Mark("search tokens");
                // Tickets, their timeline entries and the links are most of the rows: RowInserter (one prepared row per
                // statement on SQLite, multi-row on PostgreSQL) in the same transaction, with columns and value
                // conversions taken from the EF model (cents on SQLite, enum names).
                var realIds = created.Values.ToDictionary(c => standIn[c], c => c.Id);
                await using (var inserter = new RowInserter<Ticket>(db))
                {
                    foreach (var ticket in tickets)
                    {
                        if (ticket.CustomerId < 0) ticket.CustomerId = realIds[ticket.CustomerId];
                        await inserter.AddAsync(ticket, ct);
                    }
                    await inserter.FlushAsync(ct);
                }
                report.Stages.Mark("tickets");
                // The keeper's own recount, as for a ticket saved by staff: matched customers' stats move with a new
                // version; new ones are counted without one, their creation being their stamp.
                var save = new SaveInfo(now, actor);
                await CustomerStatsKeeper.RecountAsync(db, plan.Select(p => p.Customer.Id).Where(id => id > 0).ToList(), save, ct);
                await CustomerStatsKeeper.RecountAsync(db, realIds.Values, null, ct);
                report.Stages.Mark("customers' stats");
                // The numbers are ours until the commit (the lock above; SQLite's single writer): read the ids back by them.
                var first = tickets[0].Sequence;
                var ids = await db.Tickets.Where(t => t.Sequence >= first && t.Sequence < sequence)
                    .Select(t => new { t.Sequence, t.Id }).ToDictionaryAsync(t => t.Sequence, t => t.Id, ct);
                foreach (var ticket in tickets) ticket.Id = ids[ticket.Sequence];
                report.Stages.Mark("ticket ids read back");
                await using (var entries = new RowInserter<CustomerAdmin.Data.Activity>(db))
                {
                    // By customer and date, as the timeline's indexes are keyed (the sort is stable: a ticket's "opened"
                    // keeps the lower id, so it stays below its "closed" of the same moment).
                    foreach (var entry in tickets.SelectMany(t => TicketTimeline.ForImported(t, now, actor)).OrderBy(a => a.CustomerId).ThenBy(a => a.OccurredAt))
                        await entries.AddAsync(entry, ct);
                    await entries.FlushAsync(ct);
                }
                report.Stages.Mark("timeline entries");
                await using (var links = new RowInserter<LegacyCustomerLink>(db))
                {
                    foreach (var p in plan.Where(p => p.NewLink))
                    {
                        await links.AddAsync(new LegacyCustomerLink
                        {
                            LegacyId = p.Row.LegacyCustomerId, ImportRunId = run.Id,
                            CustomerId = created.TryGetValue(p.Customer, out var c) ? c.Id : p.Customer.Id,
                        }, ct);
                    }
                    await links.FlushAsync(ct);
                }
                report.Stages.Mark("legacy links");
                // New customers are checked for duplicates in the background (the import does not wait for matching).
                await DuplicateChecks.QueueAsync(db, realIds.Values, now, ct);
                report.Stages.Mark("duplicate check queue");
                await summary.ApplyAsync(db, realIds, ct);
                report.Stages.Mark("dashboard summary");
                await tx.CommitAsync(ct);
                report.Stages.Mark("commit");
                AppMetrics.ImportRows.Add(plan.Count, AppMetrics.Tag("import", "legacy-tickets"));
            }
            catch (DbException ex) when (attempt < Attempts && TicketOperations.IsNumberClash(db, ex))
            {
                // Only on SQLite with another writer in between, which its single write lock rules out: redo the batch.
                continue;
            }
            foreach (var (r, c) in created)
            {
                r.Id = c.Id;
                r.Pending = null;
                r.FirstSeenInRun = c.FirstSeenAt;
            }
            foreach (var (r, firstSeen) in earlier) r.FirstSeenInRun = firstSeen;
            return;
        }
    }

    /// <summary>
    /// Moves the first-seen date of customers this run created in an earlier batch back to an earlier ticket of this one,
    /// with the dashboard's new-customer figures moved with it. (Undoing the run deletes these customers, so there is
    /// nothing to restore. A customer who existed before the run keeps the date it had.)
    /// </summary>
    private static async Task MoveFirstSeenBackAsync(AppDbContext db, Dictionary<CustomerRef, DateTime> earlier, CancellationToken ct)
    {
        var summary = await DashboardSummaryKeeper.BeginChangeAsync(db, earlier.Keys.Select(r => r.Id), ct);
        foreach (var (r, firstSeen) in earlier)
            await db.Customers.Where(c => c.Id == r.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.FirstSeenAt, firstSeen), ct);
        await DashboardSummaryKeeper.CompleteChangeAsync(db, summary, ct);
    }

    /// <summary>
    /// A context for one batch, its connection set up for bulk writes (on SQLite a large page cache and, in WAL mode,
    /// fewer syncs and checkpoints: see <see cref="SqliteDialect"/>).
    /// </summary>
    private async Task<AppDbContext> BatchContextAsync(CancellationToken ct)
    {
        var db = await factory.CreateDbContextAsync(ct);
        await db.Sql().BeginBulkWritesAsync(db, ct);
        return db;
    }
}
