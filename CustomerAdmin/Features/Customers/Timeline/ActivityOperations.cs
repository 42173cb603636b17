using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using CustomerAdmin.Common;

namespace CustomerAdmin.Features.Customers.Timeline;

/// <summary>What the add/edit dialog collects: a call, email, meeting or note.</summary>
public sealed class ActivityDraft
{
    public ActivityKind Kind { get; set; } = ActivityKind.Note;
    public NoteType NoteType { get; set; } = NoteType.General;
    public bool IsInternal { get; set; }
    public string? Subject { get; set; }
    public string? Body { get; set; }
    /// <summary>UTC.</summary>
    public DateTime? OccurredAt { get; set; }

    public static ActivityDraft From(TimelineEntry e) => new()
    {
        Kind = e.Kind, NoteType = e.NoteType ?? NoteType.General, IsInternal = e.IsInternal, Subject = e.Subject, Body = e.Body,
        OccurredAt = e.OccurredAt,
    };
}

/// <summary>Staff entries on the timeline; the system's own entries are written by the operations that cause them.</summary>
public static class ActivityOperations
{
    public static readonly ActivityKind[] StaffKinds = [ActivityKind.Call, ActivityKind.Email, ActivityKind.Meeting, ActivityKind.Note];

    /// <summary>Problems keyed by the draft's property name; empty when it can be saved.</summary>
    public static Dictionary<string, string> Validate(ActivityDraft d, DateTime utcNow)
    {
        var errors = new Dictionary<string, string>();
        if (!StaffKinds.Contains(d.Kind)) errors[nameof(ActivityDraft.Kind)] = "Choose call, email, meeting or note.";
        if (d.Kind == ActivityKind.Note && !Enum.IsDefined(d.NoteType)) errors[nameof(ActivityDraft.NoteType)] = "Choose the kind of note.";
        if ((d.Subject?.Trim().Length ?? 0) > Activity.SubjectMax) errors[nameof(ActivityDraft.Subject)] = $"Keep the subject under {Activity.SubjectMax} characters.";
        if (string.IsNullOrWhiteSpace(d.Body)) errors[nameof(ActivityDraft.Body)] = "Write what was said or done.";
        else if (d.Body.Trim().Length > Activity.BodyMax) errors[nameof(ActivityDraft.Body)] = $"Keep the text under {Activity.BodyMax} characters.";
        if (d.OccurredAt is null) errors[nameof(ActivityDraft.OccurredAt)] = "Say when it happened.";
        else if (d.OccurredAt > utcNow.AddMinutes(5)) errors[nameof(ActivityDraft.OccurredAt)] = "That is in the future.";
        else if (d.OccurredAt < new DateTime(1990, 1, 1, 0, 0, 0, DateTimeKind.Utc)) errors[nameof(ActivityDraft.OccurredAt)] = "That date is too far back.";
        return errors;
    }

    public static async Task<Activity> AddAsync(IDbContextFactory<AppDbContext> factory, int customerId, ActivityDraft draft,
        TimelineUser user, TimeProvider time, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (Validate(draft, now).Values.FirstOrDefault() is { } error) throw new RuleViolationException(error);
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Actor = user.Name;
        if (!await db.Customers.Live().AnyAsync(c => c.Id == customerId, ct))
            throw new RuleViolationException("This customer has been deleted, so nothing can be added to their timeline.");
        var activity = new Activity { CustomerId = customerId, CreatedAt = now, CreatedBy = user.Name };
        Apply(activity, draft);
        db.Activities.Add(activity);
        await db.SaveChangesAsync(ct);
        return activity;
    }

    public static async Task<Activity> UpdateAsync(IDbContextFactory<AppDbContext> factory, long id, ActivityDraft draft,
        TimelineUser user, TimeProvider time, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (Validate(draft, now).Values.FirstOrDefault() is { } error) throw new RuleViolationException(error);
        await using var db = await factory.CreateDbContextAsync(ct);
        db.Actor = user.Name;
        var activity = await LoadForChangeAsync(db, id, user, ct);
        Apply(activity, draft);
        activity.UpdatedAt = now;
        activity.UpdatedBy = user.Name;
        await db.SaveChangesAsync(ct);
        return activity;
    }

    public static async Task DeleteAsync(IDbContextFactory<AppDbContext> factory, long id, TimelineUser user, CancellationToken ct = default)
    {
        await using var db = await factory.CreateDbContextAsync(ct);
        var activity = await LoadForChangeAsync(db, id, user, ct);
        db.Activities.Remove(activity);
        await db.SaveChangesAsync(ct);
    }

    private static async Task<Activity> LoadForChangeAsync(AppDbContext db, long id, TimelineUser user, CancellationToken ct)
    {
        var activity = await db.Activities.FirstOrDefaultAsync(a => a.Id == id, ct)
            ?? throw new RuleViolationException("This entry no longer exists; someone may have deleted it.");
        if (activity.IsSystem) throw new RuleViolationException("Entries written by the system cannot be changed.");
        if (!user.MayChange(activity.CreatedBy, activity.Kind))
            throw new RuleViolationException("You can only change the entries you wrote; ask a manager.");
        return activity;
    }

    private static void Apply(Activity activity, ActivityDraft draft)
    {
        activity.Kind = draft.Kind;
        activity.NoteType = draft.Kind == ActivityKind.Note ? draft.NoteType : null;
        activity.IsInternal = draft.IsInternal;
        activity.Subject = string.IsNullOrWhiteSpace(draft.Subject) ? null : draft.Subject.Trim();
        activity.Body = draft.Body!.Trim();
        activity.OccurredAt = draft.OccurredAt!.Value.ToUniversalTime();
    }

    public static string Label(ActivityKind kind) => kind switch
    {
        ActivityKind.TicketOpened => "Ticket opened",
        ActivityKind.TicketClosed => "Ticket closed",
        ActivityKind.TicketReopened => "Ticket reopened",
        ActivityKind.ContactChanged => "Contact changed",
        ActivityKind.BookingMade => "Booking made",
        ActivityKind.BookingChanged => "Booking changed",
        ActivityKind.BookingCancelled => "Booking cancelled",
        ActivityKind.SmsReply => "SMS reply",
        ActivityKind.SmsOptedOut => "SMS opt-out",
        ActivityKind.SmsOptedIn => "SMS opt-in",
        ActivityKind.Merged => "Records merged",
        ActivityKind.MergeUndone => "Merge undone",
        ActivityKind.StatusChanged => "Status changed",
        ActivityKind.BlockOverridden => "Block overridden",
        _ => kind.ToString(),
    };

    public static string Label(TimelineFilter filter) => filter switch
    {
        TimelineFilter.All => "Everything",
        TimelineFilter.ContactChanges => "Contact changes",
        TimelineFilter.Sms => "SMS replies and consent",
        TimelineFilter.Merges => "Merges",
        TimelineFilter.Status => "Status and blocks",
        _ => filter.ToString(),
    };
}
