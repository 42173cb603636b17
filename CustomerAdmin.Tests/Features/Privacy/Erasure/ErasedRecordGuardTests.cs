using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Privacy.Erasure;
using CustomerAdmin.Tests.Features.Duplicates.Merging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace CustomerAdmin.Tests.Features.Privacy.Erasure;

/// <summary>An erased record stays anonymous: an edit, a merge either way and an undo of an earlier merge are refused, saying why.</summary>
public sealed class ErasedRecordGuardTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AnEditOfAnErasedRecordIsRefusedAndNothingChanges(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        using var privacy = new PrivacyRig(database);
        var ann = await database.Data.CustomerAsync("Ann", "Lee", "+12127365001");
        await privacy.Erasures.EraseAsync(ann.Id, "Request by email", "dpo@test.local", ct);
        Customer erased;
        await using (var db = database.CreateDbContext())
            erased = await db.Customers.AsNoTracking().FirstAsync(c => c.Id == ann.Id, ct);
        var form = erased.Copy();
        (form.FirstName, form.LastName, form.PrimaryPhone, form.DisplayName) = ("Ann", "Lee", "+1 212 736 5001", null);

        var operations = new CustomerOperations(database.Factory, new PhoneNormalizer("US"), TimeProvider.System);
        var refusal = await Assert.ThrowsAsync<RuleViolationException>(() => operations.UpdateAsync(ann.Id, erased.Version, form, null, "staff@test.local", ct));

        Assert.Equal(PrivacyModel.ErasedEditRefusal, refusal.Message);
        await using var check = database.CreateDbContext();
        var after = await check.Customers.AsNoTracking().FirstAsync(c => c.Id == ann.Id, ct);
        Assert.Equal((ErasureOperations.AnonymousName(ann.Id), null, erased.Version), (after.FullName, after.FirstName, after.Version));
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AMergeWithAnErasedRecordIsRefusedEitherWay(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        using var privacy = new PrivacyRig(database);
        var rig = new MergeTestRig(database, _time);
        var ann = await database.Data.CustomerAsync("Ann", "Lee", "+12127365001");
        var anne = await database.Data.CustomerAsync("Anne", "Lee", "+12127365002");
        await privacy.Erasures.EraseAsync(ann.Id, "Request by email", "dpo@test.local", ct);

        var into = await Assert.ThrowsAsync<RuleViolationException>(() => rig.MergeAsync(ann.Id, anne.Id));
        var from = await Assert.ThrowsAsync<RuleViolationException>(() => rig.MergeAsync(anne.Id, ann.Id));

        Assert.Contains($"Customer {ann.Id} was erased", into.Message);
        Assert.Contains("Nothing was merged", from.Message);
        await using var db = database.CreateDbContext();
        Assert.Equal(0, await db.CustomerMerges.CountAsync(ct));
        Assert.Equal(CustomerStatus.Active, (await db.Customers.AsNoTracking().FirstAsync(c => c.Id == anne.Id, ct)).Status);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AMergeCannotBeUndoneOnceThePersonWasErased(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, _time, ct: ct);
        using var privacy = new PrivacyRig(database);
        var rig = new MergeTestRig(database, _time);
        var ann = await database.Data.CustomerAsync("Ann", "Lee", "+12127365001");
        var anne = await database.Data.CustomerAsync("Anne", "Lee", "+12127365002");
        var merge = await rig.MergeAsync(ann.Id, anne.Id);
        await privacy.Erasures.EraseAsync(ann.Id, "Request by email", "dpo@test.local", ct);

        var refusal = await Assert.ThrowsAsync<RuleViolationException>(() => rig.Merges.UndoAsync(merge.MergeId, "manager@test.local", ct));

        Assert.Contains("cannot be undone", refusal.Message);
        await using var db = database.CreateDbContext();
        var merged = await db.Customers.AsNoTracking().FirstAsync(c => c.Id == anne.Id, ct);
        Assert.Equal((CustomerStatus.Merged, ann.Id), (merged.Status, merged.MergedIntoId));
    }
}
