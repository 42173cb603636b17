using System.ComponentModel.DataAnnotations;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Organizations;

/// <summary>
/// Creating and editing an organisation from its form: validate, write in one transaction. An edit writes only the
/// form's fields and only over the version the user loaded, so two people editing one organisation cannot silently
/// overwrite each other.
/// </summary>
public sealed class OrganizationOperations(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time)
{
    /// <summary>What the organisation form edits, and therefore all an edit may change.</summary>
    public static IReadOnlyList<string> FormFields { get; } =
    [
        nameof(Organization.Name), nameof(Organization.Phone), nameof(Organization.Email), nameof(Organization.Website),
        nameof(Organization.City), nameof(Organization.Notes),
    ];

    /// <summary>The form's values tidied (trimmed, blank optional text as null) with every field error.</summary>
    public static (Organization Candidate, Dictionary<string, string> Errors) Check(Organization form)
    {
        var candidate = new Organization();
        foreach (var field in FormFields) Property(field).SetValue(candidate, Property(field).GetValue(form));
        TextInput.Tidy(candidate, nameof(Organization.Name));
        var errors = new Dictionary<string, string>();
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(candidate, new ValidationContext(candidate), results, validateAllProperties: true);
        foreach (var r in results)
            foreach (var member in r.MemberNames)
                errors.TryAdd(member, r.ErrorMessage ?? "Check this field.");
        return (candidate, errors);
    }

    public async Task<Organization> CreateAsync(Organization form, CancellationToken ct = default)
    {
        var (candidate, errors) = Check(form);
        RuleViolationException.ThrowFirst(errors);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        candidate.CreatedAt = time.GetUtcNow().UtcDateTime;
        candidate.Version = 1;
        db.Organizations.Add(candidate);
        await db.SaveChangesAsync(ct);
        return candidate;
    }

    /// <param name="expectedVersion">The version the form's user loaded; any other stored version is a conflict.</param>
    /// <exception cref="StaleOrganizationException">Someone saved the organisation since <paramref name="expectedVersion"/>.</exception>
    public async Task<Organization> UpdateAsync(int organizationId, int expectedVersion, Organization form, CancellationToken ct = default)
    {
        var (candidate, errors) = Check(form);
        RuleViolationException.ThrowFirst(errors);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var stored = await db.Organizations.FirstOrDefaultAsync(o => o.Id == organizationId, ct)
            ?? throw new RuleViolationException("Someone deleted this organisation while you were editing it, so your changes cannot be saved.");
        var entry = db.Entry(stored);
        // The update's WHERE compares the token with the version the user edited, so a save that lands between this
        // read and the write is caught as well as one made before it.
        entry.Property(o => o.Version).OriginalValue = expectedVersion;
        foreach (var field in FormFields) entry.Property(field).CurrentValue = Property(field).GetValue(candidate);
        stored.Version = expectedVersion + 1;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new StaleOrganizationException();
        }
        await tx.CommitAsync(ct);
        return stored;
    }

    private static System.Reflection.PropertyInfo Property(string name) => typeof(Organization).GetProperty(name)!;
}

/// <summary>Someone else saved the organisation since the user loaded it.</summary>
public sealed class StaleOrganizationException()
    : Exception("Someone else saved this organisation while you were editing it. Your changes are still here: compare them with the saved version below, then keep yours or load theirs.");
