using System.Text.RegularExpressions;
using Bunit;
using CustomerAdmin.Components.Shared;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace CustomerAdmin.Tests.Components.Shared;

/// <summary>The plain markup draws what MudBlazor's components draw, so a list that uses it looks the same.</summary>
public sealed partial class PlainMarkupTests : AppComponentTest
{
    [Theory]
    [InlineData(Color.Success)]
    [InlineData(Color.Warning)]
    [InlineData(Color.Error)]
    [InlineData(Color.Default)]
    public void ChipDrawsMudChipsMarkup(Color color)
    {
        var mud = Render<MudChip<string>>(p => p.Add(c => c.Size, Size.Small).Add(c => c.Color, color).AddChildContent("Active"));
        var plain = Render(Plain.Chip("Active", color));

        // MudChip adds a generated id and a key handler to its container; the plain chip has no keys to handle.
        Assert.Equal(WithoutHandlers(mud.Markup).Replace(ChipId().Match(mud.Markup).Value, ""), plain.Markup);
    }

    [Theory]
    [InlineData(Typo.body2)]
    [InlineData(Typo.body1)]
    public void LinkDrawsMudLinksMarkup(Typo typo)
    {
        var mud = Render<MudLink>(p => p.Add(c => c.Href, "/customers/5").Add(c => c.Typo, typo).AddChildContent("Ann O'Lee"));
        var plain = Render(Plain.Link("/customers/5", "Ann O'Lee", typo));

        // MudLink's click handler only refuses clicks when it is disabled; the router follows a plain link the same way.
        plain.MarkupMatches(WithoutHandlers(mud.Markup));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CheckBoxDrawsMudCheckBoxsMarkup(bool value)
    {
        var mud = Render<MudCheckBox<bool>>(p => p.Add(c => c.Value, value).Add(c => c.Size, Size.Small)
            .AddUnmatched("aria-label", "Select Ann O'Lee").AddUnmatched("data-testid", "select-row"));
        var plain = Render(Plain.CheckBox(this, value, "Select Ann O'Lee", "select-row", _ => { }));

        // MudCheckBox's label carries a generated id for its key interceptor; the plain one handles its keys in Blazor.
        Assert.Equal(BetweenTags().Replace(WithoutHandlers(mud.Markup).Replace(CheckBoxId().Match(mud.Markup).Value, ""), "><"),
            WithoutHandlers(plain.Markup));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NavLinkDrawsMudNavLinksMarkup(bool current)
    {
        Services.GetRequiredService<Microsoft.AspNetCore.Components.NavigationManager>().NavigateTo(current ? "/customers/12" : "/tickets");
        var mud = Render<MudNavLink>(p => p.Add(c => c.Href, "/customers").Add(c => c.Match, Microsoft.AspNetCore.Components.Routing.NavLinkMatch.Prefix)
            .Add(c => c.Icon, Icons.Material.Filled.People).AddUnmatched("data-testid", "nav-customers").AddChildContent("Customers"));
        var plain = Render(Plain.NavLink(this, "/customers", Icons.Material.Filled.People, "Customers", "nav-customers", current, () => Task.CompletedTask));

        Assert.Equal(WithoutHandlers(mud.Markup), WithoutHandlers(plain.Markup));
    }

    private static string WithoutHandlers(string markup) => BlazorHandler().Replace(markup, "");

    [GeneratedRegex(@" blazor:on\w+=""\d+""")]
    private static partial Regex BlazorHandler();

    [GeneratedRegex(@" id=""checkbox\w+""")]
    private static partial Regex CheckBoxId();

    [GeneratedRegex(@">\s+<")]
    private static partial Regex BetweenTags();

    [GeneratedRegex(@" id=""chip-container-[0-9a-f-]+""")]
    private static partial Regex ChipId();
}
