using System.Data.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Dashboard;
using CustomerAdmin.Features.Tickets;
using Microsoft.EntityFrameworkCore;

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

    /// <summary>
    /// SQLite page cache for the import's connection (the default is 2 MB). A batch inserts all over the ticket,
    /// timeline and search-token indexes and looks its keys up in the legacy-key index; with the default cache it reads,
    /// spills and rewrites the same pages again and again. A fixed size, so memory stays flat however long the file is;
    /// given back when the run ends (<see cref="ResetCacheAsync"/>).
    /// </summary>
    private const string SqliteImportCache = "PRAGMA cache_size = -262144"; // 256 MB

    /// <summary>Only in WAL mode (see <see cref="BatchContextAsync"/>).</summary>
    private const string SqliteImportSync = "PRAGMA synchronous = NORMAL";

    /// <summary>
    /// Only in WAL mode: the import's connection copies the write-ahead log into the database when it passes 262,144
    /// pages (1 GB at SQLite's default page size) instead of 1,000. A batch rewrites most pages of the randomly keyed
    /// indexes (legacy keys, customer ids, tokens), so with the default every batch's pages were copied and the file
    /// synced at its commit; now a page rewritten by several batches is copied once (the commits' time before and after
    /// is in docs/benchmarks.md). The log file can grow to about that size during an import.
    /// </summary>
    private const string SqliteImportCheckpoint = "PRAGMA wal_autocheckpoint = 262144";

    private async Task WriteAsync(List<Planned> plan, ImportRun run, ImportReport report, string actor, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await BatchContextAsync(ct);
            db.Actor = actor;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var now = time.GetUtcNow().UtcDateTime;

            // A fresh copy per attempt, so a retried batch starts from clean stats.
            var created = new Dictionary<CustomerRef, Customer>();
            var visits = new Dictionary<int, VisitTotals>();
            foreach (var p in plan)
            {
                if (p.Customer.Id == 0 && !created.ContainsKey(p.Customer))
                {
                    var copy = p.Customer.Pending!.Copy();
                    copy.Id = 0;
                    created[p.Customer] = copy;
                }
                if (p.Row.Status != TicketStatus.Closed) continue;
                // New customers start with their stats; customers already in the database get theirs added in place.
                if (created.TryGetValue(p.Customer, out var owner)) CustomerStatsQuery.AddVisit(owner, p.Row.Amount!.Value, p.Row.CreatedAt);
                else
                {
                    if (!visits.TryGetValue(p.Customer.Id, out var v)) visits[p.Customer.Id] = v = new();
                    v.Add(p.Row.Amount!.Value, p.Row.CreatedAt);
                }
            }
            db.ImportRuns.Attach(run);
            CopyCounts(report, run);
            try
            {
                // First, so on PostgreSQL the ticket-number lock is held from here to the commit, as for a ticket
                // opened by staff (TicketOperations.CreateAsync): neither can take the other's numbers.
                var sequence = await TicketOperations.NextSequenceAsync(db, ct);
                await db.SaveChangesAsync(ct);
                report.Stages.Mark("batch start");
                var before = await DashboardSummary.LockAndReadAsync(db, plan.Select(p => p.Customer.Id), ct);
                report.Stages.Mark("dashboard summary before");

                // New customers get what AppDbContext gives a customer on its first save (audit stamps, the "(created)"
                // history row, the search tokens), written without change tracking, which would cost more than the
                // inserts themselves at hundreds of thousands of customers. Until they are written, they and their
                // tickets carry stand-in ids (negative: never a database id) for the dashboard summary's facts.
                var standIn = new Dictionary<Customer, int>(ReferenceEqualityComparer.Instance);
                foreach (var customer in created.Values)
                {
                    customer.SortName = CustomerSearchIndex.SortNameFor(customer);
                    CustomerHistoryKeeper.StampNew(customer, now, actor);
                    standIn[customer] = -(standIn.Count + 1);
                }
                var tickets = new List<Ticket>(plan.Count);
                foreach (var p in plan)
                    tickets.Add(NewTicket(p.Row, created.TryGetValue(p.Customer, out var c) ? standIn[c] : p.Customer.Id, sequence++, run.Id, now, actor));
                // What the batch moves in the summary is pure computation on facts: done on another core while the rows are written.
                var zone = db.Venue.Zone;
                var newCustomers = created.Values.Select(c => new DashboardContributions.CustomerFacts(standIn[c], c.CreatedAt, c.Type, c.Status, c.City)).ToList();
                var newTickets = tickets.Select(t => new DashboardContributions.TicketFacts(t.CustomerId, t.Status, t.OpenedAt, t.ClosedAt, t.FinalAmount)).ToList();
                var summary = Task.Run(() => DashboardContributions.AddedTo(before, newCustomers, newTickets, zone), ct);
                report.Stages.Mark("plan the rows");

                var newTokens = new List<CustomerSearchToken>();
                await using (var customers = new RowInserter<Customer>(db, returningId: true))
                await using (var changes = new RowInserter<CustomerChange>(db))
                {
                    foreach (var customer in created.Values)
                    {
                        customer.Id = (int)await customers.InsertReturningIdAsync(customer, ct);
                        foreach (var token in CustomerSearchIndex.TokensFor(customer))
                        {
                            token.CustomerId = customer.Id;
                            newTokens.Add(token);
                        }
                        foreach (var change in customer.Changes)
                        {
                            change.CustomerId = customer.Id;
                            await changes.AddAsync(change, ct);
                        }
                    }
                    await changes.FlushAsync(ct);
                }
                report.Stages.Mark("customers and history");
                // In the order of the token key: each index page is then filled in one go instead of being visited
                // (and, past the page cache, read again) once per token.
                await using (var tokens = new RowInserter<CustomerSearchToken>(db))
                {
                    foreach (var token in newTokens.OrderBy(t => t.Kind).ThenBy(t => t.Token, StringComparer.Ordinal).ThenBy(t => t.CustomerId))
                        await tokens.AddAsync(token, ct);
                    await tokens.FlushAsync(ct);
                }
                report.Stages.Mark("search tokens");
                await CustomerStatsQuery.AddVisitsAsync(db, visits, now, actor, ct);
                report.Stages.Mark("matched customers' stats");

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
                var added = await summary;
                report.Stages.Mark("wait for the dashboard summary");
                foreach (var (id, count) in added.TicketCounts.Where(c => c.Key < 0).ToList())
                {
                    added.TicketCounts.Remove(id);
                    added.TicketCounts[realIds[id]] = count;
                }
                await DashboardSummary.ApplyAddedAsync(db, added, ct);
                report.Stages.Mark("dashboard summary");
                await tx.CommitAsync(ct);
                report.Stages.Mark("commit");
            }
            catch (DbException ex) when (attempt < Attempts && TicketOperations.IsNumberClash(ex))
            {
                // Only on SQLite with another writer in between, which its single write lock rules out: redo the batch.
                continue;
            }
            foreach (var (r, c) in created)
            {
                r.Id = c.Id;
                r.Pending = null;
            }
            return;
        }
    }

    /// <summary>
    /// A context for one step of a batch; on SQLite its connection gets the import's page cache and, when the database
    /// is in WAL mode, <c>synchronous = NORMAL</c>.
    /// </summary>
    /// <remarks>
    /// The default (FULL) syncs the write-ahead log at every commit; NORMAL syncs it only when a checkpoint copies it
    /// into the database (less often during an import: <see cref="SqliteImportCheckpoint"/>). In WAL mode that is still
    /// crash-safe: a process or OS crash or a power cut leaves a consistent database holding whole batches, and can
    /// only lose the last committed batches, which the run's heartbeat and "run the same file again" (nothing is
    /// imported twice) already cover. In rollback-journal mode NORMAL could
    /// corrupt the file on a power cut, so there the default stays. These settings belong to the connection and leave
    /// with it at the end of the run (<see cref="ResetCacheAsync"/>).
    /// </remarks>
    private async Task<AppDbContext> BatchContextAsync(CancellationToken ct)
    {
        var db = await factory.CreateDbContextAsync(ct);
        if (db.Database.IsSqlite())
        {
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync(SqliteImportCache, ct);
            var connection = db.Database.GetDbConnection();
            await using var mode = connection.CreateCommand();
            mode.CommandText = "PRAGMA journal_mode";
            if (await mode.ExecuteScalarAsync(ct) is string journal && journal.Equals("wal", StringComparison.OrdinalIgnoreCase))
            {
                await db.Database.ExecuteSqlRawAsync(SqliteImportSync, ct);
                await db.Database.ExecuteSqlRawAsync(SqliteImportCheckpoint, ct);
            }
        }
        return db;
    }

    /// <summary>
    /// Gives the batches' page cache back. The connection they used is pooled, and which pooled connection (or pooled
    /// context) the next lease gets is not known, so a PRAGMA on "a" connection may miss it: the idle SQLite
    /// connections are closed instead (connections in use are discarded when they are returned).
    /// </summary>
    private async Task ResetCacheAsync()
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync();
            if (db.Database.GetDbConnection() is Microsoft.Data.Sqlite.SqliteConnection sqlite)
                Microsoft.Data.Sqlite.SqliteConnection.ClearPool(sqlite);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException)
        {
            // The database is unreachable: so is the connection, which will not be pooled.
        }
    }
}
