using System.Text;
using CustomerAdmin.Features.Customers;

namespace CustomerAdmin.Features.Customers.Export;

/// <summary>RFC 4180 fields, with spreadsheet formula injection neutralised.</summary>
public static class CsvText
{
    /// <summary>UTF-8 with a byte-order mark: without it Excel reads the file as the machine's ANSI code page.</summary>
    public static readonly Encoding Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);

    /// <summary>
    /// A text value as one field. A value a spreadsheet would run as a formula (starting with <c>=</c>, <c>+</c>,
    /// <c>-</c>, <c>@</c>, a tab or a carriage return) gets a leading single quote, so it shows as text (OWASP's
    /// advice); phone numbers in E.164 start with <c>+</c> and are quoted too, which keeps them from becoming numbers.
    /// </summary>
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 || value[0] == ' ' || value[^1] == ' '
            ? "\"" + value.Replace("\"", "\"\"") + "\""
            : value;
    }

    /// <summary>Writes one record; <paramref name="fields"/> are already escaped by <see cref="Field"/> or are numbers.</summary>
    public static void WriteRecord(TextWriter writer, IReadOnlyList<string> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0) writer.Write(',');
            writer.Write(fields[i]);
        }
        writer.Write("\r\n");
    }
}
