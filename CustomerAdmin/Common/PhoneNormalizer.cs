using Microsoft.Extensions.Options;
using PhoneNumbers;

namespace CustomerAdmin.Common;

public sealed record PhoneCheck(string? E164, bool SmsCapable, string? Error)
{
    public bool IsValid => Error is null && E164 is not null;
}

/// <summary>Validates and normalises phone numbers to E.164 with libphonenumber against the configured region.</summary>
public sealed class PhoneNormalizer(IOptions<CustomersOptions> options)
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();
    private const int MaxInputLength = 30;

    public string DefaultRegion { get; } = options.Value.DefaultRegion.ToUpperInvariant();

    /// <summary>
    /// The fewest digits a number of the default region can have when typed without a country code, from
    /// libphonenumber's metadata (10 in the US; 0 for a region it does not know): fewer digits cannot be a valid number
    /// there (a trunk prefix only adds digits; the shorter "local only" lengths, 7 in the US, are never valid without
    /// the area code), so search-as-you-type need not parse them (a parse costs as much as the search's SQL: docs/benchmarks.md).
    /// </summary>
    public int ShortestNationalNumber { get; } = ShortestFor(options.Value.DefaultRegion.ToUpperInvariant());

    private static int ShortestFor(string region)
    {
        var lengths = Util.GetMetadataForRegion(region)?.GeneralDesc?.PossibleLengthList.Where(n => n > 0).ToList();
        return lengths is { Count: > 0 } ? lengths.Min() : 0;
    }

    public PhoneNormalizer(string defaultRegion) : this(Options.Create(new CustomersOptions { DefaultRegion = defaultRegion }))
    {
    }

    // Only on a copy made by WithCache.
    private Dictionary<long, PhoneCheck>? _cache;
    private Dictionary<string, PhoneCheck>? _byE164;
    private int _cacheMax;

    /// <summary>
    /// A copy that remembers its answers, keyed by the digits and whether a + leads (the only things that decide the
    /// answer once the characters are checked), so "(212) 736-5000", "212.736.5000" and " 2127365000 " are parsed once,
    /// and a number already in E.164 is not parsed again. At most <paramref name="capacity"/> answers (then it starts
    /// over), so memory stays bounded. For one bulk job, such as the legacy import; safe to share between its reading
    /// and writing threads (a lock around the cache).
    /// </summary>
    public PhoneNormalizer WithCache(int capacity) => new(options) { _cache = [], _byE164 = new(StringComparer.Ordinal), _cacheMax = capacity };

    public PhoneCheck Check(string? input)
    {
        var text = input?.Trim() ?? "";
        if (text.Length == 0) return new(null, false, "Enter a phone number.");
        if (text.Length > MaxInputLength) return new(null, false, "That is too long for a phone number.");
        foreach (var ch in text)
        {
            if (!(char.IsAsciiDigit(ch) || ch is ' ' or '-' or '.' or '(' or ')' or '+' or '/'))
                return new(null, false, "A phone number may contain only digits, spaces, dashes, dots, brackets and a leading +.");
        }
        if (text.LastIndexOf('+') > 0) return new(null, false, "A + may only start the number.");
        if (_cache is null) return Parse(text);
        lock (_cache) return CheckCached(text);
    }

    private PhoneCheck CheckCached(string text)
    {
        var cache = _cache!;

        // A number already in the E.164 form of an earlier answer (a new customer's phone checked again on save).
        if (text[0] == '+' && _byE164!.TryGetValue(text, out var same164)) return same164;
        var key = CacheKey(text);
        if (key >= 0 && cache.TryGetValue(key, out var known)) return known;
        var check = Parse(text);
        if (check.E164 is not null)
        {
            // The same number typed differently gets the same answer object.
            if (_byE164!.TryGetValue(check.E164, out var same)) check = same;
            else _byE164[check.E164] = check;
        }
        if (key >= 0)
        {
            if (cache.Count >= _cacheMax)
            {
                cache.Clear();
                _byE164!.Clear();
            }
            cache[key] = check;
        }
        return check;
    }

    /// <summary>Digits, their count (leading zeros matter) and a leading + in one number; -1 when there are too many digits.</summary>
    private static long CacheKey(string text)
    {
        long value = 0;
        var digits = 0;
        foreach (var ch in text)
        {
            if (!char.IsAsciiDigit(ch)) continue;
            if (++digits > 17) return -1;
            value = value * 10 + (ch - '0');
        }
        return (value * 18 + digits) * 2 + (text[0] == '+' ? 1 : 0);
    }

    private PhoneCheck Parse(string text)
    {
        PhoneNumber parsed;
        try
        {
            parsed = Util.Parse(text, DefaultRegion);
        }
        catch (NumberParseException)
        {
            return new(null, false, "That is not a phone number.");
        }
        if (!Util.IsValidNumber(parsed))
        {
            var region = Util.GetRegionCodeForNumber(parsed) ?? DefaultRegion;
            return new(null, false, text.StartsWith('+')
                ? "That is not a valid phone number."
                : $"That is not a valid {region} number; start a number of another country with + and its country code.");
        }
        var type = Util.GetNumberType(parsed);
        var smsCapable = type is PhoneNumberType.MOBILE or PhoneNumberType.FIXED_LINE_OR_MOBILE
            or PhoneNumberType.VOIP or PhoneNumberType.PERSONAL_NUMBER;
        return new(Util.Format(parsed, PhoneNumberFormat.E164), smsCapable, null);
    }

    /// <summary>The number as a person reads it: national format at home, international otherwise.</summary>
    public string Display(string? e164)
    {
        if (string.IsNullOrEmpty(e164)) return "";
        try
        {
            var parsed = Util.Parse(e164, DefaultRegion);
            var home = Util.GetRegionCodeForNumber(parsed) == DefaultRegion;
            return Util.Format(parsed, home ? PhoneNumberFormat.NATIONAL : PhoneNumberFormat.INTERNATIONAL);
        }
        catch (NumberParseException)
        {
            return e164;
        }
    }

    /// <summary>Just the digits, as a WhatsApp link wants them.</summary>
    public static string Digits(string? text) => new((text ?? "").Where(char.IsAsciiDigit).ToArray());
}

public sealed class CustomersOptions
{
    public const string Section = "Customers";

    /// <summary>ISO 3166 region used to read numbers typed without a country code.</summary>
    [System.ComponentModel.DataAnnotations.Required, System.ComponentModel.DataAnnotations.RegularExpression("^[A-Za-z]{2}$")]
    public string DefaultRegion { get; set; } = "US";

    /// <summary>Country given to a new customer's address.</summary>
    [System.ComponentModel.DataAnnotations.Required, System.ComponentModel.DataAnnotations.RegularExpression("^[A-Za-z]{2}$")]
    public string DefaultCountry { get; set; } = "US";
}
