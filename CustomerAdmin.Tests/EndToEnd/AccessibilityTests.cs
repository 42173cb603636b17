using CustomerAdmin.Security;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// axe-core finds no serious or critical accessibility violation on any page, signed in as each role (a page the role
/// may not open is checked as the refusal it gets), in the light and in the dark theme. Each page is checked with every
/// rule in the light theme, then switched to dark with the app bar's button (no reload) and checked again with the
/// colour rule, the only one a theme can change; the statically rendered account pages (and the access-denied page a role is sent to) have no dark theme and no switch. The message
/// lists each rule with its help page and the elements that break it.
/// </summary>
[Collection(PageSweepCollection.Name)]
public sealed class AccessibilityTests(SweepServer sweep, Browser browser)
{
    private static readonly string[] Blocking = ["serious", "critical"];

    private static readonly AxeRunOptions ColourOnly = new()
    {
        RunOnly = new RunOnlyOptions { Type = "rule", Values = ["color-contrast", "link-in-text-block"] },
    };

    private const string TransitionsDoneScript = "() => document.getAnimations().every(a => !(a instanceof CSSTransition) || a.playState !== 'running')";

    // MudBlazor paints the body with the theme's background; the dark palette's is dark.
    private const string IsDarkScript = """
        (dark) => {
            const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
            return ((r + g + b) / 3 < 128) === dark;
        }
        """;

    public static TheoryData<string> Roles => [.. AppRoles.All];

    [Theory]
    [MemberData(nameof(Roles))]
    public async Task NoPageHasASeriousOrCriticalAxeViolationInEitherTheme(string role)
    {
        var failures = await new PageSweep(sweep, browser).RunAsync(role, PhoneWidthTests.Laptop, async (page, _) =>
        {
            var problems = Describe("light", await page.RunAxe());
            var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Toggle dark mode" });
            if (await toggle.CountAsync() > 0)
            {
                await toggle.ClickAsync();
                await page.WaitForFunctionAsync(IsDarkScript, true);
                // The button's tooltip would cover the page's top while axe reads the colours under it.
                await page.Mouse.MoveAsync(0, 700);
                await Assertions.Expect(page.GetByRole(AriaRole.Tooltip)).ToHaveCountAsync(0);
                // MudBlazor's labels and borders fade to the new colours (CSS transitions): read them once they are there.
                await page.WaitForFunctionAsync(TransitionsDoneScript);
                problems += Describe("dark", await page.RunAxe(ColourOnly));
                await toggle.ClickAsync();
                await page.WaitForFunctionAsync(IsDarkScript, false);
            }
            return problems.Length == 0 ? null : problems;
        }, screenshotFailures: false);

        Assert.True(failures.Count == 0, $"As {role}:\n" + string.Join("\n", failures));
    }

    private static string Describe(string theme, AxeResult result) => string.Concat(result.Violations
        .Where(v => Blocking.Contains(v.Impact))
        .Select(v => $"\n  [{theme}] {v.Id} ({v.Impact}): {v.Help} {v.HelpUrl}" +
            string.Concat(v.Nodes.Take(5).Select(n => $"\n    {n.Target}  {Shorten(n.Html)}")) +
            (v.Nodes.Length > 5 ? $"\n    … and {v.Nodes.Length - 5} more" : "")));

    private static string Shorten(string html) => html.Length <= 120 ? html : html[..120] + "…";
}
