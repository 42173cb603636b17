#!/bin/sh
# Screenshot of a page of a running app, for looking at the UI without writing a test:
#   docs/screenshot.sh http://127.0.0.1:5289/customers out.png [width=1280] [height=800]
# Drives the system Chromium with the Playwright driver that the test project's build brings along, so the
# shot is taken once the Blazor circuit has rendered (the data-interactive marker the end-to-end tests wait
# for), not of the prerendered HTML. Without that build it falls back to `chromium --screenshot`, which shows
# prerendered HTML only: Chromium's own headless mode fast-forwards timers and never connects the circuit.
# SCREENSHOT_WAIT_MS (default 500) is extra time after the page is interactive, for data that loads late.
# SCREENSHOT_EMAIL and SCREENSHOT_PASSWORD sign in first (every page but sign-in needs a user; the demo users'
# sign-ins are printed when the app seeds its demo data).
set -eu

if [ $# -lt 2 ]; then
    echo "usage: $0 URL OUT.png [width] [height]" >&2
    exit 2
fi
url=$1
width=${3:-1280}
height=${4:-800}
# Chromium resolves a relative path against its own working directory, not ours.
case $2 in
    /*) out=$2 ;;
    *) out=$(pwd)/$2 ;;
esac
chromium=/usr/bin/chromium
flags="--no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run"

root=$(cd "$(dirname "$0")/.." && pwd)
driver=$(ls -d "$root"/CustomerAdmin.Tests/bin/*/net*/.playwright 2>/dev/null | head -n 1)

if [ -z "$driver" ]; then
    echo "note: no Playwright driver (run dotnet build); the shot shows prerendered HTML only" >&2
    # shellcheck disable=SC2086 # the flags are meant to split
    "$chromium" --headless $flags --hide-scrollbars --window-size="$width,$height" \
        --screenshot="$out" "$url" 2>/dev/null
else
    PLAYWRIGHT="$driver/package" CHROMIUM="$chromium" FLAGS="$flags" URL="$url" OUT="$out" \
    WIDTH="$width" HEIGHT="$height" WAIT_MS="${SCREENSHOT_WAIT_MS:-500}" \
    EMAIL="${SCREENSHOT_EMAIL:-}" PASSWORD="${SCREENSHOT_PASSWORD:-}" \
    "$driver/node/linux-x64/node" -e '
        const { chromium } = require(process.env.PLAYWRIGHT);
        const env = process.env;
        (async () => {
            const browser = await chromium.launch({ executablePath: env.CHROMIUM, args: env.FLAGS.split(" ") });
            try {
                const page = await browser.newPage({ viewport: { width: +env.WIDTH, height: +env.HEIGHT } });
                if (env.EMAIL) {
                    await page.goto(new URL("/account/sign-in", env.URL).href);
                    await page.locator("#email").fill(env.EMAIL);
                    await page.locator("#password").fill(env.PASSWORD);
                    await page.getByRole("button", { name: "Sign in" }).click();
                    await page.waitForURL(u => !u.pathname.startsWith("/account/sign-in"));
                }
                await page.goto(env.URL);
                // Pages without the marker (/health, static pages) are shot as they load.
                if (await page.locator("[data-interactive]").count() > 0)
                    await page.locator("[data-interactive=\"true\"]").waitFor({ state: "attached", timeout: 15000 })
                        .catch(() => console.error("note: the page did not become interactive; shooting it as it is"));
                await page.waitForTimeout(+env.WAIT_MS);
                await page.screenshot({ path: env.OUT, fullPage: true });
            } finally {
                await browser.close();
            }
        })().catch(e => { console.error(e.message); process.exit(1); });'
fi
test -s "$out"
echo "$out"
