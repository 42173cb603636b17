using System.Globalization;

namespace CustomerAdmin.Features.Import.Values;

/// <summary>How a file writes its dates; the user chooses when the file alone cannot tell (03/04/2021).</summary>
public enum DateOrder { Iso, DayFirst, MonthFirst }

/// <summary>
/// Dates as spreadsheets write them. ISO dates (2021-04-03, with or without a time) are read as they are; slashed or
/// dotted dates are day-first or month-first, which the file decides when one value has a first part over 12 (then
/// it is day-first) or a second part over 12 (month-first), and the user otherwise. All dates are UTC midnight of the
/// day written (a first-seen date, not a moment).
/// </summary>
public static class ImportDates
{
    private static readonly string[] IsoFormats =
        ["yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ss.fffZ", "yyyy/MM/dd"];

    /// <summary>
    /// What the values say about their order: null when every slashed value fits both (the user must choose), or the
    /// order they allow. <see cref="DateOrder.Iso"/> when none is slashed or dotted. A file with values that fit
    /// neither order gives the first that fits more of them; <see cref="TryParse"/> then reports the others.
    /// </summary>
    public static DateOrder? Detect(IEnumerable<string> values)
    {
        bool anySlashed = false, dayFirst = false, monthFirst = false;
        foreach (var raw in values)
        {
            if (Parts(raw) is not var (a, b, _)) continue;
            anySlashed = true;
            if (a > 12 && b <= 12) dayFirst = true;
            if (b > 12 && a <= 12) monthFirst = true;
        }
        if (!anySlashed) return DateOrder.Iso;
        return (dayFirst, monthFirst) switch
        {
            (true, false) => DateOrder.DayFirst,
            (false, true) => DateOrder.MonthFirst,
            (true, true) => DateOrder.DayFirst,
            _ => null,
        };
    }

    public static bool IsAmbiguous(string raw) => Parts(raw) is var (a, b, _) && a <= 12 && b <= 12 && a != b;

    public static bool TryParse(string raw, DateOrder order, out DateTime value)
    {
        value = default;
        var text = raw.Trim();
        if (text.Length == 0) return false;
        if (DateTime.TryParseExact(text, IsoFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var iso))
        {
            value = DateTime.SpecifyKind(iso.Date, DateTimeKind.Utc);
            return true;
        }
        if (Parts(text) is not var (a, b, year)) return false;
        var (day, month) = order == DateOrder.MonthFirst ? (b, a) : (a, b);
        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        value = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc);
        return true;
    }

    /// <summary>"03/04/2021", "3.4.2021", "03-04-21": the two leading numbers and the year (two-digit years are 19xx above 50).</summary>
    private static (int A, int B, int Year)? Parts(string raw)
    {
        var text = raw.Trim();
        var space = text.IndexOf(' ');
        if (space > 0) text = text[..space];
        var parts = text.Split('/', '.', '-');
        if (parts.Length != 3 || parts[0].Length > 2 || parts[1].Length > 2) return null;
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var a)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var b)
            || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var year)) return null;
        if (parts[2].Length == 2) year += year > 50 ? 1900 : 2000;
        else if (parts[2].Length != 4) return null;
        return year is >= 1900 and <= 2100 ? (a, b, year) : null;
    }
}
