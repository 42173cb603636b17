using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Duplicates.Merging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Duplicates.Merging;

/// <summary>Two customers with a realistic history each, the merge operations over them, and a snapshot of everything they own.</summary>
public sealed class MergeTestRig(TestDatabase database, FakeTimeProvider time)
{
    public MergeOperations Merges { get; } = new(database.Factory, new CustomerOperations(database.Factory, new PhoneNormalizer("US"), time), time);

    public DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// A customer with <paramref name="tickets"/> tickets (a third closed), as many sales, timeline entries, SMS and
    /// devices, two documents and a legacy link, all written at once as the app would keep them.
    /// </summary>
    public async Task<Customer> CustomerWithHistoryAsync(string first, string last, string phone, int tickets, string? email = null,
        Action<Customer>? with = null)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = database.CreateDbContext();
        var data = new TestData.Batch(db);
        var c = TestCustomers.Individual(first, last, phone, email);
        c.CreatedAt = Now.AddDays(-400);
        with?.Invoke(c);
        db.Customers.Add(c);
        var run = new ImportRun { FileName = "legacy.csv", FileHash = "00", StartedAt = Now.AddDays(-300), Status = ImportRunStatus.Completed };
        db.ImportRuns.Add(run);
        var sequence = await db.Tickets.MaxAsync(t => (int?)t.Sequence, ct) ?? 0;
        for (var i = 0; i < tickets; i++)
        {
            var opened = Now.AddDays(-300 + i);
            var closed = i % 3 == 0;
            var s = ++sequence;
            db.Tickets.Add(new Ticket
            {
                Customer = c, Sequence = s, Number = Ticket.FormatNumber(s), Problem = $"Problem {i}", Status = closed ? TicketStatus.Closed : TicketStatus.Open,
                OpenedAt = opened, ClosedAt = closed ? opened.AddDays(2) : null, UpdatedAt = opened, FinalAmount = closed ? 10m + i : null,
            });
            data.Sale(c, opened.AddHours(3), 5m + i);
            db.Activities.Add(new Activity { Customer = c, Kind = ActivityKind.Note, NoteType = NoteType.General, Subject = $"Note {i}", Body = "b", OccurredAt = opened, CreatedAt = opened });
            data.Sms(c, SmsStatus.Sent, opened, opened);
            if (i % 10 == 0) db.Equipment.Add(new Equipment { Customer = c, Type = "Laptop", Make = "Acme", Model = $"M{i}" });
        }
        for (var d = 0; d < 2; d++)
        {
            db.Documents.Add(new CustomerDocument
            {
                Customer = c, Type = DocumentType.Other, FileName = $"doc{d}.pdf", StoredName = Guid.NewGuid().ToString("N"), ContentType = "application/pdf",
                Size = 10, Sha256 = new string('a', 64), UploadedAt = Now.AddDays(-d),
            });
        }
        await db.SaveChangesAsync(ct);
        db.LegacyCustomerLinks.Add(new LegacyCustomerLink { LegacyId = $"L-{c.Id}", CustomerId = c.Id, ImportRunId = run.Id });
        await db.SaveChangesAsync(ct);
        return c;
    }

    public async Task<Customer> ReloadAsync(int id)
    {
        await using var db = database.CreateDbContext();
        return await db.Customers.AsNoTracking().SingleAsync(c => c.Id == id, TestContext.Current.CancellationToken);
    }

    public async Task<MergeResult> MergeAsync(int survivorId, int mergedId, Func<MergeRequest, MergeRequest>? with = null, string actor = "manager@test.local")
    {
        var (s, m) = (await ReloadAsync(survivorId), await ReloadAsync(mergedId));
        var request = new MergeRequest(s.Id, m.Id, s.Version, m.Version);
        return await Merges.MergeAsync(with?.Invoke(request) ?? request, actor, TestContext.Current.CancellationToken);
    }

    /// <summary>
    /// Both customers' values (but the audit stamps and version) and every row that points at either of them, with its
    /// owner: what an undo must give back exactly.
    /// </summary>
    public async Task<Snapshot> SnapshotAsync(params int[] ids)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var db = database.CreateDbContext();
        var customers = await db.Customers.AsNoTracking().Where(c => ids.Contains(c.Id)).OrderBy(c => c.Id).ToListAsync(ct);
        var values = customers.Select(c => string.Join("|", CustomerHistory.Snapshot(c).Select(v => $"{v.Key}={v.Value}"))
            + $"|stats={c.TotalSpent}/{c.VisitCount}/{c.LastVisitAt:O}/{c.TicketCount}|sort={c.SortName}").ToList();
        var rows = new List<string>();
        rows.AddRange(await db.Tickets.Where(t => ids.Contains(t.CustomerId)).Select(t => "ticket " + t.Id + " " + t.CustomerId).ToListAsync(ct));
        rows.AddRange(await db.Sales.Where(t => ids.Contains(t.CustomerId)).Select(t => "sale " + t.Id + " " + t.CustomerId).ToListAsync(ct));
        rows.AddRange(await db.Equipment.Where(t => ids.Contains(t.CustomerId)).Select(t => "equipment " + t.Id + " " + t.CustomerId).ToListAsync(ct));
        rows.AddRange(await db.Documents.Where(t => ids.Contains(t.CustomerId)).Select(t => "document " + t.Id + " " + t.CustomerId).ToListAsync(ct));
        rows.AddRange(await db.LegacyCustomerLinks.Where(t => ids.Contains(t.CustomerId)).Select(t => "link " + t.LegacyId + " " + t.CustomerId).ToListAsync(ct));
        rows.AddRange(await db.Bookings.Where(t => ids.Contains(t.CustomerId)).Select(t => "booking " + t.Id + " " + t.CustomerId + " " + t.EventId + " " + t.Seats + " " + t.Notes).ToListAsync(ct));
        rows.AddRange(await db.SmsMessages.Where(t => ids.Contains(t.CustomerId))
            .Select(t => "sms " + t.Id + " " + t.CustomerId + " " + t.BookingId + " " + t.Status + " " + t.Kind).ToListAsync(ct));
        // The timeline entries a merge and its undo write (the merge itself, bookings made one, contact details changed)
        // are history: they stay.
        rows.AddRange(await db.Activities.Where(t => ids.Contains(t.CustomerId) && t.Kind != ActivityKind.Merged && t.Kind != ActivityKind.MergeUndone
                && t.Kind != ActivityKind.ContactChanged && !(t.Kind == ActivityKind.BookingChanged && t.Subject!.EndsWith(" merged")))
            .Select(t => "activity " + t.Id + " " + t.CustomerId + " t" + t.TicketId).ToListAsync(ct));
        var tokens = await db.CustomerSearchTokens.Where(t => ids.Contains(t.CustomerId)).Select(t => "token " + t.CustomerId + " " + t.Token).ToListAsync(ct);
        var pairs = await db.DuplicatePairs.Select(p => "pair " + p.Id + " " + p.CustomerAId + " " + p.CustomerBId + " " + p.State).ToListAsync(ct);
        return new Snapshot(values, rows.Order(StringComparer.Ordinal).ToList(), tokens.Order(StringComparer.Ordinal).ToList(), pairs.Order(StringComparer.Ordinal).ToList());
    }

    public sealed record Snapshot(List<string> Customers, List<string> Rows, List<string> Tokens, List<string> Pairs);
}
