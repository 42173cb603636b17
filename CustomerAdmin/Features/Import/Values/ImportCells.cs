using System.Text.RegularExpressions;

namespace CustomerAdmin.Features.Import.Values;

/// <summary>Checks of single cells that both imports share.</summary>
public static partial class ImportCells
{
    [GeneratedRegex(@"^[+-]?\d(\.\d+)?[eE]\+?\d+$")]
    private static partial Regex Scientific();

    /// <summary>
    /// A number Excel shortened to scientific notation ("1.23457E+11"): its digits are gone and cannot be recovered,
    /// so such a phone is refused with that reason rather than stored wrong.
    /// </summary>
    public static bool IsScientificNotation(string value) => Scientific().IsMatch(value.Trim());

    /// <summary>A plausible email address: one @, a dot in the domain, no spaces.</summary>
    public static bool IsEmail(string s)
    {
        var at = s.IndexOf('@');
        return at > 0 && at == s.LastIndexOf('@') && s.IndexOf('.', at) > at + 1 && !s.EndsWith('.') && !s.Any(char.IsWhiteSpace);
    }

    public static string Shorten(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
