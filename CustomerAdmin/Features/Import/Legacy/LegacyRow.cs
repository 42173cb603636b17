using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Import.Values;
using CustomerAdmin.Features.Customers.Export;
using CustomerAdmin.Data;

namespace CustomerAdmin.Features.Import.Legacy;

/// <summary>A legacy ticket row after parsing and normalising: everything the matcher and the writer need.</summary>
public sealed record LegacyRow(
    long Line, string LegacyCustomerId, string Name, string? Phone, bool PhoneSmsCapable, string? WhatsApp, string? Email,
    DateTime CreatedAt, string? Item, string Problem, TicketStatus Status, decimal? Amount, string LegacyKey);

/// <summary>Where each mapped column sits in the file; built from the header row and the configured names.</summary>
public sealed class LegacyColumnMap
{
    private LegacyColumnMap() { }

    public int LegacyCustomerId { get; private init; }
    public int Name { get; private init; }
    public int Phone { get; private init; }
    public int WhatsApp { get; private init; } = -1;
    public int Email { get; private init; } = -1;
    public int CreatedAt { get; private init; }
    public int Item { get; private init; }
    public int Problem { get; private init; }
    public int Status { get; private init; }
    public int Amount { get; private init; }
    public int LegacyTicketId { get; private init; } = -1;

    /// <returns>The map, or a message naming every required column the header lacks.</returns>
    public static (LegacyColumnMap? Map, string? Error) FromHeader(string[] header, LegacyImportColumns names)
    {
        var index = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Length; i++)
            index.TryAdd(header[i].Trim().TrimStart('\uFEFF'), i);
        var missing = new List<string>();
        int Required(string name, string key)
        {
            if (!string.IsNullOrWhiteSpace(name) && index.TryGetValue(name.Trim(), out var i)) return i;
            missing.Add($"\"{name}\" (LegacyImport:Columns:{key})");
            return -1;
        }
        int Optional(string name) => !string.IsNullOrWhiteSpace(name) && index.TryGetValue(name.Trim(), out var i) ? i : -1;

        var map = new LegacyColumnMap
        {
            LegacyCustomerId = Required(names.LegacyCustomerId, nameof(names.LegacyCustomerId)),
            Name = Required(names.Name, nameof(names.Name)),
            Phone = Required(names.Phone, nameof(names.Phone)),
            WhatsApp = Optional(names.WhatsApp),
            Email = Optional(names.Email),
            CreatedAt = Required(names.CreatedAt, nameof(names.CreatedAt)),
            Item = Required(names.Item, nameof(names.Item)),
            Problem = Required(names.Problem, nameof(names.Problem)),
            Status = Required(names.Status, nameof(names.Status)),
            Amount = Required(names.Amount, nameof(names.Amount)),
            LegacyTicketId = Optional(names.LegacyTicketId),
        };
        if (missing.Count == 0) return (map, null);
        var found = string.Join(", ", header.Select(h => $"\"{h.Trim()}\"").Take(30));
        return (null, $"The file has no column {string.Join(", ", missing)}. Its header row has: {found}. "
            + "Rename the column in the file or set the mapping in configuration; nothing was imported.");
    }

    public int Width => new[] { LegacyCustomerId, Name, Phone, WhatsApp, Email, CreatedAt, Item, Problem, Status, Amount, LegacyTicketId }.Max() + 1;
}

/// <summary>
/// Turns a CSV record into a <see cref="LegacyRow"/>, or says in words why the row cannot be imported. Give it a
/// <see cref="PhoneNormalizer.WithCache"/> copy for a whole file: a customer's phone repeats, typed differently, on
/// every ticket, and libphonenumber is the slowest step of a row.
/// </summary>
public sealed class LegacyRowParser(LegacyColumnMap map, PhoneNormalizer phones)
{
    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ss.fffZ",
        "yyyy/MM/dd", "M/d/yyyy", "M/d/yyyy H:mm", "M/d/yyyy h:mm tt", "MM/dd/yyyy HH:mm:ss", "d.M.yyyy", "d.M.yyyy H:mm",
    ];

    private static readonly DateTime Earliest = new(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    public DateTime Now { get; init; } = DateTime.UtcNow;

    /// <summary>Warnings about a row that was imported anyway (a bad WhatsApp number, a truncated text).</summary>
    public List<string> Warnings { get; } = [];

    public (LegacyRow? Row, string? Error) Parse(CsvRecord record)
    {
        Warnings.Clear();
        var f = record.Fields;
        if (f.Length < map.Width)
            return (null, $"The row has {f.Length} fields, the header has at least {map.Width}: a missing delimiter or a stray newline outside quotes?");
        // A file saved from this app's customer export has a quote in front of phones and formula-like text.
        string Get(int i) => i < 0 ? "" : CsvText.Restore(f[i].Trim()).Trim();

        var legacyId = Get(map.LegacyCustomerId);
        if (legacyId.Length == 0) return (null, "The legacy customer id is empty.");
        if (legacyId.Length > LegacyCustomerLink.LegacyIdMax) return (null, $"The legacy customer id is longer than {LegacyCustomerLink.LegacyIdMax} characters.");
        var name = string.Join(' ', Get(map.Name).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (name.Length == 0) return (null, "The customer name is empty.");
        if (name.Length > Customer.NameMax * 2) return (null, $"The customer name is longer than {Customer.NameMax * 2} characters.");

        string? phone = null;
        var smsCapable = false;
        var rawPhone = Get(map.Phone);
        if (rawPhone.Length > 0)
        {
            var check = phones.Check(rawPhone);
            if (!check.IsValid) return (null, $"The phone \"{ImportCells.Shorten(rawPhone)}\" cannot be read: {check.Error}");
            phone = check.E164;
            smsCapable = check.SmsCapable;
        }
        string? whatsApp = null;
        var rawWhatsApp = Get(map.WhatsApp);
        if (rawWhatsApp.Length > 0)
        {
            var check = phones.Check(rawWhatsApp);
            if (check.IsValid) whatsApp = check.E164;
            else Warnings.Add($"The WhatsApp number \"{ImportCells.Shorten(rawWhatsApp)}\" was ignored: {check.Error}");
        }
        var email = Get(map.Email).ToLowerInvariant();
        if (email.Length > 0 && (email.Length > Customer.EmailMax || !ImportCells.IsEmail(email)))
        {
            Warnings.Add($"The email \"{ImportCells.Shorten(email)}\" was ignored: it is not an email address.");
            email = "";
        }

        var rawDate = Get(map.CreatedAt);
        if (!TryDate(rawDate, out var createdAt))
            return (null, $"The created-at date \"{ImportCells.Shorten(rawDate)}\" cannot be read; use a date like 2019-03-31 or 2019-03-31 14:05.");
        if (createdAt < Earliest || createdAt > Now.AddDays(1))
            return (null, $"The created-at date {createdAt:yyyy-MM-dd} is not plausible.");

        var item = Get(map.Item);
        if (item.Length > Ticket.ItemMax)
        {
            Warnings.Add($"The item was cut to {Ticket.ItemMax} characters.");
            item = item[..Ticket.ItemMax];
        }
        var problem = Get(map.Problem);
        if (problem.Length == 0) problem = item.Length > 0 ? "(no problem recorded in the legacy system)" : "";
        if (problem.Length == 0) return (null, "Both the item and the problem are empty.");
        if (problem.Length > Ticket.ProblemMax)
        {
            Warnings.Add($"The problem text was cut to {Ticket.ProblemMax} characters.");
            problem = problem[..Ticket.ProblemMax];
        }

        var rawStatus = Get(map.Status);
        if (StatusOf(rawStatus) is not { } status)
            return (null, $"The status \"{ImportCells.Shorten(rawStatus)}\" is unknown; expected open, in progress, waiting, ready, closed or cancelled.");

        var rawAmount = Get(map.Amount);
        decimal? amount = null;
        if (rawAmount.Length > 0)
        {
            if (!TryAmount(rawAmount, out var value))
                return (null, $"The amount \"{ImportCells.Shorten(rawAmount)}\" is not a number.");
            amount = value;
        }
        if (Money.Check(amount, "amount", required: status == TicketStatus.Closed) is { } moneyError)
            return (null, moneyError + (amount is null ? " A closed ticket needs the amount that was paid." : ""));

        var ticketId = Get(map.LegacyTicketId);
        var key = ticketId.Length > 0
            ? KeyOf("id", ticketId)
            : KeyOf("row", legacyId, createdAt.ToString("O", CultureInfo.InvariantCulture), item, problem);
        return (new LegacyRow(record.Line, legacyId, name, phone, smsCapable, whatsApp, email.Length == 0 ? null : email,
            createdAt, item.Length == 0 ? null : item, problem, status, amount, key), null);
    }

    public static TicketStatus? StatusOf(string raw) =>
        raw.Trim().ToLowerInvariant().Replace('_', ' ').Replace('-', ' ') switch
        {
            "open" or "new" or "received" => TicketStatus.Open,
            "in progress" or "inprogress" or "wip" or "repairing" => TicketStatus.InProgress,
            "waiting" or "waiting for parts" or "parts" or "on hold" => TicketStatus.WaitingForParts,
            "ready" or "ready for pickup" or "done" => TicketStatus.Ready,
            "closed" or "completed" or "delivered" or "paid" or "picked up" => TicketStatus.Closed,
            "cancelled" or "canceled" or "void" or "rejected" => TicketStatus.Cancelled,
            _ => null,
        };

    public static bool TryAmount(string raw, out decimal value)
    {
        var text = raw.Trim().Replace("$", "").Replace("€", "").Replace("£", "").Replace(" ", "");
        var negative = text.StartsWith('(') && text.EndsWith(')');
        if (negative) text = text[1..^1];
        // "1,234.50" and "1234,50": a comma is a decimal separator only when it is the last separator and two digits follow.
        var comma = text.LastIndexOf(',');
        if (comma >= 0 && text.LastIndexOf('.') < comma && text.Length - comma - 1 == 2 && text.Count(ch => ch == ',') == 1)
            text = text.Replace(',', '.');
        else
            text = text.Replace(",", "");
        var ok = decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
        if (ok && negative) value = -value;
        return ok;
    }

    public static bool TryDate(string raw, out DateTime value)
    {
        var styles = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;
        if (DateTime.TryParseExact(raw, DateFormats, CultureInfo.InvariantCulture, styles, out value)
            || DateTime.TryParse(raw, CultureInfo.InvariantCulture, styles, out value))
        {
            value = DateTime.SpecifyKind(value, DateTimeKind.Utc);
            return true;
        }
        return false;
    }

    public static string KeyOf(params string[] parts)
    {
        var text = string.Join('\u001f', parts);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..40];
    }
}
