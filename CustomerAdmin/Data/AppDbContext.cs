// Whole at ~355 lines: the one model: every set and the core tables' configuration; later areas configure themselves (ApiModel, WebhookModel).
using CustomerAdmin.Common;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace CustomerAdmin.Data;

/// <summary>
/// The app's one model. Each provider has a thin subclass (<see cref="SqliteAppDbContext"/>,
/// <see cref="PostgresAppDbContext"/>) only so each gets its own generated migrations set; components ask for
/// <c>IDbContextFactory&lt;AppDbContext&gt;</c> and never know which one they got. Identity's users and roles and the
/// data-protection key ring live in the same database.
/// </summary>
public class AppDbContext(DbContextOptions options) : IdentityDbContext<AppUser>(options), IDataProtectionKeyContext
{
    private readonly AppContextServices _services = options.FindExtension<AppContextServices>() ?? new AppContextServices(null, null, null, null);
    private string? _actor;

    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<CustomerChange> CustomerChanges => Set<CustomerChange>();
    public DbSet<CustomerSearchToken> CustomerSearchTokens => Set<CustomerSearchToken>();
    public DbSet<Ticket> Tickets => Set<Ticket>();
    public DbSet<Equipment> Equipment => Set<Equipment>();
    public DbSet<Sale> Sales => Set<Sale>();
    public DbSet<SaleLine> SaleLines => Set<SaleLine>();
    public DbSet<Activity> Activities => Set<Activity>();
    public DbSet<CustomerDocument> Documents => Set<CustomerDocument>();
    public DbSet<DocumentChunk> DocumentChunks => Set<DocumentChunk>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<ImportRun> ImportRuns => Set<ImportRun>();
    public DbSet<LegacyCustomerLink> LegacyCustomerLinks => Set<LegacyCustomerLink>();
    public DbSet<Event> Events => Set<Event>();
    public DbSet<Booking> Bookings => Set<Booking>();
    public DbSet<SmsMessage> SmsMessages => Set<SmsMessage>();
    public DbSet<SmsTemplate> SmsTemplates => Set<SmsTemplate>();
    public DbSet<DashboardTotal> DashboardTotals => Set<DashboardTotal>();
    public DbSet<DuplicatePair> DuplicatePairs => Set<DuplicatePair>();
    public DbSet<CustomerMerge> CustomerMerges => Set<CustomerMerge>();
    public DbSet<CustomerImportPreset> CustomerImportPresets => Set<CustomerImportPreset>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<ApiIdempotencyKey> ApiIdempotencyKeys => Set<ApiIdempotencyKey>();
    public DbSet<WebhookEndpoint> WebhookEndpoints => Set<WebhookEndpoint>();
    public DbSet<WebhookDelivery> WebhookDeliveries => Set<WebhookDelivery>();
    public DbSet<WebhookAttempt> WebhookAttempts => Set<WebhookAttempt>();

    /// <summary>The venue whose calendar days the dashboard summary counts in.</summary>
    public VenueOptions Venue => _services.Venue;

    /// <summary>The clock this context stamps its saves with; writers of outbox rows stamp theirs with it too.</summary>
    public TimeProvider Time => _services.Time;

    /// <summary>
    /// Who is saving: written to CreatedBy, UpdatedBy and the history's "by whom". The signed-in user unless set
    /// (seeding and background work set it); "system" when nobody is signed in.
    /// </summary>
    public string Actor
    {
        get => _actor ?? _services.CurrentUser?.Name ?? "system";
        set => _actor = value;
    }

    /// <summary>Why this save changes what it does (a status change asks): written to the save's history rows.</summary>
    public string? ChangeReason { get; set; }

    /// <summary>Forgets what one operation set, before a pooled instance is handed to the next (EF resets its own state).</summary>
    internal void ResetForReuse() => (_actor, ChangeReason, Ahead) = (null, null, null);

    /// <summary>A statement to send in the same round trip as this context's next query (<see cref="StatementAhead"/>).</summary>
    public StatementAhead? Ahead { get; set; }

    protected override void OnModelCreating(ModelBuilder b)
    {
        base.OnModelCreating(b);
        b.Entity<Customer>(e =>
        {
            e.Property(c => c.Type).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.Tier).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.PreferredContactMethod).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.TotalSpent).HasPrecision(18, 2);
            e.Property(c => c.Version).IsConcurrencyToken();
            e.Ignore(c => c.FullName);
            e.Ignore(c => c.IsIndividual);
            e.Ignore(c => c.SmsOptedOut);

            // At most one customer that is not deleted or merged per primary phone.
            e.HasIndex(c => c.PrimaryPhone).IsUnique().HasFilter(CustomerStatuses.LiveWithPhoneFilterSql).HasDatabaseName("UX_Customers_PrimaryPhone_NotDeleted");
            e.HasIndex(c => c.Email);
            e.HasIndex(c => new { c.SortName, c.Id });
            e.HasIndex(c => new { c.City, c.SortName });
            e.HasIndex(c => new { c.CityKey, c.SortName, c.Id });
            e.HasIndex(c => c.CreatedAt);
            e.HasIndex(c => c.FirstSeenAt);
            e.HasIndex(c => c.TotalSpent);
            e.HasIndex(c => c.Status);
            e.HasIndex(c => new { c.TicketCount, c.Id }).IsDescending(true, false);

            e.HasOne(c => c.Organization).WithMany(o => o.Customers)
                .HasForeignKey(c => c.OrganizationId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<ImportRun>().WithMany().HasForeignKey(c => c.ImportRunId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<Organization>(e => e.HasIndex(o => o.Name));

        b.Entity<CustomerChange>(e =>
        {
            e.HasOne(c => c.Customer).WithMany(c => c.Changes)
                .HasForeignKey(c => c.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.HasIndex(c => new { c.CustomerId, c.ChangedAt });
        });

        b.Entity<CustomerSearchToken>(e =>
        {
            // Kind first so each kind is one contiguous range scan in the index; the key covers the search query.
            e.HasKey(t => new { t.Kind, t.Token, t.CustomerId });
            e.HasIndex(t => new { t.CustomerId, t.Kind, t.Token });
            e.HasOne<Customer>().WithMany(c => c.SearchTokens)
                .HasForeignKey(t => t.CustomerId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<Ticket>(e =>
        {
            e.Property(t => t.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(t => t.Priority).HasConversion<string>().HasMaxLength(20);
            e.Property(t => t.QuotedAmount).HasPrecision(18, 2);
            e.Property(t => t.FinalAmount).HasPrecision(18, 2);
            e.Property(t => t.Version).IsConcurrencyToken();
            e.HasIndex(t => t.Number).IsUnique();
            e.HasIndex(t => t.Sequence).IsUnique();
            // A customer's tickets (by status), and their statistics (CustomerStatsQuery.TotalsAsync: counts, closed amount,
            // last opened and closed) answered from the index alone, for one customer or a batch of the export.
            e.HasIndex(t => new { t.CustomerId, t.Status, t.OpenedAt, t.ClosedAt, t.FinalAmount });
            e.HasIndex(t => new { t.Status, t.OpenedAt });
            e.HasIndex(t => t.OpenedAt);
            // The dashboard's revenue, buyers and turnaround read closed tickets by close date; with the customer and the
            // amount in the key those queries are answered from the index alone.
            e.HasIndex(t => new { t.Status, t.ClosedAt, t.CustomerId, t.FinalAmount });
            e.HasIndex(t => t.Assignee);
            e.HasOne(t => t.Customer).WithMany()
                .HasForeignKey(t => t.CustomerId).IsRequired().OnDelete(DeleteBehavior.Restrict);
            e.HasOne(t => t.Equipment).WithMany(q => q.Tickets)
                .HasForeignKey(t => t.EquipmentId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(t => t.LegacyKey).IsUnique();
            e.HasOne<ImportRun>().WithMany().HasForeignKey(t => t.ImportRunId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<ImportRun>(e =>
        {
            e.Property(r => r.Status).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(r => r.StartedAt);
        });

        b.Entity<Equipment>(e =>
        {
            e.HasIndex(q => q.SerialKey);
            e.HasIndex(q => q.CustomerId);
            e.Ignore(q => q.Label);
            e.HasOne(q => q.Customer).WithMany()
                .HasForeignKey(q => q.CustomerId).IsRequired().OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<Sale>(e =>
        {
            e.Property(s => s.Total).HasPrecision(18, 2);
            e.HasIndex(s => new { s.CustomerId, s.SoldAt });
            e.HasIndex(s => s.SoldAt);
            e.HasOne(s => s.Customer).WithMany()
                .HasForeignKey(s => s.CustomerId).IsRequired().OnDelete(DeleteBehavior.Restrict);
            e.HasMany(s => s.Lines).WithOne().HasForeignKey(l => l.SaleId).OnDelete(DeleteBehavior.Cascade);
        });

        b.Entity<SaleLine>(e =>
        {
            e.Property(l => l.UnitPrice).HasPrecision(18, 2);
            e.Property(l => l.LineTotal).HasPrecision(18, 2);
        });

        b.Entity<Activity>(e =>
        {
            e.Property(a => a.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(a => a.NoteType).HasConversion<string>().HasMaxLength(20);
            e.Ignore(a => a.IsSystem);
            // The timeline's one paged query: newest first per customer, optionally narrowed to some kinds.
            e.HasIndex(a => new { a.CustomerId, a.OccurredAt, a.Id });
            e.HasIndex(a => new { a.CustomerId, a.Kind, a.OccurredAt });
            e.HasOne(a => a.Customer).WithMany()
                .HasForeignKey(a => a.CustomerId).IsRequired().OnDelete(DeleteBehavior.Restrict);
            e.HasOne(a => a.Ticket).WithMany()
                .HasForeignKey(a => a.TicketId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne(a => a.Sale).WithMany()
                .HasForeignKey(a => a.SaleId).OnDelete(DeleteBehavior.Restrict);
            e.HasOne<ImportRun>().WithMany().HasForeignKey(a => a.ImportRunId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<CustomerDocument>(e =>
        {
            e.Property(d => d.Type).HasConversion<string>().HasMaxLength(20);
            e.HasIndex(d => new { d.CustomerId, d.UploadedAt });
            e.HasIndex(d => d.StoredName).IsUnique();
            // Rows from before the database store have their files in the folder.
            e.Property(d => d.Storage).HasConversion<string>().HasMaxLength(20).HasDefaultValue(DocumentStorage.Folder);
            e.HasOne(d => d.Customer).WithMany()
                .HasForeignKey(d => d.CustomerId).IsRequired().OnDelete(DeleteBehavior.Restrict);
        });

        ConfigureEventsAndSms(b);
        DuplicateScanningModel.Configure(b);
        ImportModel.Configure(b);
        CustomerMerge.Configure(b);
        CustomerImportPreset.Configure(b);
        CustomerErasure.Configure(b);
        PrivacyModel.Configure(b);
        ApiModel.Configure(b);
        WebhookModel.Configure(b);
        DocumentChunk.Configure(b);
    }

    private static void ConfigureEventsAndSms(ModelBuilder b)
    {
        b.Entity<Event>(e =>
        {
            e.Property(v => v.Status).HasConversion<string>().HasMaxLength(20);
            e.Property(v => v.Price).HasPrecision(18, 2);
            e.Property(v => v.Version).IsConcurrencyToken();
            e.HasIndex(v => new { v.Status, v.StartsAt });
            e.HasIndex(v => v.StartsAt);
        });

        b.Entity<Booking>(e =>
        {
            e.Property(v => v.Version).IsConcurrencyToken();
            e.HasIndex(v => new { v.CustomerId, v.EventId }).IsUnique();
            e.HasIndex(v => v.EventId);
            e.HasOne(v => v.Customer).WithMany()
                .HasForeignKey(v => v.CustomerId).IsRequired().OnDelete(DeleteBehavior.Restrict);
            e.HasOne(v => v.Event).WithMany(v => v.Bookings)
                .HasForeignKey(v => v.EventId).IsRequired().OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<SmsMessage>(e =>
        {
            e.Property(m => m.Kind).HasConversion<string>().HasMaxLength(30);
            e.Property(m => m.Status).HasConversion<string>().HasMaxLength(20);
            // The dispatcher's claim: due pending rows, oldest first.
            e.HasIndex(m => new { m.Status, m.NextAttemptAt });
            e.HasIndex(m => new { m.CustomerId, m.CreatedAt });
            // The per-recipient rate limit counts what went to a number recently.
            e.HasIndex(m => new { m.To, m.SentAt });
            e.HasIndex(m => new { m.EventId, m.Kind });
            e.HasIndex(m => m.ProviderId).IsUnique();
            // A reminder can exist once per booking, kind and event time: the scan may run on every instance at once.
            e.HasIndex(m => new { m.BookingId, m.Kind, m.EventStartsAt }).IsUnique()
                .HasFilter("\"Kind\" IN ('Reminder7Day', 'Reminder24Hour')")
                .HasDatabaseName("UX_SmsMessages_Reminder");
            // A move is told to each booking once, however often the save is clicked or retried.
            e.HasIndex(m => new { m.BookingId, m.EventVersion }).IsUnique()
                .HasFilter("\"Kind\" = 'EventMoved'")
                .HasDatabaseName("UX_SmsMessages_EventMoved");
            // A ticket's move to Ready texts the customer once, however often the click or the save is repeated; a new
            // move to Ready (a new ticket version) is a new message. Also the ticket page's list of its messages.
            e.HasIndex(m => new { m.TicketId, m.TicketVersion }).IsUnique()
                .HasFilter("\"Kind\" = 'TicketReady'")
                .HasDatabaseName("UX_SmsMessages_TicketReady");
            e.HasIndex(m => m.TicketId);
            e.HasOne(m => m.Ticket).WithMany()
                .HasForeignKey(m => m.TicketId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(m => m.Customer).WithMany()
                .HasForeignKey(m => m.CustomerId).IsRequired().OnDelete(DeleteBehavior.Restrict);
            e.HasOne(m => m.Booking).WithMany()
                .HasForeignKey(m => m.BookingId).OnDelete(DeleteBehavior.SetNull);
            e.HasOne(m => m.Event).WithMany()
                .HasForeignKey(m => m.EventId).OnDelete(DeleteBehavior.Restrict);
        });

        b.Entity<DashboardTotal>(e =>
        {
            e.HasKey(t => new { t.Series, t.Day, t.Other, t.Text });
            // Covers every dashboard read but the per-city groups (no row lookups), and orders the city totals.
            e.HasIndex(t => new { t.Series, t.Day, t.Other, t.Value });
            e.Property(t => t.Series).HasConversion<int>();
        });

        b.Entity<SmsTemplate>(e =>
        {
            e.Property(t => t.Kind).HasConversion<string>().HasMaxLength(30);
            e.HasIndex(t => new { t.Kind, t.Language }).IsUnique();
        });
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder b)
    {
        // Every DateTime is UTC; SQLite hands them back as Unspecified, so say so on the way out.
        b.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }

    /// <summary>
    /// Only for saves that move no derived data (Identity's and the data-protection key store's own rows, which are
    /// saved synchronously by their libraries). A save the keepers have database work for must be asynchronous:
    /// blocking on that work would tie up a thread per save and deadlock under a synchronization context.
    /// </summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        InspectKeepers().Count == 0
            ? base.SaveChanges(acceptAllChangesOnSuccess)
            : throw new NotSupportedException("Use SaveChangesAsync: this save keeps derived data with asynchronous database work.");

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken ct = default)
    {
        var work = InspectKeepers();
        if (work.Count == 0)
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, ct);

        // Derived rows are replaced or moved in one transaction with the change, so a failed save (a concurrency
        // conflict, a duplicate phone) leaves the old ones in place.
        var own = Database.CurrentTransaction is null ? await Database.BeginTransactionAsync(ct) : null;
        try
        {
            foreach (var w in work) await w.BeforeWriteAsync(this, ct);
            var result = await base.SaveChangesAsync(acceptAllChangesOnSuccess, ct);
            foreach (var w in work) await w.AfterWriteAsync(this, ct);
            if (own is not null) await own.CommitAsync(ct);
            return result;
        }
        finally
        {
            if (own is not null) await own.DisposeAsync();
        }
    }

    /// <summary>Asks every keeper what the pending changes mean for it; returns the database work they need.</summary>
    private List<KeeperWork> InspectKeepers()
    {
        var keepers = _services.Keepers ?? throw new InvalidOperationException(
            "This context has no keepers of derived data (UseAppServices), so a save would leave history, search tokens and summaries behind.");
        var save = new SaveInfo(_services.Time.GetUtcNow().UtcDateTime, Actor, ChangeReason);
        var work = new List<KeeperWork>();
        // Changes are detected once for all keepers (each Entries() call would scan the whole tracker again).
        var autoDetect = ChangeTracker.AutoDetectChangesEnabled;
        if (autoDetect) ChangeTracker.DetectChanges();
        ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var keeper in keepers)
            {
                if (keeper.Inspect(this, ChangeTracker, save) is { } w) work.Add(w);
            }
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = autoDetect;
        }
        return work;
    }

    internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
