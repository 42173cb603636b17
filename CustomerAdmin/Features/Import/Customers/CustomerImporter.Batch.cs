using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Dashboard;
using CustomerAdmin.Features.Duplicates.Matching;
using CustomerAdmin.Features.Duplicates.Merging;
using CustomerAdmin.Features.Duplicates.Scanning;
using CustomerAdmin.Features.Import.Legacy;
using CustomerAdmin.Features.Operations.Observability;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;

namespace CustomerAdmin.Features.Import.Customers;

public sealed partial class CustomerImporter
{
    /// <summary>The fields a row can fill or overwrite on a matched customer (type, status, consent and statistics never).</summary>
    private static readonly string[] MatchedFields =
    [
        nameof(Customer.FirstName), nameof(Customer.LastName), nameof(Customer.Name), nameof(Customer.PrimaryPhone),
        nameof(Customer.SecondaryPhone), nameof(Customer.WhatsAppPhone), nameof(Customer.Email), nameof(Customer.AddressLine1),
        nameof(Customer.AddressLine2), nameof(Customer.City), nameof(Customer.State), nameof(Customer.PostalCode),
        nameof(Customer.Country), nameof(Customer.Notes), nameof(Customer.Tags), nameof(Customer.PreferredLanguage),
        nameof(Customer.Website), nameof(Customer.TaxId), nameof(Customer.RegistrationNumber),
    ];

    /// <summary>
    /// Reads, matches and writes one batch in the run's transaction under way: in a real run the customers, their
    /// history (through the save's keepers), links and report rows; a dry run writes only the report rows. The run's
    /// counts move with the transaction's commit (<see cref="CommitAsync"/>).
    /// </summary>
    private async Task ProcessBatchAsync(RunWork work, Transaction transaction, List<ImportedCustomerRow> rows, CancellationToken ct)
    {
        var run = work.Run;
        var dry = run.DryRun;
        var db = transaction.Db;
        var stages = work.Stages;
        var lookup = await LookUpAsync(db, rows, work.Source, ct);
        stages?.Mark("look up matches (ref, phone, email)");
        var candidates = await CandidatesAsync(db, rows, lookup, ct);
        stages?.Mark("candidate scoring");
        var counts = work.Pending;
        var report = new List<(ImportReportRow Row, Customer? Customer)>(rows.Count);
        var linkedHere = new HashSet<string>(StringComparer.Ordinal);
        var created = new List<Customer>();
        var newLinks = new List<(string Reference, Customer Customer)>();
        // Matched stored customers as they were read, before the batch's rows changed them.
        var originals = new Dictionary<Customer, Customer>(ReferenceEqualityComparer.Instance);

        foreach (var row in rows)
        {
            var line = new ImportReportRow { ImportRunId = run.Id, Line = row.Line, ExternalReference = row.ExternalReference };
            if (!row.CanImport)
            {
                line.Action = ImportRowAction.Skipped;
                line.Reason = Cut(string.Join(" ", row.Errors));
                report.Add((line, null));
                continue;
            }
            var match = await MatchAsync(db, row, work.Index, lookup, candidates.GetValueOrDefault(row), ct);
            if (match?.Refusal is { } refusal)
            {
                line.Action = ImportRowAction.Skipped;
                line.Reason = Cut(refusal);
                report.Add((line, null));
                continue;
            }
            var target = match?.InFile?.Customer ?? match?.Existing;
            if (target is null)
            {
                var customer = NewCustomer(row, run);
                work.Index.Add(new FileCustomer(customer), row.ExternalReference);
                if (!dry)
                {
                    created.Add(customer);
                    if (row.ExternalReference is { } reference && linkedHere.Add(reference)) newLinks.Add((reference, customer));
                }
                line.Action = ImportRowAction.Created;
                line.NeedsReview = match?.Uncertain is not null;
                line.Reason = Cut(match?.Uncertain is { } why ? why + ": created as a new customer and sent to duplicate review." : null);
                report.Add((line, customer));
                continue;
            }

            var how = $"Matched by {match!.By}";
            if (work.OnMatch == ImportMatchMode.Skip)
            {
                line.Action = ImportRowAction.Skipped;
                line.CustomerId = target.Id == 0 ? null : target.Id;
                line.Reason = Cut($"{how} to customer {(target.Id == 0 ? "created by an earlier row" : "#" + target.Id)}; matches are skipped in this import.");
                report.Add((line, target));
                continue;
            }
            var notes = new List<string>();
            if (target.Id > 0) originals.TryAdd(target, target.Copy());
            var changes = Apply(target, row.Customer, work.OnMatch, phone => PhoneIsFree(phone, target, work.Index, lookup), notes);
            if (!dry && row.ExternalReference is { } newReference && target.Id > 0 && match.By != "external reference"
                && !lookup.ByReference.ContainsKey(newReference) && linkedHere.Add(newReference))
            {
                db.LegacyCustomerLinks.Add(new LegacyCustomerLink { Source = work.Source, LegacyId = newReference, CustomerId = target.Id, ImportRunId = run.Id });
                notes.Add($"external reference {newReference} recorded");
            }
            line.Action = changes.Count > 0 ? ImportRowAction.Updated : ImportRowAction.Unchanged;
            line.Reason = Cut(how + (notes.Count > 0 ? "; " + string.Join("; ", notes) : "") + ".");
            if (changes.Count > 0)
            {
                line.ChangedFields = Cut(string.Join(", ", changes.Select(c => c.Field)));
                line.Before = MergeValues.Serialize(changes.ToDictionary(c => c.Field, c => c.OldValue));
                line.After = MergeValues.Serialize(changes.ToDictionary(c => c.Field, c => c.NewValue));
            }
            report.Add((line, target));
        }

        stages?.Mark("match rows");
        if (!dry)
        {
            // The references recorded on matched customers (the only tracked rows).
            await db.SaveChangesAsync(ct);
            await WriteMatchedAsync(db, run, originals, ct);
            stages?.Mark("matched customers (bulk)");
            await WriteNewAsync(db, run, work.Source, created, newLinks, ct);
            stages?.Mark("new customers (bulk)");
        }
        foreach (var (line, customer) in report)
        {
            if (line.CustomerId is null && customer is { Id: > 0 }) line.CustomerId = customer.Id;
            counts.Count(line);
        }
        db.ChangeTracker.Clear();
        // A dry run has no transaction: the inserter needs the connection open.
        await using var open = await db.Database.KeepConnectionOpenAsync(ct);
        await using (var lines = new RowInserter<ImportReportRow>(db))
        {
            foreach (var (line, _) in report) await lines.AddAsync(line, ct);
            await lines.FlushAsync(ct);
        }
        stages?.Mark("report rows");
        if (!dry) AppMetrics.ImportRows.Add(report.Count, AppMetrics.Tag("import", "customers"));
        // Later batches, in this transaction or after it, find this batch's customers in the database.
        if (!dry) work.Index.Clear();
    }

    /// <summary>
    /// The batch's matched customers that changed, on the bulk path: what a save gives a changed customer (stamps, next
    /// version, history rows "by import #N" and the "contact details changed" entry, sort name and search tokens, the
    /// dashboard summary's move) from the keepers' bulk entry points, the rows written by <see cref="RowUpdater{T}"/>
    /// (only while each still has the version read: someone's save meanwhile fails the batch, as a save would), and
    /// their duplicate checks queued for the background worker, as for new customers.
    /// </summary>
    private async Task WriteMatchedAsync(AppDbContext db, ImportRun run, Dictionary<Customer, Customer> originals, CancellationToken ct)
    {
        var save = new SaveInfo(Now, ActorOf(run.Id));
        var history = new CustomerHistoryKeeper.ChangedRows();
        var changed = new List<(Customer Customer, Customer Before, List<FieldChange> Diff)>();
        foreach (var (customer, before) in originals)
        {
            var diff = CustomerHistoryKeeper.StampChanged(before, customer, save, history);
            if (diff.Count == 0) continue;
            SearchIndexKeeper.PrepareNew(customer);
            changed.Add((customer, before, diff));
        }
        if (changed.Count == 0) return;
        var moving = changed.Where(c => c.Diff.Any(d => DashboardSummary.CustomerFields.Contains(d.Field))).Select(c => c.Customer.Id).ToList();
        var summary = moving.Count == 0 ? null : await DashboardSummaryKeeper.BeginChangeAsync(db, moving, ct);
        // Each row's UPDATE sets only the columns whose value changed: SQLite rewrites an index's entry for every column
        // set, even to the same value, and a customer's indexed columns (phone, email, names' and city's sort keys) sit on
        // random pages, each written at the commit (docs/benchmarks.md, import-pages).
        var entity = db.Model.FindEntityType(typeof(Customer))!;
        var getters = UpdatedColumns.Select(name => (Name: name, Get: entity.FindProperty(name)!.GetGetter())).ToArray();
        var updaters = new Dictionary<string, RowUpdater<Customer>>(StringComparer.Ordinal);
        try
        {
            foreach (var (customer, before, _) in changed.OrderBy(c => c.Customer.Id))
            {
                var columns = getters.Where(g => StampColumns.Contains(g.Name) || !Equals(g.Get.GetClrValue(customer), g.Get.GetClrValue(before)))
                    .Select(g => g.Name).ToList();
                var key = string.Join(",", columns);
                if (!updaters.TryGetValue(key, out var updater)) updaters[key] = updater = new RowUpdater<Customer>(db, columns);
                if (!await updater.UpdateAsync(customer, before.Version, ct))
                    throw new DbUpdateConcurrencyException($"Customer #{customer.Id} was changed or deleted by someone else while the import's batch ran.");
            }
        }
        finally
        {
            foreach (var updater in updaters.Values) await updater.DisposeAsync();
        }
        await CustomerHistoryKeeper.AddChangedAsync(db, history, ct);
        await SearchIndexKeeper.ReplaceChangedAsync(db, changed.Select(c => (c.Customer, c.Diff.Select(d => d.Field))), ct);
        if (summary is not null) await DashboardSummaryKeeper.CompleteChangeAsync(db, summary, ct);
        await DuplicateChecks.QueueAsync(db, changed.Where(c => c.Diff.Any(d => MatchRecords.Fields.Contains(d.Field))).Select(c => c.Customer.Id),
            save.Now, ct);
    }

    /// <summary>What every matched customer's update writes, changed or not: the save's stamps and the next version.</summary>
    private static readonly HashSet<string> StampColumns = [nameof(Customer.UpdatedAt), nameof(Customer.UpdatedBy), nameof(Customer.Version)];

    /// <summary>What a matched customer's update may write: the fields a row can change and what moves with them.</summary>
    private static readonly string[] UpdatedColumns =
    [
        .. MatchedFields, .. SearchIndexKeeper.SortKeyColumns, nameof(Customer.PrimaryPhoneSmsCapable), nameof(Customer.UpdatedAt),
        nameof(Customer.UpdatedBy), nameof(Customer.Version),
    ];

    /// <summary>
    /// The batch's new customers through the legacy import's bulk path: what a first save gives a customer (stamps, the
    /// "(created)" history row, sort name and search tokens, the dashboard summary's move) written by the keepers' bulk
    /// entry points with <see cref="RowInserter{T}"/>, and their duplicate checks queued for the background worker
    /// (<see cref="DuplicateChecks.QueueAsync"/>), which puts uncertain ones in the review queue.
    /// </summary>
    private async Task WriteNewAsync(AppDbContext db, ImportRun run, string source, List<Customer> created,
        List<(string Reference, Customer Customer)> links, CancellationToken ct)
    {
        if (created.Count == 0) return;
        var now = Now;
        var actor = ActorOf(run.Id);
        var summary = await DashboardSummaryKeeper.BeginAddingAsync(db, [], ct);
        var standIn = new Dictionary<Customer, int>(ReferenceEqualityComparer.Instance);
        foreach (var customer in created)
        {
            SearchIndexKeeper.PrepareNew(customer);
            CustomerHistoryKeeper.StampNew(customer, now, actor);
            standIn[customer] = -(standIn.Count + 1);
        }
        summary.Start(created.Select(c => new DashboardContributions.CustomerFacts(standIn[c], c.FirstSeenAt, c.Type, c.Status, c.City)).ToList(), [], ct);
        await using (var customers = new RowInserter<Customer>(db, returningId: true))
        {
            foreach (var customer in created) customer.Id = (int)await customers.InsertReturningIdAsync(customer, ct);
        }
        await CustomerHistoryKeeper.AddNewAsync(db, created, ct);
        await SearchIndexKeeper.AddNewAsync(db, created, ct);
        if (links.Count > 0)
        {
            // Few beside the rest (one per referenced new customer): tracked, so nothing but the links is in this save.
            db.LegacyCustomerLinks.AddRange(links.Select(l => new LegacyCustomerLink
            {
                Source = source, LegacyId = l.Reference, CustomerId = l.Customer.Id, ImportRunId = run.Id,
            }));
            await db.SaveChangesAsync(ct);
        }
        await DuplicateChecks.QueueAsync(db, created.Select(c => c.Id), now, ct);
        await summary.ApplyAsync(db, created.ToDictionary(c => standIn[c], c => c.Id), ct);
    }

    private Customer NewCustomer(ImportedCustomerRow row, ImportRun run)
    {
        var customer = row.Customer.Copy();
        customer.Id = 0;
        customer.ImportRunId = run.DryRun ? null : run.Id;
        customer.Country ??= customerOptions.Value.DefaultCountry.ToUpperInvariant();
        // The source's date is when the shop first saw the customer ("customer since", the dashboard's new customers);
        // the record itself is created now, by this import.
        if (row.CustomerSince is { } since) customer.FirstSeenAt = since;
        return customer;
    }

    /// <summary>The phone belongs to no other customer (stored or created by this file), so the target may take it.</summary>
    private static bool PhoneIsFree(string phone, Customer target, FileIndex index, BatchLookup lookup) =>
        (!lookup.ByPhone.TryGetValue(phone, out var owner) || owner == target.Id)
        && (!index.ByPhone.TryGetValue(phone, out var inFile) || ReferenceEquals(inFile.Customer, target));

    /// <summary>
    /// Copies the row's values to a matched customer: only into empty fields (<see cref="ImportMatchMode.Fill"/>) or
    /// every non-empty value that differs (<see cref="ImportMatchMode.Overwrite"/>). Names only between customers of
    /// the same kind (a person's first and last name, an organisation's name). Consent is never a mapped field, so an
    /// opt-out cannot come back through an import.
    /// </summary>
    private static List<FieldChange> Apply(Customer target, Customer row, ImportMatchMode mode, Func<string, bool> phoneIsFree, List<string> notes)
    {
        var changes = new List<FieldChange>();
        foreach (var field in MatchedFields)
        {
            if (field is nameof(Customer.FirstName) or nameof(Customer.LastName) && !(target.IsIndividual && row.IsIndividual)) continue;
            if (field is nameof(Customer.Name) && (target.IsIndividual || row.IsIndividual)) continue;
            var value = MergeValues.Text(row, field);
            var current = MergeValues.Text(target, field);
            if (value is null || value == current || (mode == ImportMatchMode.Fill && current is not null)) continue;
            if (field == nameof(Customer.PrimaryPhone) && !phoneIsFree(value))
            {
                notes.Add($"the phone {value} belongs to another customer and was not copied");
                continue;
            }
            MergeValues.SetText(target, field, value);
            if (field == nameof(Customer.PrimaryPhone)) target.PrimaryPhoneSmsCapable = row.PrimaryPhoneSmsCapable;
            changes.Add(new FieldChange(field, current, value));
        }
        return changes;
    }

    private static string? Cut(string? text) => text is null || text.Length <= ImportReportRow.ReasonMax ? text : text[..(ImportReportRow.ReasonMax - 1)] + "…";
}
