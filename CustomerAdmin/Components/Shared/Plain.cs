using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace CustomerAdmin.Components.Shared;

/// <summary>
/// MudBlazor's markup for a link and a chip that only show text, drawn without a component. Every component an open
/// page holds costs each circuit its state and two render tree buffers (about 4.5–5 KB all told, measured with
/// <c>circuit-memory --dump</c>), for as long as the page is open; a list row drew a <c>MudLink</c> and a <c>MudChip</c>,
/// 50 components on a page of 25. <c>PlainMarkupTests</c> compares the markup with the components' own, so the look
/// and the tests' selectors stay MudBlazor's.
/// </summary>
public static class Plain
{
    /// <summary>A <c>MudLink</c> with <paramref name="href"/> and <paramref name="typo"/>, primary colour, underlined on hover.</summary>
    public static RenderFragment Link(string href, string text, Typo typo = Typo.body2) => builder =>
    {
        builder.OpenElement(0, "a");
        builder.AddAttribute(1, "href", href);
        builder.AddAttribute(2, "class", $"mud-typography mud-link mud-primary-text mud-link-underline-hover mud-typography-{Name(typo)}");
        builder.AddContent(3, text);
        builder.CloseElement();
    };

    /// <summary>A small filled <c>MudChip</c> of <paramref name="color"/> with no icon, click or close button.</summary>
    public static RenderFragment Chip(string text, Color color) => builder =>
    {
        builder.OpenElement(0, "div");
        builder.AddAttribute(1, "class", "mud-chip-container");
        builder.OpenElement(2, "div");
        builder.AddAttribute(3, "class", $"mud-chip mud-chip-filled mud-chip-size-small mud-chip-color-{Name(color)}");
        builder.AddAttribute(4, "tabindex", "-1");
        builder.OpenElement(5, "span");
        builder.AddAttribute(6, "class", "mud-chip-content");
        builder.AddContent(7, text);
        builder.CloseElement();
        builder.CloseElement();
        builder.CloseElement();
    };

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
