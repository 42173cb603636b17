using System.Diagnostics;
using System.Threading.Channels;

namespace CustomerAdmin.Features.Import.Legacy;

public sealed partial class LegacyImporter
{
    /// <summary>One record as the reading thread saw it: a row, or why not, and its warnings.</summary>
    private readonly record struct ParsedRecord(long Line, LegacyRow? Row, string? Error, string[]? Warnings);

    /// <summary>Records up to and including the one that completed a batch of rows; <see cref="Last"/> for the end of the file.</summary>
    private sealed record ParsedBatch(List<ParsedRecord> Items, long Position, bool Last);

    /// <summary>
    /// The reading thread: records into parsed batches of <see cref="LegacyImportOptions.BatchSize"/> rows (records in
    /// between that are rejected ride along with the batch), then one last batch with the rest of the file.
    /// </summary>
    private async Task ReadBatchesAsync(IAsyncEnumerator<CsvRecord> records, LegacyRowParser parser, Stream stream,
        ChannelWriter<ParsedBatch> output, ImportReport report, CancellationToken ct)
    {
        var busy = new Stopwatch();
        try
        {
            var items = new List<ParsedRecord>(_options.BatchSize + 16);
            var rows = 0;
            busy.Start();
            while (await records.MoveNextAsync())
            {
                var record = records.Current;
                if (record.Error is not null)
                {
                    items.Add(new(record.Line, null, record.Error, null));
                    continue;
                }
                var (row, error) = parser.Parse(record);
                items.Add(new(record.Line, row, error, parser.Warnings.Count == 0 ? null : [.. parser.Warnings]));
                if (row is null || ++rows < _options.BatchSize) continue;
                busy.Stop();
                await output.WriteAsync(new(items, stream.Position, Last: false), ct);
                busy.Start();
                items = new List<ParsedRecord>(_options.BatchSize + 16);
                rows = 0;
            }
            busy.Stop();
            await output.WriteAsync(new(items, stream.Length, Last: true), ct);
        }
        finally
        {
            output.TryComplete();
            report.ReadingThreadBusy = busy.Elapsed;
        }
    }
}
