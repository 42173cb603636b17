using System.Collections.Concurrent;
using CustomerAdmin.Common;

namespace CustomerAdmin.Features.Duplicates.Matching;

/// <summary>
/// Phones for matching: the E.164 number's digits as one integer (compact: a million profiles), read with the app's
/// <see cref="PhoneNormalizer"/> against the record's country, so "(212) 736-5000" and "+1 212 736 5000" are equal.
/// </summary>
public static class PhoneMatching
{
    private static readonly ConcurrentDictionary<string, PhoneNormalizer> ByRegion = new(StringComparer.Ordinal);

    /// <summary>The E.164 digits as a number ("+12127365000" -> 12127365000); 0 when there is no valid number.</summary>
    public static ulong ToNumber(string? phone, string? country)
    {
        if (string.IsNullOrWhiteSpace(phone)) return 0;
        var text = phone.Trim();
        if (text[0] == '+' && text.Length <= 16 && text.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0 && text.Length > 8)
            return ulong.Parse(text.AsSpan(1));
        var region = country is { Length: 2 } ? country.ToUpperInvariant() : "US";
        var normalizer = ByRegion.GetOrAdd(region, r => new PhoneNormalizer(r));
        var check = normalizer.Check(text);
        return check.IsValid ? ulong.Parse(check.E164!.AsSpan(1)) : 0;
    }

    /// <summary>Same length and one digit different, or two neighbouring digits swapped.</summary>
    public static bool OneDigitApart(ulong a, ulong b)
    {
        if (a == 0 || b == 0 || a == b) return false;
        Span<byte> da = stackalloc byte[20];
        Span<byte> db = stackalloc byte[20];
        var na = Digits(a, da);
        var nb = Digits(b, db);
        if (na != nb) return false;
        var first = -1;
        var differing = 0;
        for (var i = 0; i < na; i++)
        {
            if (da[i] == db[i]) continue;
            if (differing++ == 0) first = i;
        }
        if (differing == 1) return true;
        return differing == 2 && first + 1 < na && da[first] == db[first + 1] && da[first + 1] == db[first];
    }

    /// <summary>The last <paramref name="count"/> digits (the subscriber part, whatever the country code).</summary>
    public static ulong Suffix(ulong number, int count)
    {
        ulong mod = 1;
        for (var i = 0; i < count; i++) mod *= 10;
        return number % mod;
    }

    private static int Digits(ulong value, Span<byte> digits)
    {
        var n = 0;
        while (value > 0)
        {
            digits[n++] = (byte)(value % 10);
            value /= 10;
        }
        return n;
    }
}
