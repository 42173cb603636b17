// Small browser helpers the Blazor components call through JS interop.
window.customerAdmin = {
    getDarkMode: () => localStorage.getItem("customerAdmin.darkMode"),
    setDarkMode: (on) => localStorage.setItem("customerAdmin.darkMode", on ? "1" : "0"),
};

// Keyboard shortcuts: this one listener for the whole app. "/" only moves focus, so it is handled here; every other
// shortcut is a command for the circuit's KeyboardShortcuts (Components/Shortcuts), which knows the user's rights and
// the targets the current page declared with <PageShortcuts>. No shortcut fires while the user types in a field, with
// Ctrl, Alt or Meta held (the browser's and the system's own), or while a dialog is open (Esc is the dialog's).
(() => {
    let host = null;
    let gPressedAt = 0; // "g" starts a two-key destination: the next key within this many milliseconds picks it
    const gWindowMs = 1500;
    let returnFocusTo = null;
    // A shortcut pressed while the page is still connecting (before the circuit attached its host) is kept and run
    // when the host attaches, unless that takes longer than this many milliseconds: the key press is not lost.
    let waiting = null;
    const waitMs = 5000;
    const run = (command) => host.invokeMethodAsync("RunAsync", command).catch(() => { }); // a lost circuit: the reconnect dialog tells the user

    window.customerAdmin.shortcuts = {
        attach: (reference) => {
            host = reference;
            if (waiting && Date.now() - waiting.at < waitMs) run(waiting.command);
            waiting = null;
        },
        detach: (reference) => { if (host === reference) host = null; },
        // The help overlay can be opened from the account menu, whose item is gone once the menu closes: focus then
        // returns to the menu's button.
        rememberFocus: () => {
            const el = document.activeElement;
            returnFocusTo = el && el !== document.body && !el.closest(".mud-popover") ? el : null;
        },
        restoreFocus: () => {
            const target = returnFocusTo && returnFocusTo.isConnected
                ? returnFocusTo
                : document.querySelector("[data-testid=user-menu] button");
            returnFocusTo = null;
            if (target) target.focus();
        },
        // Opened from the account menu, the closing menu can take focus back after the dialog gave it to its content;
        // focus goes into the dialog again so Esc and Tab work there (the dialog keeps it from then on).
        focusHelp: () => {
            const put = () => {
                const dialog = document.querySelector("[data-testid=shortcuts-help]")?.closest(".mud-dialog")
                    ?? document.querySelector("[data-testid=shortcuts-help]");
                if (!dialog || dialog.contains(document.activeElement)) return;
                (dialog.querySelector("button, [href], [tabindex]:not([tabindex='-1'])") ?? dialog).focus();
            };
            setTimeout(put, 50);
            setTimeout(put, 300);
        },
    };

    const typing = (el) => el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
    const dialogOpen = () => document.querySelector(".mud-dialog-container, dialog[open], [aria-modal=true]") !== null;

    document.addEventListener("keydown", (e) => {
        if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing || e.repeat) return;
        if (typing(document.activeElement) || dialogOpen()) {
            gPressedAt = 0;
            return;
        }
        let command = null;
        if (gPressedAt && Date.now() - gPressedAt < gWindowMs && e.key.length === 1) command = "go:" + e.key;
        gPressedAt = 0;
        if (command === null) {
            if (e.key === "/") {
                const search = document.getElementById("global-search");
                if (search) {
                    e.preventDefault();
                    search.focus();
                }
                return;
            }
            if (e.key === "g") {
                gPressedAt = Date.now();
                return;
            }
            command = { "?": "help", n: "new", e: "edit" }[e.key] ?? null;
        }
        if (command === null) return;
        e.preventDefault();
        if (host === null) waiting = { command, at: Date.now() };
        else run(command);
    });
})();
