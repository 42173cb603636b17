using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CustomerAdmin.Features.Sms.Templates;

/// <summary>
/// Saving a message template from the settings page: check the text, then write it over exactly the version the admin
/// saw. Only a real conflict (someone saved the same kind and language meanwhile, or added it at the same moment) is
/// reported as one; any other failure stays what it is.
/// </summary>
public sealed class SmsTemplateOperations(IDbContextFactory<AppDbContext> dbFactory, IOptions<VenueOptions> venue, TimeProvider time)
{
    /// <param name="expectedVersion">The version the admin saw; null when no template was saved for this kind and language.</param>
    /// <exception cref="SmsTemplateConflictException">Someone else saved this kind and language since.</exception>
    public async Task<SmsTemplate> SaveAsync(SmsKind kind, string language, string body, int? expectedVersion, string? actor = null,
        CancellationToken ct = default)
    {
        if (SmsTemplateRules.NormalizeLanguage(language) is not { } code)
            throw new RuleViolationException("Use a language code like es, fr or pt-br.", nameof(SmsTemplate.Language));
        var check = SmsTemplateRules.Check(body, SmsText.SampleValues(venue.Value.Phone));
        if (!check.IsValid) throw new RuleViolationException(string.Join(" ", check.Errors), nameof(SmsTemplate.Body));

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (actor is not null) db.Actor = actor;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var template = await db.SmsTemplates.FirstOrDefaultAsync(t => t.Kind == kind && t.Language == code, ct);
        if (template is null != expectedVersion is null) throw new SmsTemplateConflictException();
        if (template is null)
        {
            db.SmsTemplates.Add(template = new SmsTemplate { Kind = kind, Language = code, Version = 1 });
        }
        else
        {
            // The update's WHERE compares the token with the version the admin saw, so a save landing after this read is caught too.
            db.Entry(template).Property(t => t.Version).OriginalValue = expectedVersion!.Value;
            template.Version = expectedVersion.Value + 1;
        }
        template.Body = body;
        template.UpdatedAt = time.GetUtcNow().UtcDateTime;
        template.UpdatedBy = db.Actor;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (IsConflict(ex))
        {
            throw new SmsTemplateConflictException();
        }
        await tx.CommitAsync(ct);
        return template;
    }

    /// <summary>A save lost to another admin's: the version moved, or the same kind and language was added at the same moment.</summary>
    public static bool IsConflict(DbUpdateException ex) =>
        ex is DbUpdateConcurrencyException
        || (ex.UniqueIndex<SmsTemplate>(nameof(SmsTemplate.Kind), nameof(SmsTemplate.Language)) is { } index && SqlDialects.IsUniqueViolation(ex, index));
}

/// <summary>Someone else saved the same template since the admin loaded it.</summary>
public sealed class SmsTemplateConflictException()
    : Exception("Someone else saved this template meanwhile (see above who and when). Your text is still here: save again to replace theirs.");
