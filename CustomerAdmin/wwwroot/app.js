// Small browser helpers the Blazor components call through JS interop.
window.customerAdmin = {
    getDarkMode: () => localStorage.getItem("customerAdmin.darkMode"),
    setDarkMode: (on) => localStorage.setItem("customerAdmin.darkMode", on ? "1" : "0"),
};

// "/" focuses the global search from anywhere, unless the user is typing in a field already.
document.addEventListener("keydown", (e) => {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
    const el = document.activeElement;
    const typing = el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
    if (typing) return;
    const search = document.getElementById("global-search");
    if (search) {
        e.preventDefault();
        search.focus();
    }
});
