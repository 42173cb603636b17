using System.Text;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Features.Customers;

namespace CustomerAdmin.Features.Import.Legacy;

/// <summary>One CSV record: its fields and the physical line it starts on; <see cref="Error"/> when it could not be read.</summary>
public sealed record CsvRecord(long Line, string[] Fields, string? Error = null);

/// <summary>
/// A streaming RFC 4180 reader (quotes, doubled quotes, delimiters and newlines inside quoted fields). It never
/// holds more than one record, and a record longer than the limit is skipped and reported rather than buffered,
/// so a 10 MB line or an unclosed quote cannot exhaust memory.
/// </summary>
public sealed class LegacyCsvReader(TextReader reader, char delimiter, int maxRecordLength)
{
    private readonly StringBuilder _field = new();
    private readonly List<string> _fields = [];
    private long _line = 1;

    public async IAsyncEnumerable<CsvRecord> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var buffer = new char[16384];
        var pos = 0;
        var len = 0;
        while (true)
        {
            var startLine = _line;
            _fields.Clear();
            _field.Clear();
            var recordLength = 0;
            var inQuotes = false;
            var quotedField = false;
            var tooLong = false;
            var ended = false;
            var any = false;
            while (true)
            {
                if (pos == len)
                {
                    ct.ThrowIfCancellationRequested();
                    len = await reader.ReadAsync(buffer, ct);
                    pos = 0;
                    if (len == 0) { ended = true; break; }
                }
                var c = buffer[pos++];
                any = true;
                if (c == '\n') _line++;
                if (inQuotes)
                {
                    if (c == '"')
                    {
                        if (pos == len)
                        {
                            len = await reader.ReadAsync(buffer, ct);
                            pos = 0;
                        }
                        if (pos < len && buffer[pos] == '"') { pos++; Append('"'); }
                        else inQuotes = false;
                    }
                    else Append(c);
                    continue;
                }
                if (c == '"' && _field.Length == 0 && !quotedField) { inQuotes = true; quotedField = true; continue; }
                if (c == delimiter) { EndField(); quotedField = false; continue; }
                if (c == '\r') continue;
                if (c == '\n') break;
                Append(c);
            }
            if (ended && !any) yield break;
            if (tooLong)
            {
                yield return new CsvRecord(startLine, [], inQuotes
                    ? $"The record starting here is longer than {maxRecordLength:N0} characters and a quote is never closed; skipped to the end of the file."
                    : $"The line is longer than {maxRecordLength:N0} characters; skipped.");
            }
            else if (inQuotes)
            {
                yield return new CsvRecord(startLine, [], "A quoted field is never closed; the rest of the file was skipped.");
            }
            else
            {
                EndField();
                // A blank line is not a row.
                if (!(_fields.Count == 1 && _fields[0].Length == 0))
                    yield return new CsvRecord(startLine, _fields.ToArray());
            }
            if (ended) yield break;

            void Append(char ch)
            {
                if (++recordLength > maxRecordLength) { tooLong = true; return; }
                _field.Append(ch);
            }
        }
    }

    private void EndField()
    {
        _fields.Add(_field.ToString());
        _field.Clear();
    }
}
