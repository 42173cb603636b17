using System.Globalization;

namespace CustomerAdmin.Common;

/// <summary>The one check every amount passes (tickets, sales, lines) before it can reach a customer's stats.</summary>
public static class Money
{
    /// <summary>Well above any real repair or till receipt; a typo with extra zeros is refused rather than counted.</summary>
    public const decimal Max = 10_000_000m;

    private static readonly CultureInfo Display = CultureInfo.GetCultureInfo("en-US");

    /// <returns>Null when the amount is acceptable, otherwise a message naming <paramref name="what"/>.</returns>
    public static string? Check(decimal? amount, string what, bool required = false)
    {
        if (amount is not { } value) return required ? $"Enter the {what}." : null;
        if (value < 0) return $"The {what} cannot be negative.";
        if (value > Max) return $"The {what} cannot be more than {Format(Max)}.";
        if (decimal.Round(value, 2) != value) return $"The {what} can have at most two decimals.";
        return null;
    }

    public static string Format(decimal amount) => amount.ToString("C2", Display);

    public static string Format(decimal? amount) => amount is { } a ? Format(a) : "";
}

/// <summary>A mistake the user can make and fix (a bad amount, a transition the workflow forbids): shown as is.</summary>
/// <param name="field">The form field the message belongs at, when there is one (e.g. a capacity below the seats booked).</param>
public sealed class RuleViolationException(string message, string? field = null) : Exception(message)
{
    public string? Field { get; } = field;

    /// <summary>Throws for the first of a rule check's field errors (field name to message), if there is one.</summary>
    public static void ThrowFirst(IReadOnlyDictionary<string, string> errors)
    {
        if (errors.FirstOrDefault() is { Key: not null } first) throw new RuleViolationException(first.Value, first.Key);
    }
}
