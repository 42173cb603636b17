using System.Reflection;
using System.Text.Json;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;

namespace CustomerAdmin.Features.Duplicates.Merging;

/// <summary>
/// The merge's arithmetic on two customers' values, with nothing read or written: which fields the user chooses,
/// the default choice, tags united, notes joined, the SMS consent that survives, and the JSON snapshots an undo reads.
/// </summary>
public static class MergeValues
{
    /// <summary>Fields whose value the user picks from one of the two records (the form's fields but the status, tags and notes).</summary>
    public static IReadOnlyList<string> Chosen { get; } = CustomerOperations.FormFields
        .Where(f => f is not (nameof(Customer.Status) or nameof(Customer.Tags) or nameof(Customer.Notes) or nameof(Customer.PrimaryPhoneSmsCapable)))
        .ToList();

    public static IReadOnlyList<string> ConsentFields { get; } =
    [
        nameof(Customer.SmsOptedIn), nameof(Customer.SmsOptedInAt), nameof(Customer.SmsOptInSource),
        nameof(Customer.SmsOptedOutAt), nameof(Customer.SmsOptOutSource),
    ];

    /// <summary>Everything a merge may change on the survivor, and so everything its undo may put back.</summary>
    public static IReadOnlyList<string> SurvivorFields { get; } =
        [.. Chosen, nameof(Customer.PrimaryPhoneSmsCapable), nameof(Customer.Tags), nameof(Customer.Notes), .. ConsentFields, nameof(Customer.FirstSeenAt)];

    /// <summary>The survivor has been a customer since the earlier of the two records' first-seen dates.</summary>
    public static DateTime FirstSeen(Customer survivor, Customer other) =>
        other.FirstSeenAt < survivor.FirstSeenAt ? other.FirstSeenAt : survivor.FirstSeenAt;

    /// <summary>What a merge changes on the merged record, besides nothing else.</summary>
    public static IReadOnlyList<string> MergedFields { get; } = [nameof(Customer.Status), nameof(Customer.MergedIntoId)];

    public const string NotesSeparator = "\n\n";

    private static PropertyInfo Property(string field) => typeof(Customer).GetProperty(field)!;

    public static object? Get(Customer c, string field) => Property(field).GetValue(c);

    public static void Set(Customer c, string field, object? value) => Property(field).SetValue(c, value);

    /// <summary>The value as the history shows it: null for empty.</summary>
    public static string? Text(Customer c, string field) => CustomerHistory.Format(Get(c, field));

    /// <summary>
    /// Whose value of <paramref name="field"/> to keep unless the user says otherwise: the non-empty one; of two
    /// different non-empty values, the one changed most recently (its last field-history row, or the record's creation);
    /// the survivor's on a tie.
    /// </summary>
    public static int DefaultSource(string field, Customer survivor, Customer other, IReadOnlyDictionary<(int Customer, string Field), DateTime> lastChanged)
    {
        var (mine, theirs) = (Text(survivor, field), Text(other, field));
        if (theirs is null || mine == theirs) return survivor.Id;
        if (mine is null) return other.Id;
        var mineAt = lastChanged.GetValueOrDefault((survivor.Id, field), survivor.CreatedAt);
        var theirsAt = lastChanged.GetValueOrDefault((other.Id, field), other.CreatedAt);
        return theirsAt > mineAt ? other.Id : survivor.Id;
    }

    /// <summary>Both records' tags, the survivor's first; null when the united list is longer than the column holds.</summary>
    public static string? Tags(Customer survivor, Customer other) => CustomerTags.Join([.. CustomerTags.Parse(survivor.Tags), .. CustomerTags.Parse(other.Tags)]);

    /// <summary>Both records' notes, the other's under a line naming it; cut to the column's size (the merged record keeps its own).</summary>
    public static string? Notes(Customer survivor, Customer other)
    {
        var theirs = other.Notes?.Trim();
        if (string.IsNullOrEmpty(theirs) || survivor.Notes?.Contains(theirs, StringComparison.Ordinal) == true) return survivor.Notes;
        var joined = string.IsNullOrWhiteSpace(survivor.Notes)
            ? theirs
            : survivor.Notes!.TrimEnd() + NotesSeparator + $"From customer {other.Id} (merged): " + theirs;
        return joined.Length <= Customer.NotesMax ? joined : joined[..(Customer.NotesMax - 1)] + "…";
    }

    /// <summary>
    /// The consent that survives: an opt-out of either record always does (the latest one, with its source); otherwise
    /// an opt-in of either record stands (the person gave it), the earliest one with its source.
    /// </summary>
    public static void Consent(Customer into, Customer survivor, Customer other)
    {
        var optOuts = new[] { survivor, other }.Where(c => c.SmsOptedOut).OrderByDescending(c => c.SmsOptedOutAt).ToList();
        var latestOut = new[] { survivor, other }.Where(c => c.SmsOptedOutAt is not null).OrderByDescending(c => c.SmsOptedOutAt).FirstOrDefault();
        var optIn = new[] { survivor, other }.Where(c => c.SmsOptedIn).OrderBy(c => c.SmsOptedInAt ?? DateTime.MaxValue).FirstOrDefault();
        if (optOuts.Count > 0)
        {
            into.SmsOptedIn = false;
            into.SmsOptedInAt = survivor.SmsOptedInAt ?? other.SmsOptedInAt;
            into.SmsOptInSource = survivor.SmsOptedInAt is not null ? survivor.SmsOptInSource : other.SmsOptInSource;
            into.SmsOptedOutAt = optOuts[0].SmsOptedOutAt;
            into.SmsOptOutSource = optOuts[0].SmsOptOutSource;
            return;
        }
        into.SmsOptedIn = optIn is not null;
        into.SmsOptedInAt = optIn?.SmsOptedInAt ?? survivor.SmsOptedInAt ?? other.SmsOptedInAt;
        into.SmsOptInSource = optIn?.SmsOptInSource ?? survivor.SmsOptInSource ?? other.SmsOptInSource;
        into.SmsOptedOutAt = latestOut?.SmsOptedOutAt;
        into.SmsOptOutSource = latestOut?.SmsOptOutSource;
    }

    private static readonly JsonSerializerOptions Json = new() { IncludeFields = false };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);

    public static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json, Json)!;

    /// <summary>A customer's values as JSON (no related rows).</summary>
    public static string Snapshot(Customer c)
    {
        var copy = c.Copy();
        return Serialize(CustomerHistory.TrackedProperties.Concat([Property(nameof(Customer.PrimaryPhoneSmsCapable))])
            .ToDictionary(p => p.Name, p => CustomerHistory.Format(p.GetValue(copy))));
    }

    public static Dictionary<string, string?> Values(string snapshot) => Deserialize<Dictionary<string, string?>>(snapshot);

    /// <summary>Text fields that are never null (an empty value is ""), read once from the nullable annotations.</summary>
    private static readonly HashSet<string> RequiredText = typeof(Customer).GetProperties()
        .Where(p => p.PropertyType == typeof(string) && new NullabilityInfoContext().Create(p).WriteState != NullabilityState.Nullable)
        .Select(p => p.Name).ToHashSet();

    /// <summary>Sets a field from its history text (the inverse of <see cref="CustomerHistory.Format"/>).</summary>
    public static void SetText(Customer c, string field, string? text)
    {
        var type = Property(field).PropertyType;
        var target = Nullable.GetUnderlyingType(type) ?? type;
        object? value = text is null
            ? type == typeof(string) ? (RequiredText.Contains(field) ? "" : null)
            : Nullable.GetUnderlyingType(type) is not null ? null : Activator.CreateInstance(type)
            : target == typeof(string) ? text
            : target.IsEnum ? Enum.Parse(target, text)
            : target == typeof(bool) ? text == "true"
            : target == typeof(DateTime) ? DateTime.Parse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind)
            : Convert.ChangeType(text, target, System.Globalization.CultureInfo.InvariantCulture);
        Set(c, field, value);
    }
}
