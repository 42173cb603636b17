using CustomerAdmin.Data;
using CustomerAdmin.Features.Sms.Templates;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TestContext = Xunit.TestContext;

namespace CustomerAdmin.Tests.Features.Sms.Templates;

/// <summary>Saving templates: a save over a version someone else moved is a conflict, and nothing else is called one.</summary>
public sealed class SmsTemplateOperationsTests
{
    private static SmsTemplateOperations Operations(TestDatabase database) =>
        new(database.Factory, Options.Create(new CustomerAdmin.Common.VenueOptions()), TimeProvider.System);

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task ASaveOverAVersionSomeoneElseMovedIsAConflict(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var templates = Operations(database);

        var first = await templates.SaveAsync(SmsKind.BookingConfirmation, "es", "Hola {{first_name}}", null, "ana", ct);
        var second = await templates.SaveAsync(SmsKind.BookingConfirmation, "es", "Buenas {{first_name}}", first.Version, "ben", ct);

        Assert.Equal((1, 2), (first.Version, second.Version));
        await Assert.ThrowsAsync<SmsTemplateConflictException>(() =>
            templates.SaveAsync(SmsKind.BookingConfirmation, "es", "Hola otra vez", first.Version, "ana", ct));
        await Assert.ThrowsAsync<SmsTemplateConflictException>(() =>
            templates.SaveAsync(SmsKind.BookingConfirmation, "es", "Hola otra vez", expectedVersion: null, "cy", ct));
        await using var db = database.CreateDbContext();
        var stored = await db.SmsTemplates.SingleAsync(ct);
        Assert.Equal(("Buenas {{first_name}}", "ben", 2), (stored.Body, stored.UpdatedBy, stored.Version));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task OnlyAVersionMoveOrADuplicateKindAndLanguageCountAsAConflict(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        await Operations(database).SaveAsync(SmsKind.BookingConfirmation, "es", "Hola", null, "ana", ct);

        // Two admins adding the same language at the same moment: the unique (Kind, Language) index lets one win.
        var duplicate = await Assert.ThrowsAsync<DbUpdateException>(() =>
            InsertAsync(database, new SmsTemplate { Kind = SmsKind.BookingConfirmation, Language = "es", Body = "Hola también" }));
        Assert.True(SmsTemplateOperations.IsConflict(duplicate));

        // Any other refusal by the database is not someone else's save.
        var broken = await Assert.ThrowsAsync<DbUpdateException>(() =>
            InsertAsync(database, new SmsTemplate { Kind = SmsKind.BookingConfirmation, Language = null!, Body = "Sin idioma" }));
        Assert.False(SmsTemplateOperations.IsConflict(broken));
    }

    private static async Task InsertAsync(TestDatabase database, SmsTemplate template)
    {
        await using var db = database.CreateDbContext();
        db.SmsTemplates.Add(template);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
    }
}
