using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Search;

namespace CustomerAdmin.Features.Customers.Bulk;

public enum BulkActionKind { AddTags, RemoveTags, RenameTags, SetStatus, Delete }

/// <summary>
/// One change to many customers. Tags are compared as search compares them (case and accents ignored), so "VIP" is not
/// added to a customer tagged "vip", and removing "jose" removes "José".
/// </summary>
public sealed record BulkAction
{
    /// <summary>The longest single tag: a tag is one search token (<see cref="CustomerSearchToken.TokenMax"/>).</summary>
    public const int TagMax = CustomerSearchToken.TokenMax;

    public BulkActionKind Kind { get; private init; }
    /// <summary>The tags added or removed; for <see cref="BulkActionKind.RenameTags"/>, the tags renamed.</summary>
    public IReadOnlyList<string> Tags { get; private init; } = [];
    /// <summary>For <see cref="BulkActionKind.RenameTags"/>: the name they get (an existing tag's name merges them into it).</summary>
    public string? NewTag { get; private init; }
    /// <summary>For <see cref="BulkActionKind.SetStatus"/>: the status and why (recorded with each change).</summary>
    public CustomerStatus? Status { get; private init; }
    public string? Reason { get; private init; }

    public static BulkAction AddTags(IEnumerable<string> tags) => new() { Kind = BulkActionKind.AddTags, Tags = Clean(tags) };
    public static BulkAction RemoveTags(IEnumerable<string> tags) => new() { Kind = BulkActionKind.RemoveTags, Tags = Clean(tags) };
    public static BulkAction RenameTags(IEnumerable<string> tags, string newTag) =>
        new() { Kind = BulkActionKind.RenameTags, Tags = Clean(tags), NewTag = newTag.Trim() };
    public static BulkAction Delete() => new() { Kind = BulkActionKind.Delete };
    public static BulkAction SetStatus(CustomerStatus status, string? reason) =>
        new() { Kind = BulkActionKind.SetStatus, Status = status, Reason = reason?.Trim() };

    /// <summary>What the action does, in a sentence's words ("add the tags vip, events").</summary>
    public string Describe() => Kind switch
    {
        BulkActionKind.AddTags => $"add {TagWords(Tags)}",
        BulkActionKind.RemoveTags => $"remove {TagWords(Tags)}",
        BulkActionKind.RenameTags => $"rename {TagWords(Tags)} to \"{NewTag}\"",
        BulkActionKind.SetStatus => $"set the status to {Status}",
        _ => "delete",
    };

    /// <summary>The reason the action cannot run as typed (no tag, a comma in one, too long), at the field "Tags".</summary>
    public void Validate()
    {
        if (Kind == BulkActionKind.Delete) return;
        if (Kind == BulkActionKind.SetStatus)
        {
            RuleViolationException.ThrowFirst(CustomerAdmin.Features.Customers.Status.CustomerStatusOperations.Validate(Status ?? CustomerStatus.Deleted, Reason));
            return;
        }
        if (Tags.Count == 0) throw new RuleViolationException("Type at least one tag.", nameof(Tags));
        foreach (var tag in Tags) CheckTag(tag, nameof(Tags));
        if (Kind == BulkActionKind.RenameTags) CheckTag(NewTag ?? "", nameof(NewTag));
    }

    private static void CheckTag(string tag, string field)
    {
        if (tag.Length == 0) throw new RuleViolationException("Type the tag's new name.", field);
        if (SearchText.Fold(tag).Length == 0) throw new RuleViolationException($"\"{tag}\" has nothing a tag can be found by.", field);
        if (tag.Length > TagMax) throw new RuleViolationException($"A tag has at most {TagMax} characters.", field);
    }

    /// <summary>The customer's tags after the action, or the same list when it changes nothing for them.</summary>
    public IReadOnlyList<string> ApplyTo(IReadOnlyList<string> tags)
    {
        var result = tags.ToList();
        switch (Kind)
        {
            case BulkActionKind.AddTags:
                foreach (var tag in Tags.Where(t => !result.Any(r => SameTag(r, t)))) result.Add(tag);
                break;
            case BulkActionKind.RemoveTags:
                result.RemoveAll(r => Tags.Any(t => SameTag(r, t)));
                break;
            case BulkActionKind.RenameTags:
                var at = result.FindIndex(r => Tags.Any(t => SameTag(r, t)));
                if (at < 0) break;
                result.RemoveAll(r => Tags.Any(t => SameTag(r, t)));
                // Merging into a tag the customer already has keeps that one where it was.
                if (!result.Any(r => SameTag(r, NewTag!))) result.Insert(Math.Min(at, result.Count), NewTag!);
                break;
        }
        return result;
    }

    public static bool SameTag(string a, string b) => SearchText.Fold(a) == SearchText.Fold(b);

    private static string TagWords(IReadOnlyList<string> tags) =>
        (tags.Count == 1 ? "the tag " : "the tags ") + string.Join(", ", tags.Select(t => $"\"{t}\""));

    private static List<string> Clean(IEnumerable<string> tags) =>
        tags.SelectMany(t => (t ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
}

/// <summary>
/// The customers a bulk action applies to: rows ticked on the list, every customer the list's filter matches (resolved
/// in batches by the operation, never loaded at once), or every customer with one of some tags (the tags page).
/// </summary>
public sealed record CustomerSelection
{
    public IReadOnlyList<int>? Ids { get; private init; }
    public CustomerListFilter? Filter { get; private init; }
    /// <summary>Folded, as the search index keeps tags.</summary>
    public IReadOnlyList<string>? TaggedAny { get; private init; }

    public bool IsAllMatching => Filter is not null;

    public static CustomerSelection Of(IEnumerable<int> ids) => new() { Ids = ids.Distinct().ToList() };

    public static CustomerSelection AllMatching(CustomerListFilter filter) => new() { Filter = filter };

    public static CustomerSelection Tagged(IEnumerable<string> tags) =>
        new() { TaggedAny = tags.Select(t => SearchText.Truncate(SearchText.Fold(t.Trim()))).Where(t => t.Length > 0).Distinct().ToList() };

    /// <summary>The selected customers as a query (the list's own for "all matching").</summary>
    public IQueryable<Customer> Query(AppDbContext db, PhoneNormalizer phones)
    {
        if (Filter is not null) return db.Filtered(Filter, phones);
        if (TaggedAny is not null)
        {
            var tags = TaggedAny.ToList();
            return db.Customers.Where(c => db.CustomerSearchTokens.Any(t => t.CustomerId == c.Id && t.Kind == SearchTokenKind.Tag && tags.Contains(t.Token)));
        }
        var ids = (Ids ?? []).ToList();
        return db.Customers.Where(c => ids.Contains(c.Id));
    }
}

public sealed record BulkRefusal(int CustomerId, string Name, string Reason);

/// <summary>What an action would do to a selection: how many customers it changes, leaves as they are, or may not touch (and why).</summary>
public sealed record BulkPreview(int Selected, int WillChange, int Unchanged, int RefusedCount, IReadOnlyList<BulkRefusal> Refused);
