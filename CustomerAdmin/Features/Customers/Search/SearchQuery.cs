using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
namespace CustomerAdmin.Features.Customers.Search;

/// <summary>
/// A typed search term taken apart: the words to match as name (or tag, or email) prefixes, the reversed digits
/// to match as a phone suffix, and the E.164 number when the term is a whole valid phone number.
/// </summary>
public sealed record SearchQuery(IReadOnlyList<string> Words, string? PhoneSuffix, string? ExactPhone, string? EmailPrefix)
{
    public const int MaxLength = 100;
    /// <summary>Fewer digits than this match too many phones to be useful as a suffix.</summary>
    public const int MinPhoneDigits = 4;

    public static readonly SearchQuery Empty = new([], null, null, null);

    public bool IsEmpty => Words.Count == 0 && PhoneSuffix is null && ExactPhone is null && EmailPrefix is null;

    /// <summary>The term as typed when it is one token: it may be a customer's external reference ("C-1042"), matched exactly.</summary>
    public string? Reference { get; init; }

    public static SearchQuery Parse(string? input, PhoneNormalizer phones)
    {
        var text = (input ?? "").Trim();
        if (text.Length > MaxLength) text = text[..MaxLength];
        if (text.Length == 0) return Empty;
        var reference = text.Any(char.IsWhiteSpace) ? null : text;

        if (LooksLikePhone(text))
        {
            var digits = PhoneNormalizer.Digits(text);
            if (digits.Length >= MinPhoneDigits)
            {
                // Only what could be a whole number is parsed: the last few digits typed cannot be.
                var check = digits.Length >= phones.ShortestNationalNumber || text.StartsWith('+') ? phones.Check(text) : null;
                var exact = check is { IsValid: true } ? CustomerSearchIndex.Reverse(PhoneNormalizer.Digits(check.E164)) : null;
                return new([], CustomerSearchIndex.Reverse(digits), exact, null) { Reference = reference };
            }
        }

        var email = text.Contains('@') ? SearchText.Truncate(text.ToLowerInvariant()) : null;
        var words = SearchText.Words(text).Distinct().ToList();
        // A single word may also be the start of an email address ("jsmi" finds jsmith@example.com).
        if (email is null && words.Count == 1 && !text.Any(char.IsWhiteSpace)) email = SearchText.Truncate(text.ToLowerInvariant());
        return new(words, null, null, email) { Reference = reference };
    }

    private static bool LooksLikePhone(string text) =>
        text.Any(char.IsAsciiDigit) && text.All(ch => char.IsAsciiDigit(ch) || ch is ' ' or '-' or '.' or '(' or ')' or '+' or '/');
}
