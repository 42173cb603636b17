using CustomerAdmin.Security;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// axe-core finds no serious or critical accessibility violation on any page, signed in as each role (a page the role
/// may not open is checked as the refusal it gets), in the light and the dark theme. The dark sweep leaves out the
/// statically rendered account pages: they have no dark theme. The message lists each rule with its help page and
/// the elements that break it.
/// </summary>
[Collection(PageSweepCollection.Name)]
public sealed class AccessibilityTests(SweepServer sweep, Browser browser)
{
    private static readonly string[] Blocking = ["serious", "critical"];

    public static TheoryData<string, bool> RolesAndThemes
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (var role in AppRoles.All)
            {
                data.Add(role, false);
                data.Add(role, true);
            }
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(RolesAndThemes))]
    public async Task NoPageHasASeriousOrCriticalAxeViolation(string role, bool darkMode)
    {
        var failures = await new PageSweep(sweep, browser).RunAsync(role, PhoneWidthTests.Laptop, darkMode, async (page, _) =>
        {
            var result = await page.RunAxe();
            var violations = result.Violations.Where(v => Blocking.Contains(v.Impact)).ToList();
            return violations.Count == 0 ? null : string.Join("", violations.Select(Describe));
        });

        Assert.True(failures.Count == 0, $"As {role}, {(darkMode ? "dark" : "light")} theme:\n" + string.Join("\n", failures));
    }

    private static string Describe(AxeResultItem violation) =>
        $"\n  {violation.Id} ({violation.Impact}): {violation.Help} {violation.HelpUrl}" +
        string.Concat(violation.Nodes.Take(5).Select(n => $"\n    {n.Target}  {Shorten(n.Html)}")) +
        (violation.Nodes.Length > 5 ? $"\n    … and {violation.Nodes.Length - 5} more" : "");

    private static string Shorten(string html) => html.Length <= 120 ? html : html[..120] + "…";
}
