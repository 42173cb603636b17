using CustomerAdmin.Common;
using CustomerAdmin.Features.Import.Files;
using CustomerAdmin.Features.Import.Values;

namespace CustomerAdmin.Features.Import.Customers;

/// <summary>
/// The mapping step's preview: the first rows as they will be stored, each with its problems, and whether the user
/// must say how the file writes dates (<see cref="DateOrderNeeded"/>: every date read fits both day-first and
/// month-first, and the mapping does not say).
/// </summary>
public sealed record CustomerImportPreview(IReadOnlyList<ImportedCustomerRow> Rows, DateOrder Dates, bool DateOrderNeeded,
    IReadOnlyList<string> MappingProblems, bool FileHasRows)
{
    /// <summary>How many rows are read to learn the date order: enough for a day over 12 to turn up.</summary>
    public const int DateSample = 2000;

    public static async Task<CustomerImportPreview> BuildAsync(TabularFile file, CustomerImportMapping mapping, PhoneNormalizer phones,
        int rows = 20, CancellationToken ct = default)
    {
        var problems = mapping.Problems(file.Headers);
        var sample = new List<TabularRow>();
        await foreach (var row in file.RowsAsync(ct))
        {
            sample.Add(row);
            if (sample.Count >= Math.Max(rows, DateSample)) break;
        }
        var detected = mapping.ColumnOf(CustomerImportField.CustomerSince) is { } column
            ? ImportDates.Detect(sample.Select(r => column < r.Cells.Length ? r.Cells[column] : ""))
            : DateOrder.Iso;
        var needed = detected is null && mapping.Dates is null;
        var dates = mapping.Dates ?? detected ?? DateOrder.DayFirst;
        var reader = new CustomerRowReader(mapping, file.Headers, phones, dates);
        var shown = problems.Count > 0 ? [] : sample.Take(rows).Select(reader.Read).ToList();
        return new CustomerImportPreview(shown, dates, needed, problems, sample.Count > 0);
    }
}
