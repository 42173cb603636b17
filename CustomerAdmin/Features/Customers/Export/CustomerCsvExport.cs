using System.Globalization;
using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Events;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Customers.Export;

/// <summary>
/// The customer list, with its filters and sort and each customer's statistics, as CSV. Customers are streamed from one
/// SQL statement in the list's order; their statistics are fetched per batch of <see cref="CustomerStatsQuery.BatchSize"/>
/// by <see cref="CustomerStatsQuery.TotalsAsync"/> (what the customer page uses too) on a second context, since
/// PostgreSQL cannot run a second command while the first one's reader is open. At most three batches are held at a
/// time, so the size of the export does not change the memory it needs.
/// </summary>
public sealed class CustomerCsvExport(IDbContextFactory<AppDbContext> factory, PhoneNormalizer phones)
{
    /// <summary>How often progress is reported and the writer flushed, in rows.</summary>
    public const int ReportEvery = 5_000;

    private static readonly string[] Header =
    [
        "Id", "Name", "Type", "Status", "Tier", "Primary phone", "Secondary phone", "WhatsApp", "Email", "Address line 1",
        "Address line 2", "City", "State", "Postal code", "Country", "Tags", "Created", "Tickets", "Open tickets",
        "Closed tickets", "Cancelled tickets", "Average ticket value", "Sales", "Bookings", "Lifetime value", "Last activity",
    ];

    /// <returns>The number of customers written.</returns>
    public async Task<int> WriteAsync(Stream output, CustomerListFilter filter, VenueOptions venue, Action<int>? progress = null,
        CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var statsDb = await factory.CreateDbContextAsync(ct);
        // A long export must not hit the default 30 s command timeout on a big database.
        db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
        var customers = db.Filtered(filter, phones).AsNoTracking().Sorted(filter.Sort, filter.Descending).AsAsyncEnumerable();

        await using var writer = new StreamWriter(output, CsvText.Encoding, bufferSize: 64 * 1024, leaveOpen: true);
        var line = new StringBuilder(1024);
        await CsvText.WriteRecordAsync(writer, line, Header.Select(CsvText.Field).ToArray(), ct);
        var count = 0;
        var fields = new string[Header.Length];
        // While one batch's statistics are fetched (on the second context, on another thread), the next batch is read
        // and the previous one written: reading, aggregating and writing overlap. At most three batches are held.
        var batch = new List<Customer>(CustomerStatsQuery.BatchSize);
        (List<Customer> Customers, Task<Dictionary<int, CustomerStatsTotals>> Totals)? inFlight = null;
        try
        {
            await foreach (var customer in customers.WithCancellation(ct))
            {
                batch.Add(customer);
                if (batch.Count < CustomerStatsQuery.BatchSize) continue;
                await HandOverAsync(batch);
                batch = new List<Customer>(CustomerStatsQuery.BatchSize);
            }
            await HandOverAsync(batch);
            await HandOverAsync(null);
        }
        finally
        {
            // Leaving early (cancelled, or the client went away): the fetch still running must stop using the second
            // context before it is disposed. Its own failure, if any, is a consequence of the one already propagating.
            if (inFlight is { } running) await running.Totals.ContinueWith(_ => { }, TaskScheduler.Default);
        }
        await writer.FlushAsync(ct);
        progress?.Invoke(count);
        return count;

        // Waits for the batch in flight, starts fetching the statistics of the next one, then writes the one that arrived.
        async Task HandOverAsync(List<Customer>? next)
        {
            var arrived = inFlight;
            var totals = arrived is { } a ? await a.Totals : null;
            inFlight = next is { Count: > 0 }
                ? (next, Task.Run(() => statsDb.TotalsAsync(next.ConvertAll(c => c.Id), ct), ct))
                : null;
            if (arrived is null) return;
            foreach (var c in arrived.Value.Customers)
            {
                Fill(fields, c, CustomerStats.Compute(c, totals!.GetValueOrDefault(c.Id) ?? CustomerStatsTotals.None), venue);
                await CsvText.WriteRecordAsync(writer, line, fields, ct);
                if (++count % ReportEvery == 0)
                {
                    await writer.FlushAsync(ct);
                    progress?.Invoke(count);
                }
            }
        }
    }

    private static void Fill(string[] f, Customer c, CustomerStats s, VenueOptions venue)
    {
        var i = 0;
        f[i++] = Number(c.Id);
        f[i++] = CsvText.Field(c.FullName);
        f[i++] = CsvText.Field(CustomerLabels.Of(c.Type));
        f[i++] = CsvText.Field(CustomerLabels.Of(c.Status));
        f[i++] = CsvText.Field(CustomerLabels.Of(c.Tier));
        f[i++] = CsvText.Field(c.PrimaryPhone);
        f[i++] = CsvText.Field(c.SecondaryPhone);
        f[i++] = CsvText.Field(c.WhatsAppPhone);
        f[i++] = CsvText.Field(c.Email);
        f[i++] = CsvText.Field(c.AddressLine1);
        f[i++] = CsvText.Field(c.AddressLine2);
        f[i++] = CsvText.Field(c.City);
        f[i++] = CsvText.Field(c.State);
        f[i++] = CsvText.Field(c.PostalCode);
        f[i++] = CsvText.Field(c.Country);
        f[i++] = CsvText.Field(c.Tags);
        f[i++] = Time(c.CreatedAt, venue);
        f[i++] = Number(s.Tickets);
        f[i++] = Number(s.OpenTickets);
        f[i++] = Number(s.ClosedTickets);
        f[i++] = Number(s.CancelledTickets);
        f[i++] = Amount(s.AverageTicketValue);
        f[i++] = Number(s.Sales);
        f[i++] = Number(s.Bookings);
        f[i++] = Amount(s.LifetimeValue);
        f[i] = s.LastActivityAt is { } last ? Time(last, venue) : "";
    }

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Amount(decimal d) => d.ToString("0.00", CultureInfo.InvariantCulture);

    // Venue time, in a form every spreadsheet reads as a date.
    private static string Time(DateTime utc, VenueOptions venue) =>
        venue.ToVenue(utc).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
