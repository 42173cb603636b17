using System.Text.Json;
using System.Text.Json.Serialization;
using CustomerAdmin.Features.Import.Files;
using CustomerAdmin.Features.Import.Values;

namespace CustomerAdmin.Features.Import.Customers;

/// <summary>
/// What a preset keeps of a mapping: each field's column by its header name (not its position, so the next export of
/// the same system may add or reorder columns), what becomes of unmapped columns, the date order, and how the file is
/// read (delimiter, sheet). Stored as JSON in <see cref="Data.CustomerImportPreset.Mapping"/>.
/// </summary>
public sealed record CustomerImportPresetSettings(
    IReadOnlyDictionary<CustomerImportField, string> Columns,
    UnmappedColumns Unmapped = UnmappedColumns.Ignore,
    DateOrder? Dates = null,
    char? Delimiter = null,
    string? Sheet = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public static CustomerImportPresetSettings Of(CustomerImportMapping mapping, IReadOnlyList<string> headers, TabularReadOptions read) =>
        new(mapping.Columns.Where(c => c.Value >= 0 && c.Value < headers.Count).ToDictionary(c => c.Key, c => headers[c.Value]),
            mapping.Unmapped, mapping.Dates, read.Delimiter, read.Sheet);

    /// <summary>
    /// The mapping for a file with these headers: each field takes the column of the same header (ignoring case, spaces
    /// and punctuation, as the suggestions do). <paramref name="missing"/> lists the preset's columns the file lacks.
    /// </summary>
    public CustomerImportMapping ToMapping(IReadOnlyList<string> headers, out List<string> missing)
    {
        missing = [];
        var keys = headers.Select(ColumnSuggestions.Key).ToList();
        var columns = new Dictionary<CustomerImportField, int>();
        foreach (var (field, header) in Columns)
        {
            var exact = headers.ToList().FindIndex(h => string.Equals(h, header, StringComparison.OrdinalIgnoreCase));
            var column = exact >= 0 ? exact : keys.FindIndex(k => k == ColumnSuggestions.Key(header));
            if (column >= 0 && !columns.ContainsValue(column)) columns[field] = column;
            else missing.Add($"{CustomerImportLabels.Of(field)} (\"{header}\")");
        }
        return new CustomerImportMapping(columns, Unmapped, Dates);
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="JsonException">The stored text is not a preset's.</exception>
    public static CustomerImportPresetSettings FromJson(string json) =>
        JsonSerializer.Deserialize<CustomerImportPresetSettings>(json, Json) ?? throw new JsonException("The preset is empty.");
}
