using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Import.Customers;

/// <summary>
/// Saving, loading and deleting the customer import's named presets. Names are unique ignoring case: saving under a
/// name that exists replaces that preset (the mapping step says so before it does).
/// </summary>
public sealed class CustomerImportPresetOperations(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time)
{
    public async Task<List<CustomerImportPreset>> ListAsync(CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var presets = await db.CustomerImportPresets.AsNoTracking().ToListAsync(ct);
        return presets.OrderBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
    }

    public async Task<CustomerImportPreset?> FindAsync(string name, CancellationToken ct = default)
    {
        var wanted = name.Trim();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.CustomerImportPresets.AsNoTracking().FirstOrDefaultAsync(p => p.Name == wanted, ct)
            ?? (await db.CustomerImportPresets.AsNoTracking().ToListAsync(ct))
                .FirstOrDefault(p => string.Equals(p.Name, wanted, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Stores the preset under <paramref name="name"/>, replacing one of that name; returns it.</summary>
    /// <exception cref="RuleViolationException">The name is empty or too long (field <c>PresetName</c>).</exception>
    public async Task<CustomerImportPreset> SaveAsync(string name, CustomerImportPresetSettings settings, ImportMatchMode? onMatch, string? source,
        string actor, CancellationToken ct = default)
    {
        var tidy = name.Trim();
        if (tidy.Length == 0) throw new RuleViolationException("Give the preset a name.", "PresetName");
        if (tidy.Length > CustomerImportPreset.NameMax)
            throw new RuleViolationException($"A preset name has at most {CustomerImportPreset.NameMax} characters.", "PresetName");
        var trimmedSource = string.IsNullOrWhiteSpace(source) ? null : source.Trim();
        if (trimmedSource is { Length: > CustomerImportPreset.SourceMax })
            throw new RuleViolationException($"A source name has at most {CustomerImportPreset.SourceMax} characters.", "Source");

        for (var attempt = 0; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var existing = await FindAsync(tidy, ct);
            var preset = existing is null ? new CustomerImportPreset { Name = tidy } : await db.CustomerImportPresets.SingleAsync(p => p.Id == existing.Id, ct);
            if (existing is null) db.CustomerImportPresets.Add(preset);
            preset.Mapping = settings.ToJson();
            preset.OnMatch = onMatch;
            preset.Source = trimmedSource;
            preset.UpdatedAt = time.GetUtcNow().UtcDateTime;
            preset.UpdatedBy = actor;
            try
            {
                await db.SaveChangesAsync(ct);
                return preset;
            }
            // Two people saving a new preset of one name at once: the second replaces the first, as if it came later.
            catch (DbUpdateException ex) when (attempt == 0 && SqlDialects.IsUniqueViolation(ex, db.Model.UniqueIndex<CustomerImportPreset>(nameof(CustomerImportPreset.Name))))
            {
            }
        }
    }

    /// <summary>Deletes the preset; false when it was already gone.</summary>
    public async Task<bool> DeleteAsync(int presetId, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.CustomerImportPresets.Where(p => p.Id == presetId).ExecuteDeleteAsync(ct) > 0;
    }
}
