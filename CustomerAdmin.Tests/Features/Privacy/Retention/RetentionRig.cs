using System.Text;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Privacy.Retention;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Tests.Features.Privacy.Retention;

/// <summary>
/// Hundreds of customers for the retention policies: <see cref="Old"/> of them last active four years ago, the rest
/// today. Of the old ones, every tenth has an open ticket and every tenth a booking on an event to come (the erasure
/// refuses both), every tenth a timeline entry today and every tenth an SMS today (so not inactive). Each customer has an
/// SMS sent 400 days ago (the old ones four years ago, with a reply received then and a message still waiting); some have documents.
/// </summary>
public sealed class RetentionRig(TestDatabase database, PrivacyRig privacy)
{
    public const int Count = 300;
    public const int Old = 200;
    public static readonly DateTime Now = DateTime.UtcNow;
    public static readonly DateTime LongAgo = Now.AddYears(-4);

    public List<Customer> Customers { get; private set; } = [];
    public List<int> DocumentIds { get; } = [];

    public static bool IsOld(int i) => i < Old;
    public static bool HasOpenTicket(int i) => IsOld(i) && i % 10 == 0;
    public static bool HasFutureBooking(int i) => IsOld(i) && i % 10 == 1;
    public static bool ActiveOnTimeline(int i) => IsOld(i) && i % 10 == 2;
    public static bool ActiveBySms(int i) => IsOld(i) && i % 10 == 3;
    public static bool Refused(int i) => HasOpenTicket(i) || HasFutureBooking(i);
    public static bool Anonymised(int i) => IsOld(i) && !Refused(i) && !ActiveOnTimeline(i) && !ActiveBySms(i);
    public static bool HasDocument(int i) => i % 25 == 4;

    public RetentionOperations Operations(int batchSize = 50) => new(database.Factory, privacy.Erasures, privacy.Documents,
        Options.Create(new RetentionOptions { BatchSize = batchSize }), TimeProvider.System, NullLogger<RetentionOperations>.Instance);

    public async Task ArrangeAsync(CancellationToken ct)
    {
        Customers = await database.Data.ManyCustomersAsync(Count);
        var ev = await database.Data.EventAsync("Spring gala", Now.AddDays(30), 500);
        await using (var db = database.CreateDbContext())
        {
            var sequence = 0;
            for (var i = 0; i < Count; i++)
            {
                var c = Customers[i];
                if (HasOpenTicket(i))
                {
                    sequence++;
                    db.Tickets.Add(new Ticket
                    {
                        CustomerId = c.Id, Sequence = sequence, Number = Ticket.FormatNumber(sequence), Problem = "Cracked screen",
                        Status = TicketStatus.WaitingForParts, OpenedAt = LongAgo, UpdatedAt = LongAgo,
                    });
                }
                if (HasFutureBooking(i))
                    db.Bookings.Add(new Booking { CustomerId = c.Id, EventId = ev.Id, Seats = 1, CreatedAt = LongAgo, UpdatedAt = LongAgo, Version = 1 });
                if (ActiveOnTimeline(i))
                    db.Activities.Add(new Activity { CustomerId = c.Id, Kind = ActivityKind.Call, Subject = "Asked about a repair", OccurredAt = Now, CreatedAt = Now });
                if (ActiveBySms(i)) db.SmsMessages.Add(Sms(c, SmsStatus.Delivered, Now, "Your repair is ready"));
                db.SmsMessages.Add(Sms(c, SmsStatus.Delivered, IsOld(i) ? LongAgo : Now.AddDays(-400), $"Hello {c.FirstName}, see you on Friday"));
                if (IsOld(i))
                {
                    db.SmsMessages.Add(Sms(c, SmsStatus.Pending, LongAgo, "Still waiting to go"));
                    db.Activities.Add(new Activity
                    {
                        CustomerId = c.Id, Kind = ActivityKind.SmsReply, Subject = "SMS reply", Body = $"Thanks, {c.FirstName} here",
                        OccurredAt = LongAgo, CreatedAt = LongAgo,
                    });
                }
            }
            await db.SaveChangesAsync(ct);
        }
        for (var i = 0; i < Count; i++)
            if (HasDocument(i))
            {
                var pdf = Encoding.ASCII.GetBytes($"%PDF-1.4\n% Contract of {Customers[i].FirstName}\n%%EOF\n");
                var stored = await privacy.Documents.SaveAsync(Customers[i].Id, new MemoryStream(pdf), "contract.pdf", DocumentType.Contract, "staff@test.local", ct);
                DocumentIds.Add(stored.Document.Id);
            }

        // Last: the saves above stamped the records and their derived figures with today.
        var old = Customers.Where((_, i) => IsOld(i)).Select(c => c.Id).ToList();
        await using (var db = database.CreateDbContext())
        {
            await db.Customers.Where(c => old.Contains(c.Id)).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.UpdatedAt, LongAgo).SetProperty(c => c.LastVisitAt, LongAgo), ct);
            await db.Documents.Where(d => old.Contains(d.CustomerId)).ExecuteUpdateAsync(s => s.SetProperty(d => d.UploadedAt, LongAgo), ct);
        }
    }

    private static SmsMessage Sms(Customer c, SmsStatus status, DateTime at, string body) => new()
    {
        CustomerId = c.Id, Kind = SmsKind.Manual, To = c.PrimaryPhone, Body = body, Status = status, CreatedAt = at, NextAttemptAt = at, UpdatedAt = at,
    };

    public static RetentionPolicy AllOn() => new()
    {
        AnonymiseInactive = true, InactiveMonths = 36, ClearSmsBodies = true, SmsBodyDays = 365, DeleteDocuments = true, DocumentMonths = 24,
    };

    /// <summary>What the arrangement says each policy touches, counted by hand.</summary>
    public static RetentionPreview Expected => new(
        Anonymise: Enumerable.Range(0, Count).Count(Anonymised),
        Refused: Enumerable.Range(0, Count).Count(Refused),
        // Every customer's old delivered message, and the old customers' old replies; never the waiting ones.
        SmsBodies: Count + Old,
        Documents: Enumerable.Range(0, Count).Count(i => HasDocument(i) && IsOld(i) && !ActiveOnTimeline(i) && !ActiveBySms(i)));
}
