using CustomerAdmin.Data;

namespace CustomerAdmin.Features.Import.Legacy;

public enum ImportIssueKind { Rejected, Duplicate, Conflict, Warning }

public sealed record ImportIssue(long Line, ImportIssueKind Kind, string Message)
{
    public override string ToString() => Line > 0 ? $"line {Line}: {Kind.ToString().ToLowerInvariant()}: {Message}" : $"{Kind.ToString().ToLowerInvariant()}: {Message}";
}

public sealed record ImportProgress(long BytesRead, long TotalBytes, int Rows)
{
    public double Percent => TotalBytes == 0 ? 100 : Math.Min(100, 100.0 * BytesRead / TotalBytes);
}

/// <summary>A row the dry run would import, for the preview table.</summary>
public sealed record ImportPreviewRow(long Line, string LegacyCustomerId, string Name, string? Phone, MatchedBy By, int? CustomerId,
    TicketStatus Status, decimal? Amount, string? Item);

public sealed class ImportReport
{
    public bool DryRun { get; init; }
    public string FileName { get; init; } = "";
    public int? RunId { get; set; }
    /// <summary>Set when the import stopped (a missing column, an empty file, a database error, cancellation).</summary>
    public string? FatalError { get; set; }
    public string? EncodingWarning { get; set; }
    public bool Succeeded => FatalError is null;

    public int RowsRead { get; set; }
    public int Tickets { get; set; }
    public int TicketsAlreadyImported { get; set; }
    public int DuplicateRows { get; set; }
    public int CustomersCreated { get; set; }
    public int CustomersMatched { get; set; }
    public int MatchedByLegacyId { get; set; }
    public int MatchedByPhone { get; set; }
    public int MatchedByEmail { get; set; }
    public int RowsRejected { get; set; }
    public int Conflicts { get; set; }
    public int Warnings { get; set; }
    public List<ImportIssue> Issues { get; } = [];
    public int IssuesNotListed { get; set; }
    public List<ImportPreviewRow> Preview { get; } = [];
    public TimeSpan Elapsed { get; set; }
    /// <summary>Wall and process CPU time per stage of the run, for the benchmark and the logs.</summary>
    public ImportStageTimes Stages { get; } = new();
    /// <summary>Wall time the reading thread spent reading and parsing (the rest it waited for the writer).</summary>
    public TimeSpan ReadingThreadBusy { get; set; }

    public string Summary => (DryRun ? "Dry run (nothing written): " : "")
        + $"{RowsRead:N0} rows read; {Tickets:N0} tickets {(DryRun ? "to import" : "imported")}, {TicketsAlreadyImported:N0} already imported before, "
        + $"{DuplicateRows:N0} duplicate rows skipped; {CustomersCreated:N0} customers {(DryRun ? "to create" : "created")}, "
        + $"{CustomersMatched:N0} existing customers matched (by legacy id {MatchedByLegacyId:N0}, phone {MatchedByPhone:N0}, email {MatchedByEmail:N0} rows); "
        + $"{RowsRejected:N0} rows rejected, {Conflicts:N0} conflicts, {Warnings:N0} warnings.";
}

public sealed record UndoResult(bool Done, string Message, int TicketsDeleted = 0, int CustomersDeleted = 0, int CustomersAdjusted = 0);
