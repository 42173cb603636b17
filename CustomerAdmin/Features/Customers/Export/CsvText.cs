using System.Text;
using CustomerAdmin.Features.Customers;

namespace CustomerAdmin.Features.Customers.Export;

/// <summary>RFC 4180 fields, with spreadsheet formula injection neutralised.</summary>
public static class CsvText
{
    /// <summary>UTF-8 with a byte-order mark: without it Excel reads the file as the machine's ANSI code page.</summary>
    public static readonly Encoding Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);

    /// <summary>
    /// A text value as one field. A value a spreadsheet could run as a formula gets a leading single quote, so it shows
    /// as text (OWASP's CSV injection advice): one starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, their
    /// full-width forms, a tab, a carriage return or a line feed, also behind leading whitespace (spreadsheets skip it
    /// before they look for a formula). E.164 phone numbers start with <c>+</c> and get the quote too, which also keeps
    /// them from being read as numbers. A field with a comma, a semicolon (the delimiter Excel uses in locales with a
    /// decimal comma), a quote or a line break is quoted.
    /// </summary>
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (StartsFormula(value)) value = "'" + value;
        return value.AsSpan().IndexOfAny(",;\"\r\n") >= 0 || value[0] == ' ' || value[^1] == ' '
            ? "\"" + value.Replace("\"", "\"\"") + "\""
            : value;
    }

    /// <summary>
    /// A cell read back from a file this app exported, without the quote <see cref="Field"/> put in front of it, so
    /// importing an export gives back what was stored (<c>'+12127365000</c> is the phone <c>+12127365000</c>). A value
    /// stored as a quote followed by a formula character comes back without its quote: the price of reading exports.
    /// </summary>
    public static string Restore(string cell) =>
        cell.Length > 1 && cell[0] == '\'' && StartsFormula(cell.AsSpan(1)) ? cell[1..] : cell;

    private static bool StartsFormula(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (c is '=' or '+' or '-' or '@' or '\t' or '\r' or '\n' or '＝' or '＋' or '－' or '＠') return true;
            if (!char.IsWhiteSpace(c)) return false;
        }
        return false;
    }

    /// <summary>
    /// Writes one record, <paramref name="fields"/> already escaped by <see cref="Field"/> or numbers, through
    /// <paramref name="line"/> (reused by the caller). Asynchronously: a <see cref="StreamWriter"/> writes to its stream
    /// whenever its buffer fills, and an HTTP response body refuses synchronous writes.
    /// </summary>
    public static Task WriteRecordAsync(TextWriter writer, StringBuilder line, IReadOnlyList<string> fields, CancellationToken ct)
    {
        line.Clear();
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0) line.Append(',');
            line.Append(fields[i]);
        }
        line.Append("\r\n");
        return writer.WriteAsync(line, ct);
    }
}
