using MudBlazor;

namespace CustomerAdmin.Components.Layout;

/// <summary>
/// The app's colours: MudBlazor's palettes with the status colours (success, warning, error, info) and, in the dark
/// palette, the primary colour and the secondary text made dark or light enough for WCAG AA contrast (4.5:1) as text
/// on the page and as the fill behind chip and button labels. MudBlazor's own (#00c853 green, #ff9800 orange with white
/// labels, #776be7 on the dark surface) fail it; <c>AccessibilityTests</c> checks every page in both palettes.
/// </summary>
public static class AppTheme
{
    private const string DarkLabel = "rgba(0,0,0,0.87)";

    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Secondary = "#c2185b",
            Success = "#2e7d32",
            Warning = "#a35200",
            Error = "#c62828",
            Info = "#1565c0",
            TextSecondary = "rgba(0,0,0,0.62)",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#9e95f5",
            PrimaryContrastText = DarkLabel,
            Secondary = "#f48fb1",
            SecondaryContrastText = DarkLabel,
            Success = "#0bba83",
            SuccessContrastText = DarkLabel,
            Warning = "#ffa800",
            WarningContrastText = DarkLabel,
            Error = "#ff8a80",
            ErrorContrastText = DarkLabel,
            Info = "#64b5f6",
            InfoContrastText = DarkLabel,
            // An alert's text is the "darken" shade; on the dark surface it has to be the lighter one.
            InfoDarken = "#90caf9",
            SuccessDarken = "#80e2bd",
            WarningDarken = "#ffcc80",
            ErrorDarken = "#ffab91",
            TextPrimary = "rgba(255,255,255,0.87)",
            TextSecondary = "rgba(255,255,255,0.68)",
            DrawerText = "rgba(255,255,255,0.78)",
            DrawerIcon = "rgba(255,255,255,0.78)",
            AppbarText = "rgba(255,255,255,0.87)",
        },
    };
}
