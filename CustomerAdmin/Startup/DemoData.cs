using Bogus;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;
using CustomerAdmin.Features.Tickets;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Startup;

/// <summary>
/// The deterministic demo set: the same customers on every machine (fixed seed, fixed dates), across every
/// type, status and tier and a dozen cities, so a newcomer sees a realistic list at first start.
/// </summary>
public sealed class DemoData(IDbContextFactory<AppDbContext> dbFactory, PhoneNormalizer phones, TimeProvider? time = null)
{
    public const int Seed = 20261123;
    /// <summary>
    /// The demo's history spans the 700 days before the day it is seeded, so a fresh demo's dashboard has this
    /// month's figures (a fixed calendar would leave "this month" empty a year later). Same day, same data.
    /// </summary>
    private const int HistoryDays = 700;

    private static readonly (string City, string State, string Area)[] Cities =
    [
        ("New York", "NY", "212"), ("Los Angeles", "CA", "213"), ("Chicago", "IL", "312"), ("Houston", "TX", "713"),
        ("Phoenix", "AZ", "602"), ("Philadelphia", "PA", "215"), ("San Antonio", "TX", "210"), ("San Diego", "CA", "619"),
        ("Dallas", "TX", "214"), ("Austin", "TX", "512"), ("Seattle", "WA", "206"), ("Boston", "MA", "617"),
    ];

    private static readonly string[] Tags = ["wholesale", "walk-in", "referral", "newsletter", "late-payer", "events"];
    private static readonly string[] Languages = ["en", "en", "en", "es", "fr", "de"];

    public async Task<int> SeedAsync(int count, CancellationToken ct = default)
    {
        var faker = new Faker("en") { Random = new Randomizer(Seed) };
        var today = (time ?? TimeProvider.System).GetUtcNow().UtcDateTime.Date;
        var epoch = today.AddDays(-HistoryDays);
        var organizations = Enumerable.Range(0, 8).Select(i => new Organization
        {
            Name = faker.PickRandom("Mercy", "Riverside", "Summit", "Northwind", "Harbor", "Valley") + " " +
                   faker.PickRandom("Health Group", "Dealer Network", "Care Partners", "Diagnostics"),
            Phone = NextPhone(faker, Cities[i % Cities.Length].Area, []),
            City = Cities[i % Cities.Length].City,
            CreatedAt = epoch,
        }).DistinctBy(o => o.Name).ToList();

        var used = new HashSet<string>();
        var customers = new List<Customer>(count);
        var types = Enum.GetValues<CustomerType>();
        // Merged records come only from a merge (they point at their survivor).
        var statuses = Enum.GetValues<CustomerStatus>().Where(s => s != CustomerStatus.Merged).ToArray();
        var tiers = Enum.GetValues<CustomerTier>();
        for (var i = 0; i < count; i++)
        {
            var (city, state, area) = Cities[i % Cities.Length];
            // Two thirds individuals; every other type, status and tier turns up many times.
            var type = i % 3 != 0 ? CustomerType.Individual : types[1 + i / 3 % (types.Length - 1)];
            var c = new Customer
            {
                Type = type,
                Status = i % 10 == 9 ? statuses[1 + i / 10 % (statuses.Length - 1)] : CustomerStatus.Active,
                Tier = i % 7 == 0 ? CustomerTier.Vip : i % 4 == 0 ? CustomerTier.Premium : CustomerTier.Standard,
                City = city, State = state, Country = "US",
                AddressLine1 = faker.Address.StreetAddress(),
                PostalCode = faker.Address.ZipCode("#####"),
                PreferredLanguage = faker.PickRandom(Languages),
                PreferredContactMethod = faker.PickRandom<ContactMethod>(),
                CreatedAt = epoch.AddDays(faker.Random.Double(0, HistoryDays - 10)),
                CreatedBy = "demo",
            };
            if (type == CustomerType.Individual)
            {
                c.FirstName = faker.Name.FirstName();
                c.LastName = faker.Name.LastName();
                c.Email = faker.Internet.Email(c.FirstName, c.LastName).ToLowerInvariant();
            }
            else
            {
                c.Name = faker.Company.CompanyName() + " " + type;
                c.Email = faker.Internet.Email(c.Name.Split(' ')[0]).ToLowerInvariant();
                c.RegistrationNumber = faker.Random.Replace("REG-######");
                c.TaxId = faker.Random.Replace("##-#######");
                c.Website = faker.Internet.Url();
                if (faker.Random.Bool(0.5f)) c.Organization = faker.PickRandom(organizations);
            }
            c.PrimaryPhone = NextPhone(faker, area, used);
            c.PrimaryPhoneSmsCapable = phones.Check(c.PrimaryPhone).SmsCapable;
            if (faker.Random.Bool(0.2f)) c.WhatsAppPhone = c.PrimaryPhone;
            if (faker.Random.Bool(0.3f)) c.Tags = CustomerTags.Join(faker.PickRandom(Tags, faker.Random.Int(1, 2)));
            if (faker.Random.Bool(0.6f))
            {
                c.SmsOptedIn = true;
                c.SmsOptedInAt = c.CreatedAt;
                c.SmsOptInSource = "demo";
            }
            if (faker.Random.Bool(0.15f)) c.Notes = faker.Lorem.Sentence();
            customers.Add(c);
        }
        // A few accented and non-Latin names, so accent-insensitive search has something to show.
        string[][] special = [["José", "Álvarez"], ["Zoë", "Lefèvre"], ["Jürgen", "Müller"], ["Søren", "Kierkegaard"], ["Анна", "Иванова"]];
        for (var i = 0; i < special.Length && i * 3 + 1 < customers.Count; i++)
        {
            var c = customers[i * 3 + 1];
            (c.FirstName, c.LastName) = (special[i][0], special[i][1]);
        }

        var duplicates = MakeDuplicates(customers);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.Actor = "demo";
        db.Organizations.AddRange(organizations);
        db.Customers.AddRange(customers);
        await db.SaveChangesAsync(ct);

        // The opt-ins as the consent register holds them (the customer's SMS fields are its sms-service state).
        foreach (var c in customers.Where(c => c.SmsOptedIn))
            Features.Privacy.Consent.ConsentOperations.Apply(db, c, Features.Privacy.Consent.ConsentOptions.SmsService, true, "demo", c.SmsOptedInAt ?? c.CreatedAt, null);
        // Real tickets and sales behind every customer's figures, so the stats on a profile add up.
        AddHistory(faker, customers, db, today);
        await db.SaveChangesAsync(ct);

        AddEvents(customers, db, (time ?? TimeProvider.System).GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(ct);

        AddDuplicatePairs(duplicates, db, (time ?? TimeProvider.System).GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(ct);
        return customers.Count;
    }

    /// <summary>
    /// Some demo customers made near-duplicates of others (an initial for the first name, the same last name and city,
    /// sometimes the same email), as the counter makes them, so the duplicates queue has pairs to show.
    /// </summary>
    private static List<(Customer Original, Customer Duplicate, bool SameEmail)> MakeDuplicates(List<Customer> customers)
    {
        var pairs = new List<(Customer, Customer, bool)>();
        for (var m = 5; 3 * m + 4 < customers.Count && pairs.Count < 8; m += 4)
        {
            var (original, duplicate) = (customers[3 * m + 2], customers[3 * m + 4]);
            if (original.Status != CustomerStatus.Active || duplicate.Status != CustomerStatus.Active) continue;
            var sameEmail = pairs.Count % 2 == 0;
            duplicate.FirstName = original.FirstName![..1] + ".";
            duplicate.LastName = original.LastName;
            (duplicate.City, duplicate.State) = (original.City, original.State);
            if (sameEmail) duplicate.Email = original.Email;
            pairs.Add((original, duplicate, sameEmail));
        }
        return pairs;
    }

    private static void AddDuplicatePairs(List<(Customer Original, Customer Duplicate, bool SameEmail)> duplicates, AppDbContext db, DateTime now)
    {
        foreach (var (original, duplicate, sameEmail) in duplicates)
        {
            var (a, b) = DuplicatePair.Ordered(original.Id, duplicate.Id);
            db.DuplicatePairs.Add(new DuplicatePair
            {
                CustomerAId = a, CustomerBId = b, Score = sameEmail ? 18.4 : 7.2 + a % 5,
                Level = sameEmail ? DuplicateLevel.Likely : DuplicateLevel.Possible,
                Reasons = sameEmail ? "same email; same last name; first name matches an initial" : "same last name; first name matches an initial; same city",
                Signature = "demo", FoundAt = now, UpdatedAt = now, Version = 1,
            });
        }
    }

    private static readonly string[] Items = ["Laptop", "Phone", "Printer", "Ultrasound probe", "Monitor", "Coffee machine", "Tablet"];
    private static readonly string[] Problems = ["Does not power on", "Cracked screen", "Annual service", "Intermittent fault", "Battery drains fast"];

    private static void AddHistory(Faker faker, List<Customer> customers, AppDbContext db, DateTime end)
    {
        var sequence = 0;
        foreach (var c in customers.Where(c => !c.Status.IsGone()))
        {
            var tickets = faker.Random.Int(0, 4);
            for (var i = 0; i < tickets; i++)
            {
                var opened = c.CreatedAt.AddDays(faker.Random.Double(0, Math.Max(1, (end - c.CreatedAt).TotalDays)));
                // The newest ticket of some customers is still in the workshop.
                var open = i == tickets - 1 && faker.Random.Bool(0.25f);
                var ticket = new Ticket
                {
                    Sequence = ++sequence, Number = Ticket.FormatNumber(sequence), CustomerId = c.Id,
                    Item = faker.PickRandom(Items), Problem = faker.PickRandom(Problems),
                    Priority = faker.PickRandom<TicketPriority>(), OpenedAt = opened, UpdatedAt = opened,
                    QuotedAmount = Math.Round(faker.Random.Decimal(20, 900), 2), CreatedBy = "demo", UpdatedBy = "demo", Version = 1,
                };
                // A ticket whose repair would end after the day of seeding is still in the workshop.
                var closedAt = open ? default : opened.AddDays(faker.Random.Double(0.1, 14));
                if (open || closedAt >= end)
                {
                    ticket.Status = open ? faker.PickRandom(TicketStatus.Open, TicketStatus.InProgress, TicketStatus.WaitingForParts, TicketStatus.Ready)
                        : TicketStatus.InProgress;
                }
                else
                {
                    ticket.Status = TicketStatus.Closed;
                    ticket.ClosedAt = closedAt;
                    ticket.FinalAmount = Math.Round(ticket.QuotedAmount.Value * faker.Random.Decimal(0.8m, 1.2m), 2);
                    ticket.UpdatedAt = ticket.ClosedAt.Value;
                    db.Add(TicketTimeline.Ended(ticket, ticket.ClosedAt.Value, "demo"));
                }
                db.Add(ticket);
                db.Add(TicketTimeline.Opened(ticket, opened, "demo"));
            }
            var sales = faker.Random.Int(0, 3);
            for (var i = 0; i < sales; i++)
            {
                var soldAt = c.CreatedAt.AddDays(faker.Random.Double(0, Math.Max(1, (end - c.CreatedAt).TotalDays)));
                var quantity = faker.Random.Int(1, 3);
                var price = Math.Round(faker.Random.Decimal(5, 200), 2);
                var sale = new Sale
                {
                    CustomerId = c.Id, SoldAt = soldAt, Total = quantity * price, CreatedBy = "demo",
                    Lines = [new SaleLine { Description = faker.Commerce.ProductName(), Quantity = quantity, UnitPrice = price, LineTotal = quantity * price }],
                };
                db.Add(sale);
                db.Add(SystemEntry(c, ActivityKind.Sale, $"Sale of {Money.Format(sale.Total)}", sale.Lines[0].Description, soldAt, sale));
            }
        }
    }

    private static readonly (string Name, int InDays, int Capacity, decimal Price)[] DemoEvents =
    [
        ("Autumn wine tasting", -45, 40, 35m), ("Jazz night", -12, 60, 20m), ("Repair café", 3, 25, 0m),
        ("Spring product launch", 9, 120, 0m), ("Jazz night", 21, 60, 20m), ("Charity gala", 40, 200, 150m),
    ];

    /// <summary>
    /// Events around the day of seeding (an upcoming event must lie ahead whenever the demo starts) at fixed offsets,
    /// booked by customers picked with their own seed, so the customer set above stays exactly as it was. The SMS a real
    /// booking writes are recorded as already sent: a fresh demo must not queue a burst of messages at first start,
    /// and the reminder scan sees the 7-day reminder of the soonest event as done.
    /// </summary>
    private static void AddEvents(List<Customer> customers, AppDbContext db, DateTime now)
    {
        var random = new Randomizer(Seed + 1);
        var bookable = customers.Where(c => c.Status == CustomerStatus.Active).ToList();
        // 23:30 UTC is an evening at a venue in the Americas, where the demo's customers live.
        var evening = now.Date.AddHours(23).AddMinutes(30);
        foreach (var (name, inDays, capacity, price) in DemoEvents)
        {
            var startsAt = evening.AddDays(inDays);
            var ev = new Event
            {
                Name = name, StartsAt = startsAt, Capacity = capacity, Price = price, Description = $"{name}: a demo event.",
                CreatedAt = startsAt.AddDays(-60), CreatedBy = "demo", UpdatedAt = startsAt.AddDays(-60), UpdatedBy = "demo", Version = 1,
            };
            db.Events.Add(ev);
            var seatsLeft = capacity;
            foreach (var c in random.ListItems(bookable, Math.Min(bookable.Count, random.Int(4, 10))))
            {
                var seats = random.Int(0, 6) == 0 ? 0 : random.Int(1, 4);
                if (seats > seatsLeft) break;
                seatsLeft -= seats;
                var bookedAt = startsAt.AddDays(-random.Int(5, 50));
                // Booked "in the future" would read oddly on a timeline: those bookings were made in the last days.
                if (bookedAt > now) bookedAt = now.AddHours(-1 - (bookedAt - now).TotalHours % 96);
                var booking = new Booking
                {
                    Customer = c, Event = ev, Seats = seats, CreatedAt = bookedAt, CreatedBy = "demo", UpdatedAt = bookedAt, UpdatedBy = "demo", Version = 1,
                };
                db.Bookings.Add(booking);
                db.Add(SystemEntry(c, ActivityKind.BookingMade, $"Booked {name}", CustomerAdmin.Features.Events.BookingOperations.Seats(seats), bookedAt));
                db.Add(SentSms(c, booking, ev, SmsKind.BookingConfirmation, $"Hi {c.FirstName ?? c.Name}, you are booked for {name}.", bookedAt));
                if (startsAt > now && startsAt <= now.AddDays(7))
                    db.Add(SentSms(c, booking, ev, SmsKind.Reminder7Day, $"Reminder: {name} is coming up.", now));
            }
        }
    }

    private static SmsMessage SentSms(Customer c, Booking booking, Event ev, SmsKind kind, string body, DateTime at)
    {
        var skip = SmsOutbox.SkipReason(c);
        return new SmsMessage
        {
            Customer = c, Booking = booking, Event = ev, Kind = kind, To = c.PrimaryPhone ?? "", Body = body, Language = "en",
            Status = skip is null ? SmsStatus.Sent : SmsStatus.Skipped, ErrorCode = skip?.Code, ErrorMessage = skip?.Message,
            EventStartsAt = SmsMessage.IsReminder(kind) ? ev.StartsAt : null, Attempts = skip is null ? 1 : 0,
            NextAttemptAt = at, LastAttemptAt = skip is null ? at : null, SentAt = skip is null ? at : null,
            CreatedAt = at, CreatedBy = "demo", UpdatedAt = at, Segments = 1,
        };
    }

    /// <summary>The timeline entries the real operations would have written; no random draws, so the demo set stays as it was.</summary>
    private static Activity SystemEntry(Customer c, ActivityKind kind, string subject, string? body, DateTime at, Sale? sale = null) => new()
    {
        CustomerId = c.Id, Kind = kind, Subject = subject, Body = body, OccurredAt = at, CreatedAt = at, CreatedBy = "demo",
        Sale = sale,
    };

    private string NextPhone(Faker faker, string area, HashSet<string> used)
    {
        while (true)
        {
            var candidate = $"+1{area}{faker.Random.Int(201, 989)}{faker.Random.Int(0, 9999):0000}";
            var check = phones.Check(candidate);
            if (check.IsValid && used.Add(check.E164!)) return check.E164!;
        }
    }
}
