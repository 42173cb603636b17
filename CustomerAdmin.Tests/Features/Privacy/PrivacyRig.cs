using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Features.Privacy.AccessLog;
using CustomerAdmin.Features.Privacy.Erasure;
using CustomerAdmin.Features.Privacy.Export;
using CustomerAdmin.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Tests.Features.Privacy;

/// <summary>The privacy services over a test database, with the documents in a temporary folder of their own.</summary>
public sealed class PrivacyRig(TestDatabase database) : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("customeradmin-privacy-").FullName;

    public DocumentOperations Documents => new(database.Factory, Options.Create(new DocumentsOptions { Folder = Folder, Store = DocumentStorage.Folder }),
        new Env(), TimeProvider.System, NullLogger<DocumentOperations>.Instance);

    /// <summary>The access log's queue the erasure records into (nothing writes it to the database here).</summary>
    public AccessLogRecorder AccessLog { get; } = new(TimeProvider.System, NullLogger<AccessLogRecorder>.Instance);

    public ErasureOperations Erasures => new(database.Factory, Documents, TimeProvider.System, AccessLog, NullLogger<ErasureOperations>.Instance);

    public SubjectAccessExport Export => new(database.Factory, Documents, Options.Create(new VenueOptions()), TimeProvider.System);

    public Task<PrivacyScenario> ScenarioAsync(CancellationToken ct) => PrivacyScenario.CreateAsync(database.Factory, Documents, DateTime.UtcNow, ct);

    /// <summary>
    /// What the accounts and the dashboard are made of, as text to compare: every dashboard summary cell, the sales and
    /// closed-ticket amounts, the SMS per status, the customer's own figures and the number of live customers.
    /// </summary>
    public static async Task<string> FiguresAsync(IDbContextFactory<AppDbContext> factory, int customerId, CancellationToken ct)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var totals = (await db.DashboardTotals.AsNoTracking().ToListAsync(ct))
            .Select(t => $"{t.Series}/{t.Day}/{t.Other}/{t.Text}={t.Value}").Order(StringComparer.Ordinal).ToList();
        var sales = (await db.Sales.Select(s => s.Total).ToListAsync(ct)).Sum();
        var tickets = (await db.Tickets.Where(t => t.FinalAmount != null).Select(t => t.FinalAmount!.Value).ToListAsync(ct)).Sum();
        var sms = (await db.SmsMessages.Select(m => m.Status).ToListAsync(ct)).GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}");
        var c = await db.Customers.AsNoTracking().FirstAsync(x => x.Id == customerId, ct);
        var live = await db.Customers.Live().CountAsync(ct);
        var lines = new List<string>(totals) { $"sales={sales}", $"tickets={tickets}" };
        lines.AddRange(sms);
        lines.Add($"customer={c.TotalSpent}/{c.VisitCount}/{c.TicketCount}/{c.LastVisitAt:O}/{c.FirstSeenAt:O}/{c.CreatedAt:O}/{c.City}/{c.Type}/{c.Status}");
        lines.Add($"live={live}");
        return string.Join("\n", lines);
    }

    public void Dispose()
    {
        if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
    }

    private sealed class Env : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "CustomerAdmin";
        public string ContentRootPath { get; set; } = Path.GetTempPath();
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
