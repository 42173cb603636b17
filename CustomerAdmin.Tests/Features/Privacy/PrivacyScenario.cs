using System.Reflection;
using System.Text;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Documents;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Privacy;

/// <summary>
/// One person with rows in every table that holds customer data (a record merged into theirs, an edited phone with its
/// history, tickets, equipment, sales, a past booking, 120 SMS, 60 timeline entries, an SMS reply, a document, an import
/// report row, an external reference, a review pair), among 200 other customers with tickets and sales of their own.
/// Their name, phones and email are unusual enough that finding one anywhere means it was left behind.
/// </summary>
public sealed record PrivacyScenario(int CustomerId, int MergedId, int DocumentId, string DocumentFile, byte[] DocumentContent)
{
    public const string First = "Zelphine", Last = "Quarrington", Email = "zelphine.q@example.org";
    public const string Phone = "+12125550187", OldPhone = "+12125550143", MergedPhone = "+12125550166";

    /// <summary>What a search of the stored data looks for, lower-case (phones as their digits, as every format stores them).</summary>
    public static readonly string[] Needles = ["zelphine", "quarrington", "2125550187", "2125550143", "2125550166"];

    public const int Sms = 120, Notes = 60, Others = 200;

    public static async Task<PrivacyScenario> CreateAsync(IDbContextFactory<AppDbContext> factory, DocumentOperations documents,
        DateTime now, CancellationToken ct)
    {
        var day = now.Date.AddDays(-100);
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            var data = new TestData.Batch(db);
            for (var i = 0; i < Others; i++)
            {
                var other = data.Customer("Other", $"Person{i:D3}", day.AddMinutes(i), city: i % 2 == 0 ? "Boston" : "Denver");
                data.Ticket(other, day.AddDays(1), TicketStatus.Closed, day.AddDays(2), 10m + i);
                data.Sale(other, day.AddDays(3), 5m + i);
            }
            await db.SaveChangesAsync(ct);
        }

        int id, mergedId, otherId;
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            var person = TestCustomers.Individual(First, Last, OldPhone, Email);
            person.AddressLine1 = $"12 {Last} Lane";
            person.Notes = $"{First} prefers mornings";
            person.CreatedAt = day;
            db.Customers.Add(person);
            await db.SaveChangesAsync(ct);
            id = person.Id;
            // A phone changed later: the old one lives on in the field history and the timeline's "contact details changed".
            person.PrimaryPhone = Phone;
            await db.SaveChangesAsync(ct);

            var merged = TestCustomers.Individual(First, $"{Last}-Old", MergedPhone);
            db.Customers.Add(merged);
            await db.SaveChangesAsync(ct);
            mergedId = merged.Id;
            otherId = await db.Customers.Where(c => c.Id != id && c.Id != mergedId).Select(c => c.Id).FirstAsync(ct);
        }
        await using (var db = await factory.CreateDbContextAsync(ct))
        {
            await db.Customers.Where(c => c.Id == mergedId).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Status, CustomerStatus.Merged).SetProperty(c => c.MergedIntoId, id), ct);
            db.CustomerMerges.Add(new CustomerMerge
            {
                SurvivorId = id, MergedId = mergedId, MergedAt = now.AddDays(-3), MergedBy = "manager@test.local",
                MergedBefore = $$"""{"FirstName":"{{First}}","PrimaryPhone":"{{MergedPhone}}"}""",
                SurvivorBefore = $$"""{"LastName":"{{Last}}"}""", SurvivorAfter = $$"""{"LastName":"{{Last}}"}""",
            });
            var data = new TestData.Batch(db);
            var person = await db.Customers.FirstAsync(c => c.Id == id, ct);
            for (var i = 0; i < 3; i++)
            {
                var ticket = data.Ticket(person, day.AddDays(10 + i), TicketStatus.Closed, day.AddDays(11 + i), 100m + i);
                // After the other customers' tickets, which another batch numbered.
                (ticket.Sequence, ticket.Number, ticket.Problem) = (Others + 1 + i, Ticket.FormatNumber(Others + 1 + i), $"{First}'s phone cracked; call {Phone}");
            }
            db.Equipment.Add(new Equipment { Customer = person, Type = "Phone", Make = "Acme", SerialNumber = "ZQ-SERIAL-0187", Notes = $"Belongs to {First}", CreatedAt = day });
            data.Sale(person, day.AddDays(20), 49.90m).Lines.Add(new SaleLine { Description = "Screen protector", UnitPrice = 49.90m, LineTotal = 49.90m });
            data.Sale(person, day.AddDays(30), 12.50m).Lines.Add(new SaleLine { Description = "Cable", UnitPrice = 12.50m, LineTotal = 12.50m });
            var concert = data.Event("Autumn concert", now.AddDays(-7), 100);
            data.Booking(person, concert, 2, day.AddDays(40)).Notes = $"{First} brings a guest";
            for (var i = 0; i < Sms; i++)
            {
                var sms = data.Sms(person, (i % 3) switch { 0 => SmsStatus.Sent, 1 => SmsStatus.Delivered, _ => SmsStatus.Failed },
                    day.AddHours(i), day.AddHours(i));
                sms.Body = $"Hi {First}, your booking #{i} is confirmed.";
                if (sms.Status == SmsStatus.Failed) sms.ErrorMessage = $"The 'To' number {Phone} is not reachable";
            }
            for (var i = 0; i < Notes; i++)
                db.Activities.Add(new Activity
                {
                    Customer = person, Kind = ActivityKind.Call, Subject = $"Called {First} {Last}", Body = $"On {Phone}: note {i}",
                    OccurredAt = day.AddHours(i), CreatedAt = day.AddHours(i), CreatedBy = "staff@test.local",
                });
            db.Activities.Add(new Activity
            {
                Customer = person, Kind = ActivityKind.SmsReply, Subject = "SMS reply", Body = $"Thanks, {First} here",
                OccurredAt = now.AddDays(-1), CreatedAt = now.AddDays(-1), CreatedBy = "sms:SM123",
            });
            var run = new ImportRun
            {
                Kind = ImportRunKind.Customers, FileName = "shop.csv", FileHash = new string('0', 64), Status = ImportRunStatus.Completed,
                StartedAt = now.AddDays(-50), Source = "shop",
            };
            db.ImportRuns.Add(run);
            await db.SaveChangesAsync(ct);
            db.LegacyCustomerLinks.Add(new LegacyCustomerLink { Source = "shop", LegacyId = "SHOP-4411", CustomerId = id, ImportRunId = run.Id });
            db.ImportReportRows.Add(new ImportReportRow
            {
                ImportRunId = run.Id, Line = 7, ExternalReference = "SHOP-4411", Action = ImportRowAction.Updated, CustomerId = id,
                Reason = $"matched {First} {Last} by phone", ChangedFields = "Email",
                Before = """{"Email":null}""", After = $$"""{"Email":"{{Email}}"}""",
            });
            await db.SaveChangesAsync(ct);
        }
        await new TestData(factory).DuplicatePairAsync(id, otherId, reasons: "same city; names sound alike");

        var pdf = Encoding.ASCII.GetBytes($"%PDF-1.4\n% Contract of {First} {Last}, {Phone}, {Email}\n%%EOF\n");
        var stored = await documents.SaveAsync(id, new MemoryStream(pdf), $"{First} {Last} contract.pdf", DocumentType.Contract, "staff@test.local", ct);
        return new PrivacyScenario(id, mergedId, stored.Document.Id, documents.PathOf(stored.Document), pdf);
    }

    /// <summary>Every text value of every table in the model that holds one of the <see cref="Needles"/>, as "Table.Column: value".</summary>
    public static async Task<List<string>> FindAsync(IDbContextFactory<AppDbContext> factory, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var found = new List<string>();
        foreach (var entity in db.Model.GetEntityTypes().Where(e => !e.IsOwned() && !e.HasSharedClrType && e.ClrType.IsClass))
        {
            var texts = entity.GetProperties().Where(p => p.ClrType == typeof(string) && p.PropertyInfo is not null).ToList();
            if (texts.Count == 0) continue;
            var rows = await (Task<List<object>>)typeof(PrivacyScenario).GetMethod(nameof(AllAsync), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(entity.ClrType).Invoke(null, [db, ct])!;
            foreach (var row in rows)
                foreach (var text in texts)
                    if (text.PropertyInfo!.GetValue(row) is string value && Needles.Any(n => value.Contains(n, StringComparison.OrdinalIgnoreCase)))
                        found.Add($"{entity.GetTableName()}.{text.Name}: {value}");
        }
        return found;
    }

    private static async Task<List<object>> AllAsync<T>(AppDbContext db, CancellationToken ct) where T : class =>
        (await db.Set<T>().AsNoTracking().ToListAsync(ct)).Cast<object>().ToList();

    /// <summary>The needles found in a file's bytes (ASCII case folded); the file is read while the app has it open.</summary>
    public static List<string> FindInFile(string path)
    {
        if (!File.Exists(path)) return [];
        byte[] bytes;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            bytes = new byte[file.Length];
            file.ReadExactly(bytes);
        }
        for (var i = 0; i < bytes.Length; i++)
            if (bytes[i] is >= (byte)'A' and <= (byte)'Z') bytes[i] = (byte)(bytes[i] + 32);
        return Needles.Where(n => bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes(n)) >= 0).Select(n => $"{Path.GetFileName(path)}: {n}").ToList();
    }
}
