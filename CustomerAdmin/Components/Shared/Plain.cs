using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
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

    /// <summary>
    /// A small <c>MudCheckBox</c> without a label: a native checkbox under MudBlazor's round button and icon. The input
    /// itself takes the focus (app.css rings its button) and Space ticks it as any checkbox; Enter ticks and Delete
    /// unticks, as MudBlazor's key handling does. A click on it stays off the row under it.
    /// </summary>
    public static RenderFragment CheckBox(object receiver, bool value, string ariaLabel, string testId, Action<bool> changed) => builder =>
    {
        builder.OpenElement(0, "div");
        builder.AddAttribute(1, "class", "mud-input-control mud-input-control-boolean-input");
        builder.OpenElement(2, "div");
        builder.AddAttribute(3, "class", "mud-input-control-input-container");
        builder.OpenElement(4, "label");
        builder.AddAttribute(5, "class", "mud-checkbox mud-input-content-placement-end");
        builder.AddAttribute(6, "onkeydown", EventCallback.Factory.Create<KeyboardEventArgs>(receiver, e =>
        {
            if (e.Key is "Enter" or "NumpadEnter" && !value) changed(true);
            else if (e.Key is "Delete" && value) changed(false);
        }));
        builder.AddEventStopPropagationAttribute(7, "onclick", true);
        builder.OpenElement(8, "span");
        builder.AddAttribute(9, "class", "mud-button-root mud-icon-button mud-default-text hover:mud-default-hover mud-ripple mud-ripple-checkbox "
            + (value ? "mud-checkbox-true" : "mud-checkbox-false"));
        builder.OpenElement(10, "input");
        builder.AddAttribute(11, "tabindex", "0");
        builder.AddAttribute(12, "aria-label", ariaLabel);
        builder.AddAttribute(13, "data-testid", testId);
        builder.AddAttribute(14, "type", "checkbox");
        builder.AddAttribute(15, "class", "mud-checkbox-input");
        builder.AddAttribute(16, "checked", value);
        builder.AddAttribute(17, "onchange", EventCallback.Factory.Create<ChangeEventArgs>(receiver, e => changed(e.Value is true or "true" or "on")));
        builder.CloseElement();
        builder.AddContent(18, Icon("mud-icon-root mud-svg-icon mud-icon-size-small",
            value ? Icons.Material.Filled.CheckBox : Icons.Material.Filled.CheckBoxOutlineBlank));
        builder.CloseElement();
        builder.CloseElement();
        builder.CloseElement();
        builder.CloseElement();
    };

    /// <summary>
    /// A <c>MudNavLink</c> with an icon (NavLinkMatch.Prefix): <paramref name="current"/> marks it active, and
    /// <paramref name="followed"/> runs on a click before the router follows the link.
    /// </summary>
    public static RenderFragment NavLink(object receiver, string href, string icon, string text, string? testId, bool current, Func<Task> followed) => builder =>
    {
        builder.OpenElement(0, "div");
        builder.AddAttribute(1, "class", "mud-nav-item");
        builder.OpenElement(2, "a");
        builder.AddAttribute(3, "onclick", EventCallback.Factory.Create<MouseEventArgs>(receiver, followed));
        builder.AddAttribute(4, "href", href);
        builder.AddAttribute(5, "rel", "");
        builder.AddAttribute(6, "data-testid", testId);
        builder.AddAttribute(7, "tabindex", "0");
        builder.AddAttribute(8, "class", current ? "mud-nav-link mud-ripple active" : "mud-nav-link mud-ripple");
        builder.AddAttribute(9, "aria-current", current ? "page" : null);
        builder.AddContent(10, Icon("mud-icon-root mud-icon-default mud-svg-icon mud-icon-size-medium mud-nav-link-icon mud-nav-link-icon-default", icon));
        builder.OpenElement(17, "div");
        builder.AddAttribute(18, "class", "mud-nav-link-text");
        builder.AddContent(19, text);
        builder.CloseElement();
        builder.CloseElement();
        builder.CloseElement();
    };

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    /// <summary>A <c>MudIcon</c>'s svg (decorative: hidden from screen readers).</summary>
    private static RenderFragment Icon(string cssClass, string svg) => builder =>
    {
        builder.OpenElement(0, "svg");
        builder.AddAttribute(1, "class", cssClass);
        builder.AddAttribute(2, "focusable", "false");
        builder.AddAttribute(3, "viewBox", "0 0 24 24");
        builder.AddAttribute(4, "aria-hidden", "true");
        builder.AddAttribute(5, "role", "img");
        builder.AddMarkupContent(6, svg);
        builder.CloseElement();
    };
}
