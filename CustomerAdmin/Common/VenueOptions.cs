using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace CustomerAdmin.Common;

/// <summary>The <c>Venue</c> section: who the customer hears from and which clock event times are read in.</summary>
public sealed class VenueOptions : IValidatableObject
{
    public const string Section = "Venue";

    [Required, MaxLength(100)] public string Name { get; set; } = "CustomerAdmin Venue";
    /// <summary>Shown to customers in messages (<c>{{venue_phone}}</c>).</summary>
    [MaxLength(30)] public string Phone { get; set; } = "";
    /// <summary>IANA (or Windows) time zone id. Event times are entered and shown in it and stored UTC.</summary>
    [Required] public string TimeZone { get; set; } = "UTC";

    // Looked up once per configured id: conversions run per message in the reminder scan and the outbox.
    private (string Id, TimeZoneInfo Zone)? _zone;

    public TimeZoneInfo Zone =>
        (_zone is { } cached && cached.Id == TimeZone ? cached : (_zone = (TimeZone, TimeZoneInfo.FindSystemTimeZoneById(TimeZone))).Value).Zone;

    /// <summary>A wall-clock time at the venue as UTC (an invalid local time in a spring-forward gap moves forward).</summary>
    public DateTime ToUtc(DateTime venueLocal)
    {
        var local = DateTime.SpecifyKind(venueLocal, DateTimeKind.Unspecified);
        var zone = Zone;
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(30);
        return TimeZoneInfo.ConvertTimeToUtc(local, zone);
    }

    public DateTime ToVenue(DateTime utc) => TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), Zone);

    /// <summary>The venue's calendar day at this moment.</summary>
    public DateOnly Today(TimeProvider time) => DateOnly.FromDateTime(ToVenue(time.GetUtcNow().UtcDateTime));

    // Every time a page shows goes through one of these: venue wall-clock time, the same for every member of staff
    // wherever they sit (the server's own zone means nothing to them).

    /// <summary>An event's time, with its weekday: "Sat 14 Mar 2026, 19:30".</summary>
    public string Display(DateTime utc) => ToVenue(utc).ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);

    /// <summary>When something happened, in lists and logs: "14 Mar 2026 19:30".</summary>
    public string DisplayMoment(DateTime utc) => ToVenue(utc).ToString("d MMM yyyy HH:mm", CultureInfo.InvariantCulture);

    /// <summary>The venue's calendar day of a moment: "14 Mar 2026".</summary>
    public string DisplayDate(DateTime utc) => ToVenue(utc).ToString("d MMM yyyy", CultureInfo.InvariantCulture);

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone ?? "", out _))
            yield return new ValidationResult($"Venue:TimeZone '{TimeZone}' is not a known time zone.", [nameof(TimeZone)]);
    }
}
