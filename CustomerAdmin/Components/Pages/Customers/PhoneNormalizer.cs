using CustomerAdmin.Data;
using Microsoft.Extensions.Options;
using PhoneNumbers;

namespace CustomerAdmin.Components.Pages.Customers;

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

    public PhoneNormalizer(string defaultRegion) : this(Options.Create(new CustomersOptions { DefaultRegion = defaultRegion }))
    {
    }

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
