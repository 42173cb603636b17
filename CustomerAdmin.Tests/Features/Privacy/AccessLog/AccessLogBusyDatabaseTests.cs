using CustomerAdmin.Data;
using CustomerAdmin.Features.Privacy.AccessLog;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CustomerAdmin.Tests.Features.Privacy.AccessLog;

/// <summary>
/// The app's access-log writer (the hosted service) while another connection holds the database's write lock, as an
/// import does: the rows of who saw what wait in the queue and are written once the lock is released, and a busy
/// database is logged once at Information, not as an error.
/// </summary>
public sealed class AccessLogBusyDatabaseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(DatabaseProvider.Sqlite)]
    [InlineData(DatabaseProvider.Postgres)]
    public async Task RowsRecordedWhileTheDatabaseIsLockedAreWrittenOnceItIsReleasedWithNoErrorLogged(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider, ct: Ct);
        await using var app = new SecurityTestApp(database, database.ShortBusyTimeoutSettings());
        var recorder = app.Services.GetRequiredService<AccessLogRecorder>();

        await using (await database.HoldWriteLockAsync("AccessLog", Ct))
        {
            for (var i = 1; i <= 300; i++)
                recorder.Record($"user{i % 3}@test.local", AccessKind.CustomerViewed, i);
            if (provider == DatabaseProvider.Sqlite)
                await Poll.UntilAsync(() => app.Entries.Any(e => e.Message.Contains("access log rows found the database busy", StringComparison.Ordinal)));
            else
                await Task.Delay(TimeSpan.FromSeconds(2), Ct);
            Assert.Equal(0, await CountAsync(database));
        }

        await Poll.UntilAsync(async () => await CountAsync(database) == 300);
        var errors = app.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Category}: {e.Message}").ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    private static async Task<int> CountAsync(TestDatabase database)
    {
        await using var db = database.CreateDbContext();
        return await db.AccessLog.CountAsync(Ct);
    }
}
