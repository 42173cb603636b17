using System.ComponentModel.DataAnnotations;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Tickets;

/// <summary>
/// Registering and correcting a customer's equipment. The dialog's annotations check the same rules first; these
/// check them again on the server, whatever the form let through, so creating and editing refuse the same things.
/// </summary>
public static class EquipmentOperations
{
    /// <returns>Field name to message; empty when the equipment can be saved.</returns>
    public static Dictionary<string, string> Validate(Equipment input)
    {
        var errors = new Dictionary<string, string>();
        if (string.IsNullOrWhiteSpace(input.Type)) errors[nameof(Equipment.Type)] = "Enter the type, for example laptop or ultrasound scanner.";
        var results = new List<ValidationResult>();
        // Checked trimmed, as it is stored: spaces around a value do not count against its length.
        var trimmed = Tidied(input);
        Validator.TryValidateObject(trimmed, new ValidationContext(trimmed), results, validateAllProperties: true);
        foreach (var r in results)
            foreach (var member in r.MemberNames)
                errors.TryAdd(member, r.ErrorMessage ?? "Check this field.");
        return errors;
    }

    public static async Task<Equipment> CreateAsync(IDbContextFactory<AppDbContext> factory, int customerId, Equipment input,
        TimeProvider time, CancellationToken ct = default)
    {
        RuleViolationException.ThrowFirst(Validate(input));
        await using var db = await factory.CreateDbContextAsync(ct);
        if (!await db.Customers.Live().AnyAsync(c => c.Id == customerId, ct))
            throw new RuleViolationException("This customer has been deleted.");
        var equipment = Tidied(input);
        equipment.Id = 0;
        equipment.CustomerId = customerId;
        equipment.CreatedAt = time.GetUtcNow().UtcDateTime;
        db.Equipment.Add(equipment);
        await db.SaveChangesAsync(ct);
        return equipment;
    }

    /// <summary>Corrects type, make, model, serial number and notes; the owner and its service history stay.</summary>
    public static async Task<Equipment> UpdateAsync(IDbContextFactory<AppDbContext> factory, int equipmentId, Equipment input,
        CancellationToken ct = default)
    {
        RuleViolationException.ThrowFirst(Validate(input));
        await using var db = await factory.CreateDbContextAsync(ct);
        var equipment = await db.Equipment.FirstOrDefaultAsync(q => q.Id == equipmentId, ct)
            ?? throw new RuleViolationException("This equipment no longer exists.");
        var tidy = Tidied(input);
        equipment.Type = tidy.Type;
        equipment.Make = tidy.Make;
        equipment.Model = tidy.Model;
        equipment.SerialNumber = tidy.SerialNumber;
        equipment.SerialKey = tidy.SerialKey;
        equipment.Notes = tidy.Notes;
        await db.SaveChangesAsync(ct);
        return equipment;
    }

    private static Equipment Tidied(Equipment input) => new()
    {
        Id = input.Id, CustomerId = input.CustomerId, CreatedAt = input.CreatedAt,
        Type = input.Type?.Trim() ?? "", Make = TextInput.Blank(input.Make), Model = TextInput.Blank(input.Model),
        SerialNumber = TextInput.Blank(input.SerialNumber), SerialKey = Equipment.KeyOf(input.SerialNumber), Notes = TextInput.Blank(input.Notes),
    };
}
