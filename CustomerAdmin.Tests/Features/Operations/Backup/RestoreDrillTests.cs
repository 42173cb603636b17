using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using CustomerAdmin.Features;
using CustomerAdmin.Features.Operations.Backup;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Operations.Backup;

/// <summary>
/// The restore drill: <c>backup --to FILE</c> of a SQLite installation while customers, tickets and bookings are being
/// written, then <c>restore --from FILE</c> into an empty data folder, both run in-process through the entry point
/// Program.cs dispatches to. The backup's point is when its read transaction began, somewhere between the command's
/// start and its end: everything committed before the start must be restored, nothing begun after the end may be, and
/// what is restored is exactly the first N units of work, each whole.
/// </summary>
public sealed class RestoreDrillTests : IDisposable
{
    private const int UnitsBeforeBackup = 300;
    private const int UnitsAfterBackup = 100;

    private readonly string _folder = Directory.CreateTempSubdirectory("customeradmin-backup-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Live => Path.Combine(_folder, "live");

    private string Restored => Path.Combine(_folder, "restored");

    private static string DatabaseOf(string root) => Path.Combine(root, "data", "customeradmin.db");

    private static string DocumentsOf(string root) => Path.Combine(root, "data", "documents");

    private static string[] Settings(string root) =>
        ["--Database:Provider=Sqlite", $"--ConnectionStrings:Sqlite=Data Source={DatabaseOf(root)}", $"--Documents:Folder={DocumentsOf(root)}"];

    /// <summary>One unit of work: a customer with a ticket and a booking, written in one transaction.</summary>
    private sealed record Unit(int Index, int CustomerId, int TicketId, int BookingId);

    [Fact]
    public async Task ABackupTakenWhileCustomersTicketsAndBookingsAreWrittenRestoresExactlyWhatWasCommittedAtItsPoint()
    {
        var live = Contexts(DatabaseOf(Live));
        int eventId;
        await using (var db = live())
        {
            // As the app starts a database: migrated, in WAL mode.
            await db.Database.MigrateAsync(Ct);
            await db.Sql().ConfigureDatabaseAsync(db, Ct);
            var ev = new Event { Name = "Drill night", StartsAt = DateTime.UtcNow.AddDays(30), Capacity = 10_000, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };
            db.Events.Add(ev);
            await db.SaveChangesAsync(Ct);
            eventId = ev.Id;
        }
        var documents = WriteDocuments(DocumentsOf(Live), 12);

        var committed = new List<Unit>();
        var begunAfterBackup = new List<Unit>();
        var backupEnded = false;
        var writer = Task.Run(async () =>
        {
            var afterEnd = 0;
            for (var i = 0; afterEnd < UnitsAfterBackup; i++)
            {
                var begunAfter = Volatile.Read(ref backupEnded);
                var unit = await WriteUnitAsync(live, eventId, i);
                lock (committed)
                {
                    committed.Add(unit);
                    if (begunAfter) begunAfterBackup.Add(unit);
                }
                if (begunAfter) afterEnd++;
            }
        }, Ct);

        while (Count(committed) < UnitsBeforeBackup && !writer.IsCompleted) await Task.Delay(20, Ct);
        var committedBeforeStart = Snapshot(committed);
        var archive = Path.Combine(_folder, "backup.zip");
        Assert.Equal(0, await BackupCommand.RunAsync([BackupCommand.Backup, "--to", archive, .. Settings(Live)]));
        Volatile.Write(ref backupEnded, true);
        await writer;
        var all = Snapshot(committed);
        Assert.True(all.Count >= committedBeforeStart.Count + UnitsAfterBackup);

        Assert.Equal(0, await BackupCommand.RunAsync([BackupCommand.Restore, "--from", archive, .. Settings(Restored)]));

        await using var restored = new SqliteConnection($"Data Source={DatabaseOf(Restored)};Pooling=False");
        await restored.OpenAsync(Ct);
        Assert.Equal(["ok"], await ColumnAsync<string>(restored, "PRAGMA integrity_check"));
        var customers = (await ColumnAsync<long>(restored, """SELECT "Id" FROM "Customers" ORDER BY "Id" """)).Select(id => (int)id).ToList();
        var tickets = (await ColumnAsync<long>(restored, """SELECT "Id" FROM "Tickets" ORDER BY "Id" """)).Select(id => (int)id).ToList();
        var bookings = (await ColumnAsync<long>(restored, """SELECT "Id" FROM "Bookings" ORDER BY "Id" """)).Select(id => (int)id).ToList();

        // Everything committed before the backup began is there; nothing begun after it ended is.
        var missing = committedBeforeStart.Where(u => !customers.Contains(u.CustomerId)).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} of the {committedBeforeStart.Count} units committed before the backup began are missing "
            + $"from the {customers.Count} restored (of {all.Count}), e.g. {string.Join(", ", missing.Take(5))}; restored ids {customers.Min()}..{customers.Max()}.");
        Assert.Empty(begunAfterBackup.Select(u => u.CustomerId).Intersect(customers));
        // One snapshot: the first N units, each with its ticket and booking, and no part of any later one.
        var n = customers.Count;
        Assert.InRange(n, committedBeforeStart.Count, all.Count - begunAfterBackup.Count);
        Assert.Equal(all.Take(n).Select(u => u.CustomerId), customers);
        Assert.Equal(all.Take(n).Select(u => u.TicketId), tickets);
        Assert.Equal(all.Take(n).Select(u => u.BookingId), bookings);
        // The derived figures came along in the same snapshot (each customer's ticket count moved in its unit's transaction).
        Assert.Equal([(long)n], await ColumnAsync<long>(restored, """SELECT COUNT(*) FROM "Customers" WHERE "TicketCount" = 1"""));

        foreach (var (name, bytes) in documents)
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(DocumentsOf(Restored), name), Ct));
        Assert.Equal(documents.Count, Directory.GetFiles(DocumentsOf(Restored)).Length);
    }

    [Fact]
    public async Task RestoreRefusesADataFolderThatIsNotEmptyAndTouchesNothing()
    {
        var live = Contexts(DatabaseOf(Live));
        await using (var db = live())
            await db.Database.MigrateAsync(Ct);
        WriteDocuments(DocumentsOf(Live), 2);
        var archive = Path.Combine(_folder, "backup.zip");
        Assert.Equal(0, await BackupCommand.RunAsync([BackupCommand.Backup, "--to", archive, .. Settings(Live)]));
        // A second backup to the same file would overwrite the first: refused.
        Assert.Equal(1, await BackupCommand.RunAsync([BackupCommand.Backup, "--to", archive, .. Settings(Live)]));

        // Restoring over the live installation itself: its database exists.
        var before = await File.ReadAllBytesAsync(DatabaseOf(Live), Ct);
        Assert.Equal(1, await BackupCommand.RunAsync([BackupCommand.Restore, "--from", archive, .. Settings(Live)]));
        Assert.Equal(before, await File.ReadAllBytesAsync(DatabaseOf(Live), Ct));

        // An empty database folder but documents already there.
        WriteDocuments(DocumentsOf(Restored), 1);
        Assert.Equal(1, await BackupCommand.RunAsync([BackupCommand.Restore, "--from", archive, .. Settings(Restored)]));
        Assert.False(File.Exists(DatabaseOf(Restored)));
        Assert.Single(Directory.GetFiles(DocumentsOf(Restored)));
    }

    [Fact]
    public async Task OnPostgreSqlTheBackupHoldsTheDocumentsAndRestoreBringsThemBack()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres, ct: Ct);
        string[] postgres(string root) =>
            ["--Database:Provider=Postgres", $"--ConnectionStrings:Postgres={database.ConnectionString}", $"--Documents:Folder={DocumentsOf(root)}"];
        var documents = WriteDocuments(DocumentsOf(Live), 3);
        var archive = Path.Combine(_folder, "documents.zip");

        Assert.Equal(0, await BackupCommand.RunAsync([BackupCommand.Backup, "--to", archive, .. postgres(Live)]));
        using (var zip = System.IO.Compression.ZipFile.OpenRead(archive))
        {
            Assert.Null(zip.GetEntry(BackupArchive.DatabaseEntry));
            Assert.Equal(documents.Keys.Order(StringComparer.Ordinal),
                zip.Entries.Where(e => e.FullName.StartsWith(BackupArchive.DocumentsPrefix, StringComparison.Ordinal)).Select(e => e.Name).Order(StringComparer.Ordinal));
        }

        Assert.Equal(0, await BackupCommand.RunAsync([BackupCommand.Restore, "--from", archive, .. postgres(Restored)]));
        foreach (var (name, bytes) in documents)
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(DocumentsOf(Restored), name), Ct));
    }

    private static Func<AppDbContext> Contexts(string file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var options = new DbContextOptionsBuilder<SqliteAppDbContext>().UseSqlite($"Data Source={file}").UseCustomerAdmin(null).Options;
        return () => new SqliteAppDbContext(options);
    }

    private static async Task<Unit> WriteUnitAsync(Func<AppDbContext> contexts, int eventId, int i)
    {
        await using var db = contexts();
        var now = DateTime.UtcNow;
        var customer = TestCustomers.Individual(FirstNames[i % FirstNames.Length], $"Drill{Letters(i)}", $"+1212555{i:D4}");
        var ticket = new Ticket
        {
            Customer = customer, Sequence = i + 1, Number = Ticket.FormatNumber(i + 1), Problem = "Backup drill",
            Status = TicketStatus.Open, OpenedAt = now, UpdatedAt = now,
        };
        var booking = new Booking { Customer = customer, EventId = eventId, Seats = 1, CreatedAt = now, UpdatedAt = now };
        db.AddRange(customer, ticket, booking);
        await db.SaveChangesAsync(Ct);
        return new Unit(i, customer.Id, ticket.Id, booking.Id);
    }

    private static readonly string[] FirstNames = ["Ann", "Bob", "Cleo", "Dev", "Eva", "Finn", "Gus", "Hana", "Ida", "Jon"];

    /// <summary>A different surname per unit, in letters (names hold no digits).</summary>
    private static string Letters(int i)
    {
        var s = "";
        do { s = (char)('a' + i % 26) + s; i /= 26; } while (i > 0);
        return s;
    }

    private static Dictionary<string, byte[]> WriteDocuments(string folder, int count)
    {
        Directory.CreateDirectory(folder);
        var written = new Dictionary<string, byte[]>();
        for (var i = 0; i < count; i++)
        {
            var bytes = new byte[10_000 + i * 997];
            Random.Shared.NextBytes(bytes);
            var name = Guid.NewGuid().ToString("N");
            File.WriteAllBytes(Path.Combine(folder, name), bytes);
            written[name] = bytes;
        }
        return written;
    }

    private static int Count(List<Unit> units)
    {
        lock (units) return units.Count;
    }

    private static List<Unit> Snapshot(List<Unit> units)
    {
        lock (units) return [.. units];
    }

    private static async Task<List<T>> ColumnAsync<T>(SqliteConnection connection, string sql)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        var values = new List<T>();
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct)) values.Add(reader.GetFieldValue<T>(0));
        return values;
    }

    public void Dispose()
    {
        // Pooled connections keep the files open (and on Windows undeletable).
        foreach (var root in new[] { Live, Restored })
            using (var connection = new SqliteConnection($"Data Source={DatabaseOf(root)}"))
                SqliteConnection.ClearPool(connection);
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not worth failing a test for.
        }
    }
}
