using System.Globalization;
using System.Text;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;

namespace CustomerAdmin.Features.Customers.Search;

/// <summary>Folds text the same way for stored search keys and typed terms: lower case, no accents.</summary>
public static class SearchText
{
    public static string Fold(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var ch in decomposed)
        {
            switch (CharUnicodeInfo.GetUnicodeCategory(ch))
            {
                case UnicodeCategory.NonSpacingMark:
                case UnicodeCategory.SpacingCombiningMark:
                case UnicodeCategory.EnclosingMark:
                    continue;
            }
            // Letters that do not decompose into a base letter plus a mark.
            switch (ch)
            {
                case 'ß': sb.Append("ss"); continue;
                case 'ø' or 'Ø': sb.Append('o'); continue;
                case 'ł' or 'Ł': sb.Append('l'); continue;
                case 'đ' or 'Đ': sb.Append('d'); continue;
                case 'æ' or 'Æ': sb.Append("ae"); continue;
                case 'œ' or 'Œ': sb.Append("oe"); continue;
                case 'ı': sb.Append('i'); continue;
            }
            sb.Append(char.ToLowerInvariant(ch));
        }
        return sb.ToString().Normalize(NormalizationForm.FormC);
    }

    /// <summary>The words of a text, folded: runs of letters and digits (apostrophes and dashes split words).</summary>
    public static IEnumerable<string> Words(string? text)
    {
        var folded = Fold(text);
        var start = -1;
        for (var i = 0; i <= folded.Length; i++)
        {
            var inWord = i < folded.Length && (char.IsLetterOrDigit(folded, i) || char.IsSurrogate(folded[i]));
            if (inWord && start < 0) start = i;
            else if (!inWord && start >= 0)
            {
                yield return Truncate(folded[start..i]);
                start = -1;
            }
        }
    }

    public static string Truncate(string token) =>
        token.Length <= Data.CustomerSearchToken.TokenMax ? token
        : char.IsHighSurrogate(token[Data.CustomerSearchToken.TokenMax - 1]) ? token[..(Data.CustomerSearchToken.TokenMax - 1)]
        : token[..Data.CustomerSearchToken.TokenMax];
}
