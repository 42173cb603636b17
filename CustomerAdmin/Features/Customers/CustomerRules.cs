using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using Microsoft.EntityFrameworkCore;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.Search;

namespace CustomerAdmin.Features.Customers;

public sealed record DuplicateCandidate(int Id, string Name, string PrimaryPhone, string? Email, bool SamePhone);

/// <summary>
/// The checks a customer passes before it is saved, beyond what the data annotations say: the fields a type
/// requires, and phone numbers normalised to E.164. Errors are keyed by property name so the form shows them
/// at the field.
/// </summary>
public static class CustomerRules
{
    public const string NoContactMessage = "Enter a phone number or an email address.";

    public static Dictionary<string, string> Normalize(Customer c, PhoneNormalizer phones)
    {
        var errors = new Dictionary<string, string>();
        CustomerAdmin.Common.TextInput.Tidy(c, nameof(Customer.PrimaryPhone), nameof(Customer.SortName));

        if (c.IsIndividual)
        {
            if (c.FirstName is null) errors[nameof(Customer.FirstName)] = "Enter the first name.";
            if (c.LastName is null) errors[nameof(Customer.LastName)] = "Enter the last name.";
        }
        else if (c.Name is null)
        {
            errors[nameof(Customer.Name)] = "Enter the organisation's name.";
        }

        // A customer needs a phone or an email: a customer known by email alone has no phone (and gets no SMS).
        if (c.PrimaryPhone.Length == 0 && c.Email is not null)
        {
            c.PrimaryPhoneSmsCapable = false;
        }
        else if (c.PrimaryPhone.Length == 0)
        {
            errors[nameof(Customer.PrimaryPhone)] = NoContactMessage;
        }
        else if (phones.Check(c.PrimaryPhone) is var primary && primary.IsValid)
        {
            c.PrimaryPhone = primary.E164!;
            c.PrimaryPhoneSmsCapable = primary.SmsCapable;
        }
        else
        {
            errors[nameof(Customer.PrimaryPhone)] = primary.Error!;
        }
        NormalizeOptional(c.SecondaryPhone, v => c.SecondaryPhone = v, nameof(Customer.SecondaryPhone), phones, errors);
        NormalizeOptional(c.WhatsAppPhone, v => c.WhatsAppPhone = v, nameof(Customer.WhatsAppPhone), phones, errors);

        c.Email = c.Email?.ToLowerInvariant();
        c.Country = c.Country?.ToUpperInvariant();
        c.Tags = CustomerTags.Join(CustomerTags.Parse(c.Tags));
        if (c.Country is not null && (c.Country.Length != 2 || !c.Country.All(char.IsAsciiLetter)))
            errors[nameof(Customer.Country)] = "Use the two-letter country code, for example US or GB.";
        if (c.Website is not null && WebAddress.Parse(c.Website) is null)
            errors[nameof(Customer.Website)] = WebAddress.Message;
        if (c.Status == CustomerStatus.Deleted)
            errors[nameof(Customer.Status)] = "Use Delete on the customer's page to delete a customer.";
        else if (c.Status == CustomerStatus.Merged)
            errors[nameof(Customer.Status)] = "Use the duplicates queue to merge a customer into another.";
        return errors;
    }

    private static void NormalizeOptional(string? value, Action<string?> set, string field, PhoneNormalizer phones, Dictionary<string, string> errors)
    {
        if (value is null) return;
        var check = phones.Check(value);
        if (check.IsValid) set(check.E164);
        else errors[field] = check.Error!;
    }

    /// <summary>Customers that are not deleted and share this one's primary phone or email (the "looks like" warning).</summary>
    public static async Task<List<DuplicateCandidate>> FindDuplicatesAsync(AppDbContext db, Customer c, CancellationToken ct = default)
    {
        var phone = c.PrimaryPhone;
        var email = c.Email;
        if (string.IsNullOrEmpty(phone) && string.IsNullOrEmpty(email)) return [];
        var rows = await db.Customers.AsNoTracking()
            .Where(o => o.Id != c.Id && o.Status != CustomerStatus.Deleted && o.Status != CustomerStatus.Merged
                && ((phone != "" && o.PrimaryPhone == phone) || (email != null && o.Email == email)))
            .OrderBy(o => o.Id).Take(5)
            .AsRows()
            .ToListAsync(ct);
        return rows.Select(r => new DuplicateCandidate(r.Id, r.Name.Trim(), r.PrimaryPhone, r.Email, r.PrimaryPhone == phone)).ToList();
    }

    /// <summary>True when the database refused the save because another live customer has this primary phone.</summary>
    public static bool IsDuplicatePhone(DbUpdateException ex) =>
        ex.UniqueIndex<Customer>(nameof(Customer.PrimaryPhone)) is { } index && SqlDialects.IsUniqueViolation(ex, index);
}
