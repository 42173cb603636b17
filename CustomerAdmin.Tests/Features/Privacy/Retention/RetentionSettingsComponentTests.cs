using Bunit;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Privacy.Retention;
using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Features.Privacy.Retention;

/// <summary>The retention page under bUnit on a real database with a few hundred customers: off by default, the dry run, "Run now" with its confirmation.</summary>
public sealed class RetentionSettingsComponentTests : AppComponentTest
{
    private static string Text(IRenderedComponent<Bunit.Rendering.ContainerFragment> cut, string testId) =>
        cut.Find($"[data-testid={testId}]").TextContent.Trim();

    [Fact]
    public async Task EveryPolicyIsOffAndTheDryRunSaysSo()
    {
        SignInAs(AppRoles.Admin);
        var cut = RenderPage<RetentionSettings>();

        cut.WaitForAssertion(() => Assert.Equal("Every policy is off: the next run would do nothing.", Text(cut, "retention-preview")));
        Assert.All(cut.FindAll("[data-testid^=policy-] input[type=checkbox]"), box => Assert.False(box.HasAttribute("checked")));
        Assert.True(cut.Find("[data-testid=run-retention]").HasAttribute("disabled"));
        Assert.Equal("No run yet.", Text(cut, "retention-no-runs"));
        await using var db = await Db.Inner.CreateDbContextAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Empty(await db.RetentionPolicies.ToListAsync(Xunit.TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task AnAdminSwitchesPoliciesOnSeesTheCountsConfirmsAndSeesTheRunsReport()
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        SignInAs(AppRoles.Admin);
        using var privacy = new PrivacyRig(Database);
        var rig = new RetentionRig(Database, privacy);
        await rig.ArrangeAsync(ct);
        var cut = RenderPage<RetentionSettings>();
        cut.WaitForAssertion(() => Assert.Equal("Every policy is off: the next run would do nothing.", Text(cut, "retention-preview")));

        cut.Find("[data-testid=policy-anonymise] input[type=checkbox]").Change(true);
        cut.Find("[data-testid=policy-sms] input[type=checkbox]").Change(true);
        cut.Find("form#retention-form").Submit();

        cut.WaitForAssertion(() => Assert.Equal(
            "The next run would anonymise 120 customers (40 more customers inactive but refused: open tickets or bookings to come) and clear 500 SMS texts.",
            Text(cut, "retention-preview")));
        cut.Find("[data-testid=run-retention]").Click();
        cut.WaitForAssertion(() => Assert.Contains("anonymise 120 customers", cut.Find(".mud-dialog").TextContent));
        // Nothing happens before the confirmation.
        await using (var db = await Db.Inner.CreateDbContextAsync(ct))
            Assert.Equal(0, await db.CustomerErasures.CountAsync(ct));
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Run now").Click();

        cut.WaitForAssertion(() => Assert.Equal("120", Text(cut, "run-anonymised")), TimeSpan.FromMinutes(2));
        Assert.StartsWith("40", Text(cut, "run-refused"));
        Assert.Equal("500", Text(cut, "run-sms"));
        Assert.Contains("The next run would anonymise 0 customers", Text(cut, "retention-preview"));
        await using (var db = await Db.Inner.CreateDbContextAsync(ct))
        {
            Assert.Equal(120, await db.CustomerErasures.CountAsync(ct));
            var policy = await db.RetentionPolicies.SingleAsync(ct);
            Assert.Equal((true, true, false, "admin@test.local"), (policy.AnonymiseInactive, policy.ClearSmsBodies, policy.DeleteDocuments, policy.UpdatedBy));
        }
    }
}
