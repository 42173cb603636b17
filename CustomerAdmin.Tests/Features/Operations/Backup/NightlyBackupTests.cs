using System.IO.Compression;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Features.Operations.Backup;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Operations.Backup;

/// <summary>The nightly backup as a hosted service on a fake clock: when it runs (venue time) and what it keeps.</summary>
public sealed class NightlyBackupTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("customeradmin-nightly-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FortyNightsLeaveTheLastSevenDaysAndTheNewestOfEachOfTheLastFourWeeks()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        await database.Data.CustomerAsync();
        // Sunday 1 March 2026, noon UTC; New York moves its clocks forward on Sunday 8 March.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var backups = Path.Combine(_folder, "backups");
        var log = new ScheduleLog();
        using var service = Service(database, time, new BackupOptions { Nightly = true, Folder = backups, At = new TimeOnly(3, 0), KeepDaily = 7, KeepWeekly = 4 }, log);
        await service.StartAsync(Ct);
        // The worker starts on the thread pool: the clock may move only once it has read it and planned the first night.
        await WaitForAsync(() => log.Scheduled, "the first night to be planned");

        var due = service.NextRun(time.GetUtcNow().UtcDateTime);
        for (var night = 0; night < 40; night++)
        {
            // To the minute it is due; the service may still be finishing the last one (then it runs this one at once).
            time.Advance(due - time.GetUtcNow().UtcDateTime);
            var expected = Path.Combine(backups, BackupRotation.FileName(due));
            await WaitForAsync(() => File.Exists(expected), $"the backup due at {due:u}");
            due = service.NextRun(due);
        }
        await service.StopAsync(Ct);

        // 3 a.m. in New York: 08:00 UTC before the clocks change, 07:00 after. Mon 2 March ... Fri 10 April.
        string[] kept =
        [
            "customeradmin-20260322T070000Z.zip", "customeradmin-20260329T070000Z.zip", // the newest of two earlier weeks (Sundays)
            "customeradmin-20260404T070000Z.zip", "customeradmin-20260405T070000Z.zip", "customeradmin-20260406T070000Z.zip",
            "customeradmin-20260407T070000Z.zip", "customeradmin-20260408T070000Z.zip", "customeradmin-20260409T070000Z.zip",
            "customeradmin-20260410T070000Z.zip",
        ];
        Assert.Equal(kept, Directory.GetFiles(backups).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // Each is a whole backup of the database.
        using var zip = ZipFile.OpenRead(Path.Combine(backups, kept[0]));
        Assert.NotNull(zip.GetEntry(BackupArchive.DatabaseEntry));
        Assert.NotNull(zip.GetEntry(BackupArchive.ManifestEntry));
    }

    [Fact]
    public async Task OffByDefaultItWritesNothing()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite, ct: Ct);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var backups = Path.Combine(_folder, "backups");
        using var service = Service(database, time, new BackupOptions { Folder = backups });
        await service.StartAsync(Ct);
        time.Advance(TimeSpan.FromDays(3));
        await Task.Delay(200, Ct);
        await service.StopAsync(Ct);
        Assert.False(Directory.Exists(backups) && Directory.EnumerateFiles(backups).Any());
    }

    [Fact]
    public void RotationNeverDeletesFilesThatAreNotItsBackups()
    {
        string[] names = ["customeradmin-20260101T070000Z.zip", "customeradmin-20260102T070000Z.zip", "notes.txt", "customeradmin-manual.zip"];
        Assert.Equal(["customeradmin-20260101T070000Z.zip"], BackupRotation.ToDelete(names, keepDaily: 1, keepWeekly: 0));
    }

    private NightlyBackup Service(TestDatabase database, TimeProvider time, BackupOptions options, ILogger<NightlyBackup>? log = null)
    {
        var environment = new HostingEnvironment { ContentRootPath = _folder };
        var documents = new DocumentOperations(database.Factory, Options.Create(new DocumentsOptions { Folder = Path.Combine(_folder, "documents") }),
            environment, time, NullLogger<DocumentOperations>.Instance);
        return new NightlyBackup(new BackupArchive(database.Factory, documents, time), Options.Create(options),
            Options.Create(new VenueOptions { TimeZone = "America/New_York" }), environment, time, log ?? NullLogger<NightlyBackup>.Instance);
    }

    /// <summary>Notes when the service has planned its first night (its first log line).</summary>
    private sealed class ScheduleLog : ILogger<NightlyBackup>
    {
        private volatile bool _scheduled;

        public bool Scheduled => _scheduled;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (formatter(state, exception).StartsWith("Nightly backups into", StringComparison.Ordinal)) _scheduled = true;
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(10, Ct);
        }
    }

    public void Dispose()
    {
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
