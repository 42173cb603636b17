using CustomerAdmin.Features.Import.Files;

namespace CustomerAdmin.Features.Import.Legacy;

/// <summary>One CSV record: its fields and the physical line it starts on; <see cref="Error"/> when it could not be read.</summary>
public sealed record CsvRecord(long Line, string[] Fields, string? Error = null);

/// <summary>
/// The legacy ticket file's records, parsed by Sep as the customer import parses its files
/// (<see cref="TabularFile.OpenCsv"/>: quotes, doubled quotes, delimiters and newlines inside quoted fields), one record
/// at a time. A record longer than the limit is skipped and reported, and a quote never closed (Sep then reads the
/// rest of the file as one field) is reported instead of read as data. Unlike the hand-written reader this replaces,
/// Sep holds a whole record in memory before it can be measured (a 10 MB line: about 20 MB) and treats a quote in the
/// middle of an unquoted field as opening a quoted section.
/// </summary>
public sealed class LegacyCsvReader(TextReader reader, char delimiter, int maxRecordLength)
{
    public async IAsyncEnumerable<CsvRecord> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        // Sep disposes the reader it reads; this one is the caller's (the importer reads its stream's position after).
        using var sep = TabularFile.OpenCsv(new Borrowed(reader), delimiter);
        while (sep.MoveNext())
        {
            ct.ThrowIfCancellationRequested();
            var record = Read(sep.Current);
            // A blank line is not a row.
            if (record is { Error: null, Fields: [{ Length: 0 }] }) continue;
            yield return record;
        }
        await Task.CompletedTask;
    }

    private CsvRecord Read(nietras.SeparatedValues.SepReader.Row row)
    {
        // Read the raw text before any column: unescaping rewrites it in place. In a record Sep ended anywhere but at
        // the end of the file the quotes pair up, so an odd count means a quote that was never closed.
        var raw = row.Span;
        var unclosed = raw.Count('"') % 2 == 1;
        if (raw.Length > maxRecordLength)
        {
            return new CsvRecord(row.LineNumberFrom, [], unclosed
                ? $"The record starting here is longer than {maxRecordLength:N0} characters and a quote is never closed; skipped to the end of the file."
                : $"The line is longer than {maxRecordLength:N0} characters; skipped.");
        }
        if (unclosed) return new CsvRecord(row.LineNumberFrom, [], "A quoted field is never closed; the rest of the file was skipped.");
        var fields = new string[row.ColCount];
        for (var i = 0; i < fields.Length; i++) fields[i] = row[i].ToString();
        return new CsvRecord(row.LineNumberFrom, fields);
    }

    /// <summary>The caller's reader, left open when Sep is done with it.</summary>
    private sealed class Borrowed(TextReader inner) : TextReader
    {
        public override int Peek() => inner.Peek();
        public override int Read() => inner.Read();
        public override int Read(char[] buffer, int index, int count) => inner.Read(buffer, index, count);
        public override int Read(Span<char> buffer) => inner.Read(buffer);
        public override Task<int> ReadAsync(char[] buffer, int index, int count) => inner.ReadAsync(buffer, index, count);
        public override ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
    }
}
