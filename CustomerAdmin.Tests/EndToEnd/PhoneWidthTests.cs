using CustomerAdmin.Security;
using Microsoft.Playwright;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>
/// Every page of the app, opened as an admin (who may open them all) on a phone (390 × 844) and on a laptop
/// (1280 × 800), fits the window's width: nothing makes the page itself scroll sideways. A wide table or text may
/// scroll inside its own box; the page may not. The failure names the element that sticks out furthest.
/// With <c>CUSTOMERADMIN_DOCS_SCREENSHOTS=1</c> the sweep also writes the main pages' screenshots to
/// <c>docs/screenshots/</c> (see <see cref="DocsScreenshots"/>).
/// </summary>
[Collection(PageSweepCollection.Name)]
public sealed class PhoneWidthTests(SweepServer sweep, Browser browser)
{
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };
    public static readonly ViewportSize Laptop = new() { Width = 1280, Height = 800 };

    // Null when the page fits. Otherwise the element reaching furthest right, among those not clipped by a scrolling
    // or hidden-overflow box of their own (those scroll inside it and cannot widen the page), and its ancestors.
    private const string OverflowScript = """
        () => {
            const root = document.scrollingElement;
            const width = root.clientWidth;
            if (root.scrollWidth <= width) return null;
            const clipped = el => {
                for (let p = el.parentElement; p && p !== document.body; p = p.parentElement)
                    if (getComputedStyle(p).overflowX !== 'visible') return true;
                return false;
            };
            const describe = el => {
                let d = el.tagName.toLowerCase();
                if (el.id) d += '#' + el.id;
                const testId = el.getAttribute('data-testid');
                if (testId) d += `[data-testid=${testId}]`;
                const classes = [...el.classList].slice(0, 3);
                if (classes.length) d += '.' + classes.join('.');
                return d;
            };
            let widest = null, right = width + 1;
            for (const el of document.body.querySelectorAll('*')) {
                const r = el.getBoundingClientRect();
                if (r.width === 0 || r.right < right || getComputedStyle(el).position === 'fixed' || clipped(el)) continue;
                widest = el;
                right = r.right;
            }
            let message = `the page is ${root.scrollWidth}px wide in a ${width}px window`;
            if (widest) {
                const path = [];
                for (let p = widest.parentElement; p && p !== document.body && path.length < 3; p = p.parentElement) path.push(describe(p));
                const text = (widest.innerText || '').trim().replace(/\s+/g, ' ').slice(0, 60);
                message += `; widest: ${describe(widest)} "${text}" (${Math.round(widest.getBoundingClientRect().width)}px wide, `
                    + `right edge at ${Math.round(right)}px) in ${path.join(' < ')}`;
            }
            return message;
        }
        """;

    public static TheoryData<int, int> Sizes => new() { { Phone.Width, Phone.Height }, { Laptop.Width, Laptop.Height } };

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task NoPageScrollsSideways(int width, int height)
    {
        var viewport = new ViewportSize { Width = width, Height = height };
        var failures = await new PageSweep(sweep, browser).RunAsync(AppRoles.Admin, viewport, async (page, visit) =>
        {
            await DocsScreenshots.SaveAsync(page, visit, viewport);
            return await page.EvaluateAsync<string?>(OverflowScript);
        });

        Assert.True(failures.Count == 0, $"At {width} × {height}:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void EveryPageHasAVisitingRule()
    {
        var routes = AppRoute.All;

        Assert.Contains(routes, r => r.Template == "/customers/{Id:int}/history");
        Assert.Contains(routes, r => r.Template == "/account/sign-in" && r.IsStatic);
        Assert.Empty(PageVisits.WithoutRule(routes).Select(r => r.Template));
    }
}
