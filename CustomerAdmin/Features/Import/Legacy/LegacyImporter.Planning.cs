using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Import.Legacy;

public sealed partial class LegacyImporter
{
    private const int PreviewRows = 50;

    private sealed record Planned(LegacyRow Row, CustomerRef Customer, bool NewLink);

    private async Task ProcessBatchAsync(List<LegacyRow> rows, LegacyCustomerMatcher matcher, PhoneNormalizer phones, RunState state, ImportRun? run,
        string actor, CancellationToken ct)
    {
        if (rows.Count == 0) return;
        var report = state.Report;
        var keys = rows.Select(r => r.LegacyKey).Distinct().ToList();
        Dictionary<string, int?> existing;
        await using (var db = await BatchContextAsync(ct))
        {
            // One array parameter (json_each on SQLite, = ANY on PostgreSQL), not EF's default of one parameter per key:
            // a batch has tens of thousands, beyond SQLite's limit, and SQLite binds parameters by name in quadratic time.
            existing = await db.Tickets.AsNoTracking().Where(t => EF.Parameter(keys).Contains(t.LegacyKey!))
                .Select(t => new { t.LegacyKey, t.ImportRunId }).ToDictionaryAsync(t => t.LegacyKey!, t => t.ImportRunId, ct);
        }
        report.Stages.Mark("look up imported keys");

        var plan = new List<Planned>(rows.Count);
        var inBatch = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (existing.TryGetValue(row.LegacyKey, out var byRun))
            {
                if (run is not null && byRun == run.Id) state.Duplicate(row.Line, "The same ticket as an earlier row of this file; skipped.");
                else report.TicketsAlreadyImported++;
                continue;
            }
            if (inBatch.TryGetValue(row.LegacyKey, out var firstLine))
            {
                state.Duplicate(row.Line, $"The same ticket as line {firstLine}; skipped.");
                continue;
            }
            if (state.SeenInDryRun(row.LegacyKey))
            {
                state.Duplicate(row.Line, "The same ticket as an earlier row of this file; skipped.");
                continue;
            }
            var match = matcher.Match(row);
            foreach (var conflict in match.Conflicts) state.Issue(row.Line, ImportIssueKind.Conflict, conflict);
            if (match.Error is not null)
            {
                state.Reject(row.Line, match.Error);
                continue;
            }
            var customer = match.Customer;
            if (customer is null)
            {
                var pending = NewCustomer(row, out var warning);
                var errors = CustomerRules.Normalize(pending, phones);
                if (errors.Count > 0)
                {
                    state.Reject(row.Line, "A new customer cannot be created: " + string.Join(" ", errors.Values));
                    continue;
                }
                if (warning is not null) state.Issue(row.Line, ImportIssueKind.Warning, warning);
                pending.ImportRunId = run?.Id;
                customer = matcher.AddNew(row, pending);
            }
            inBatch[row.LegacyKey] = row.Line;
            var newLink = matcher.Link(row.LegacyCustomerId, customer);
            if (!customer.Counted)
            {
                customer.Counted = true;
                if (customer.CreatedByImport && customer.Id == 0) report.CustomersCreated++;
                else if (!customer.CreatedByImport) report.CustomersMatched++;
            }
            switch (match.By)
            {
                case MatchedBy.LegacyId: report.MatchedByLegacyId++; break;
                case MatchedBy.Phone: report.MatchedByPhone++; break;
                case MatchedBy.Email: report.MatchedByEmail++; break;
            }
            report.Tickets++;
            if (report.Preview.Count < PreviewRows)
                report.Preview.Add(new(row.Line, row.LegacyCustomerId, customer.Name, customer.Phone, match.By,
                    customer.Id > 0 ? customer.Id : null, row.Status, row.Amount, row.Item));
            plan.Add(new(row, customer, newLink));
        }
        report.Stages.Mark("match and plan");
        if (run is null || plan.Count == 0) return;
        try
        {
            await WriteAsync(plan, run, report, actor, ct);
        }
        catch
        {
            // The batch was rolled back: the report must not count it.
            report.Tickets -= plan.Count;
            report.CustomersCreated -= plan.Select(p => p.Customer).Distinct().Count(c => c.Id == 0);
            throw;
        }
    }

    private Customer NewCustomer(LegacyRow row, out string? warning)
    {
        warning = null;
        var words = row.Name.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string first, last;
        if (words.Length == 1)
        {
            first = words[0];
            last = "-";
            warning = $"\"{row.Name}\" is a single word: it became the first name, with \"-\" as the last name.";
        }
        else
        {
            first = words[0];
            last = string.Join(' ', words[1..]);
        }
        return new Customer
        {
            Type = CustomerType.Individual,
            FirstName = first.Length > Customer.NameMax ? first[..Customer.NameMax] : first,
            LastName = last.Length > Customer.NameMax ? last[..Customer.NameMax] : last,
            PrimaryPhone = row.Phone ?? "",
            WhatsAppPhone = row.WhatsApp,
            Email = row.Email,
            Country = customerOptions.Value.DefaultCountry.ToUpperInvariant(),
            Notes = $"Imported from legacy customer {row.LegacyCustomerId}.",
        };
    }

    /// <summary>Counts and the capped list of issues; every issue also goes to the caller's callback as it happens.</summary>
    private sealed class RunState(ImportReport report, Action<ImportIssue>? onIssue, int maxListed, bool dryRun)
    {
        // Only the dry run needs to remember keys across batches (the real run finds earlier batches in the
        // database); 8 bytes per row.
        private readonly HashSet<long>? _dryRunKeys = dryRun ? [] : null;

        public ImportReport Report => report;

        public void Issue(long line, ImportIssueKind kind, string message)
        {
            switch (kind)
            {
                case ImportIssueKind.Rejected: report.RowsRejected++; break;
                case ImportIssueKind.Duplicate: report.DuplicateRows++; break;
                case ImportIssueKind.Conflict: report.Conflicts++; break;
                case ImportIssueKind.Warning: report.Warnings++; break;
            }
            var issue = new ImportIssue(line, kind, message);
            onIssue?.Invoke(issue);
            if (report.Issues.Count < maxListed) report.Issues.Add(issue);
            else report.IssuesNotListed++;
        }

        public void Reject(long line, string message) => Issue(line, ImportIssueKind.Rejected, message);
        public void Duplicate(long line, string message) => Issue(line, ImportIssueKind.Duplicate, message);

        public bool SeenInDryRun(string key) =>
            _dryRunKeys is not null && !_dryRunKeys.Add(Convert.ToInt64(key[..16], 16));
    }
}
