using System.Globalization;
using CustomerAdmin.Common;
using CustomerAdmin.Startup;

namespace CustomerAdmin.Features.Api;

/// <summary>
/// <c>api-token create --email USER --name NAME --scopes customers.read,customers.write [--expires 30d]</c>: makes a
/// token for automation and prints its secret once, on standard output (everything else goes to standard error). The
/// token acts for USER, with at most what USER's role holds. Exit code 0 when made, 1 otherwise.
/// </summary>
public static class ApiTokenCommand
{
    public const string Name = "api-token";

    private const string Usage = $"Usage: {Name} create --email USER --name NAME --scopes a,b [--expires 30d|12h|2027-01-31]   (plus any --Section:Key=value configuration)";

    public static async Task<int> RunAsync(string[] args)
    {
        string? email = null, name = null, scopes = null, expires = null;
        var configuration = new List<string>();
        if (args is not [Name, "create", ..])
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }
        for (var i = 2; i < args.Length; i++)
        {
            string? Next() => i + 1 < args.Length ? args[++i] : null;
            switch (args[i])
            {
                case "--email": email = Next(); break;
                case "--name": name = Next(); break;
                case "--scopes": scopes = Next(); break;
                case "--expires": expires = Next(); break;
                case var a when CommandHost.IsSetting(a): configuration.Add(a); break;
                default:
                    Console.Error.WriteLine($"Unexpected argument {args[i]}. {Usage}");
                    return 1;
            }
        }
        if (email is null || name is null || scopes is null)
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }

        await using var host = await CommandHost.StartAsync(configuration, "Cancelling...");
        var now = host.Get<TimeProvider>().GetUtcNow().UtcDateTime;
        DateTime? expiresAt = null;
        if (expires is not null)
        {
            if (ParseExpiry(expires, now) is not { } at)
            {
                Console.Error.WriteLine($"--expires {expires}: give a duration like 30d or 12h, or a date like 2027-01-31.");
                return 1;
            }
            expiresAt = at;
        }
        try
        {
            var made = await host.Get<ApiTokenOperations>().CreateAsync(email, name, scopes.Split(','), expiresAt,
                $"cli:{Environment.UserName}", host.Cancelled);
            Console.Error.WriteLine($"Token #{made.Token.Id} '{made.Token.Name}' for {email}, scopes {made.Token.Scopes}, "
                + (expiresAt is { } e ? $"expires {e:yyyy-MM-dd HH:mm} UTC" : "does not expire") + ". Keep it secret: it is not shown again.");
            Console.WriteLine(made.Secret);
            return 0;
        }
        catch (RuleViolationException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
    }

    /// <summary>"30d", "12h", "90m" from now, or a date (UTC midnight).</summary>
    public static DateTime? ParseExpiry(string text, DateTime nowUtc)
    {
        if (text.Length > 1 && int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
            switch (char.ToLowerInvariant(text[^1]))
            {
                case 'd': return nowUtc.AddDays(n);
                case 'h': return nowUtc.AddHours(n);
                case 'm': return nowUtc.AddMinutes(n);
            }
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? DateTime.SpecifyKind(day.ToDateTime(TimeOnly.MinValue), DateTimeKind.Utc)
            : null;
    }
}
