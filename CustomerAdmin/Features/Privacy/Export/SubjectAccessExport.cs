using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Documents;
using CustomerAdmin.Features.Duplicates.Merging;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Privacy.Export;

/// <summary>
/// The subject access export: one ZIP with everything held about a person, written as it is read. Inside: a JSON file of
/// every row of every table in <see cref="PersonalData.Tables"/> for the customer and the records merged into it (plus
/// the lines of their sales and the events they booked), a human-readable HTML summary of the same rows, and the
/// document files. Every write to the output is asynchronous (Kestrel refuses synchronous I/O).
/// </summary>
public sealed class SubjectAccessExport(IDbContextFactory<AppDbContext> factory, DocumentOperations documents,
    IOptions<VenueOptions> venue, TimeProvider time)
{
    public const string JsonEntry = "personal-data.json";
    public const string HtmlEntry = "summary.html";
    public const string DocumentsFolder = "documents/";

    private static readonly JsonWriterOptions JsonOptions = new() { Indented = true };

    /// <summary>The record an export of <paramref name="customerId"/> is about (the survivor of a merged one); null when there is none.</summary>
    public async Task<int?> SubjectOfAsync(int customerId, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await db.Customers.AnyAsync(c => c.Id == customerId, ct)) return null;
        return await db.SurvivorOfAsync(customerId, ct);
    }

    /// <summary>The download's file name.</summary>
    public string FileName(int customerId) =>
        $"customer-{customerId}-personal-data-{venue.Value.Today(time).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.zip";

    /// <returns>How many rows and documents went into the file.</returns>
    public async Task<(int Rows, int Documents)> WriteAsync(int customerId, Stream output, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var subject = await db.SurvivorOfAsync(customerId, ct);
        var ids = await PersonalData.RecordsAsync(db, subject, ct);
        var tables = await ReadAsync(db, ids, ct);
        var exportedAt = time.GetUtcNow().UtcDateTime;

        await using var buffer = new ZipOutput(output);
        var files = 0;
        var zip = await ZipArchive.CreateAsync(buffer, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ct);
        await using (zip)
        {
            await using (var json = await zip.CreateEntry(JsonEntry).OpenAsync(ct))
                await WriteJsonAsync(json, subject, ids, exportedAt, tables, () => buffer.DrainAsync(ct), ct);
            await buffer.DrainAsync(ct);
            await using (var html = await zip.CreateEntry(HtmlEntry).OpenAsync(ct))
                await WriteHtmlAsync(html, subject, ids, exportedAt, tables, ct);
            await buffer.DrainAsync(ct);
            foreach (var document in tables.Where(t => t.Entity.ClrType == typeof(CustomerDocument)).SelectMany(t => t.Rows).Cast<CustomerDocument>())
            {
                if (!await documents.Store.ExistsAsync(document, ct)) continue;
                await using var content = documents.Store.OpenRead(document);
                // Already compressed formats (PDF, images, Office zips) gain nothing from a second deflate.
                await using (var entry = await zip.CreateEntry(DocumentEntryName(document), CompressionLevel.NoCompression).OpenAsync(ct))
                {
                    var chunk = new byte[81920];
                    int read;
                    while ((read = await content.ReadAsync(chunk, ct)) > 0)
                    {
                        await entry.WriteAsync(chunk.AsMemory(0, read), ct);
                        await buffer.DrainAsync(ct);
                    }
                }
                await buffer.DrainAsync(ct);
                files++;
            }
        }
        await buffer.DrainAsync(ct);
        return (tables.Sum(t => t.Rows.Count), files);
    }

    public static string DocumentEntryName(CustomerDocument document) =>
        $"{DocumentsFolder}{document.Id}-{DocumentFileName.Sanitize(document.FileName).Name}";

    /// <summary>Every customer-keyed table's rows of these records, the customer rows first; then the sales' lines and the booked events.</summary>
    private static async Task<List<(IEntityType Entity, List<object> Rows)>> ReadAsync(AppDbContext db, List<int> ids, CancellationToken ct)
    {
        var tables = new List<(IEntityType Entity, List<object> Rows)>
        {
            (db.Model.FindEntityType(typeof(Customer))!,
                (await db.Customers.AsNoTracking().Where(c => ids.Contains(c.Id)).OrderBy(c => c.Id).ToListAsync(ct)).Cast<object>().ToList()),
        };
        foreach (var (entity, columns, _) in PersonalData.Checked(db.Model))
            tables.Add((entity, await PersonalData.ListAsync(db, entity, columns, ids, ct)));

        var saleIds = tables.Where(t => t.Entity.ClrType == typeof(Sale)).SelectMany(t => t.Rows).Cast<Sale>().Select(s => s.Id).ToList();
        var lines = await db.SaleLines.AsNoTracking().Where(l => saleIds.Contains(l.SaleId)).OrderBy(l => l.SaleId).ThenBy(l => l.Id).ToListAsync(ct);
        tables.Add((db.Model.FindEntityType(typeof(SaleLine))!, lines.Cast<object>().ToList()));
        var eventIds = tables.Where(t => t.Entity.ClrType == typeof(Booking)).SelectMany(t => t.Rows).Cast<Booking>().Select(b => b.EventId).Distinct().ToList();
        var events = await db.Events.AsNoTracking().Where(e => eventIds.Contains(e.Id)).OrderBy(e => e.StartsAt).ToListAsync(ct);
        tables.Add((db.Model.FindEntityType(typeof(Event))!, events.Cast<object>().ToList()));
        return tables;
    }

    private static async Task WriteJsonAsync(Stream stream, int subject, List<int> ids, DateTime exportedAt,
        List<(IEntityType Entity, List<object> Rows)> tables, Func<Task> drainAsync, CancellationToken ct)
    {
        await using var json = new Utf8JsonWriter(stream, JsonOptions);
        json.WriteStartObject();
        json.WriteNumber("customerId", subject);
        json.WriteStartArray("records");
        foreach (var id in ids) json.WriteNumberValue(id);
        json.WriteEndArray();
        json.WriteString("exportedAt", exportedAt);
        json.WriteStartObject("tables");
        foreach (var (entity, rows) in tables)
        {
            json.WriteStartArray(entity.ClrType.Name);
            foreach (var row in rows)
            {
                json.WriteStartObject();
                foreach (var (name, value) in PersonalData.Values(entity, row))
                {
                    json.WritePropertyName(name);
                    WriteValue(json, value);
                }
                json.WriteEndObject();
                if (json.BytesPending > 32 * 1024)
                {
                    await json.FlushAsync(ct);
                    await drainAsync();
                }
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(ct);
    }

    private static void WriteValue(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null: json.WriteNullValue(); break;
            case string s: json.WriteStringValue(s); break;
            case bool b: json.WriteBooleanValue(b); break;
            case int i: json.WriteNumberValue(i); break;
            case long l: json.WriteNumberValue(l); break;
            case decimal d: json.WriteNumberValue(d); break;
            case double d: json.WriteNumberValue(d); break;
            case DateTime t: json.WriteStringValue(DateTime.SpecifyKind(t, DateTimeKind.Utc)); break;
            case Enum e: json.WriteStringValue(e.ToString()); break;
            default: json.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    private async Task WriteHtmlAsync(Stream stream, int subject, List<int> ids, DateTime exportedAt,
        List<(IEntityType Entity, List<object> Rows)> tables, CancellationToken ct)
    {
        var html = HtmlEncoder.Default;
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 16 * 1024, leaveOpen: true);
        var customer = (Customer?)tables[0].Rows.FirstOrDefault(r => ((Customer)r).Id == subject);
        await writer.WriteAsync(new StringBuilder()
            .Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Personal data held about customer ")
            .Append(subject).Append("</title>\n<style>body{font-family:sans-serif;margin:1rem}table{border-collapse:collapse;margin-bottom:1.5rem}")
            .Append("th,td{border:1px solid #999;padding:2px 6px;text-align:left;vertical-align:top}</style></head><body>\n")
            .Append("<h1>Personal data held about ").Append(html.Encode(customer?.FullName ?? $"customer {subject}")).Append("</h1>\n")
            .Append("<p>Customer ").Append(subject)
            .Append(ids.Count > 1 ? $" (with the records merged into it: {string.Join(", ", ids.Skip(1))})" : "")
            .Append(". Exported ").Append(html.Encode(venue.Value.Display(exportedAt))).Append(" (").Append(html.Encode(venue.Value.TimeZone))
            .Append("). The same data, machine-readable, is in ").Append(JsonEntry).Append("; the documents are in ").Append(DocumentsFolder)
            .Append(".</p>\n").ToString().AsMemory(), ct);
        foreach (var (entity, rows) in tables)
        {
            var text = new StringBuilder();
            text.Append("<h2>").Append(html.Encode(Label(entity.ClrType.Name))).Append(" (").Append(rows.Count).Append(")</h2>\n");
            if (rows.Count == 0)
            {
                text.Append("<p>None.</p>\n");
            }
            else
            {
                var columns = entity.GetProperties().Where(p => p.PropertyInfo is not null || p.FieldInfo is not null).Select(p => p.Name).ToList();
                text.Append("<table><thead><tr>");
                foreach (var column in columns) text.Append("<th>").Append(html.Encode(column)).Append("</th>");
                text.Append("</tr></thead><tbody>\n");
                foreach (var row in rows)
                {
                    text.Append("<tr>");
                    foreach (var (_, value) in PersonalData.Values(entity, row))
                        text.Append("<td>").Append(html.Encode(Show(value))).Append("</td>");
                    text.Append("</tr>\n");
                }
                text.Append("</tbody></table>\n");
            }
            await writer.WriteAsync(text.ToString().AsMemory(), ct);
        }
        await writer.WriteAsync("</body></html>\n".AsMemory(), ct);
        await writer.FlushAsync(ct);
    }

    private string Show(object? value) => value switch
    {
        null => "",
        DateTime t => venue.Value.Display(t),
        decimal d => d.ToString("0.00", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>"SmsMessage" → "Sms message".</summary>
    private static string Label(string typeName)
    {
        var text = new StringBuilder();
        foreach (var ch in typeName)
        {
            if (char.IsUpper(ch) && text.Length > 0 && !char.IsUpper(text[^1])) text.Append(' ').Append(char.ToLowerInvariant(ch));
            else text.Append(ch);
        }
        return text.ToString();
    }
}
