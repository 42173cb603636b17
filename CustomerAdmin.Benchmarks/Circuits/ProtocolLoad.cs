using System.Diagnostics;
using CustomerAdmin.Features.Customers.Search;

namespace CustomerAdmin.Benchmarks.Circuits;

/// <summary>
/// <c>load --client protocol</c>: the staff of <see cref="LoadBenchmark"/> played by <see cref="BlazorCircuitClient"/>s,
/// many in this process on async code, instead of Chromium pages, so the two cores go to the server. The same script:
/// type a term in the app bar key by key, wait for the suggestions answering the complete term, open the first one,
/// every K-th customer edit and save. Times run from sending the event to receiving the render batch that shows the
/// result (the time a browser would then take to paint it is not in them).
/// </summary>
internal static class ProtocolLoad
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<LoadBenchmark.Measured> RunOnceAsync(AppProcess app, LoadBenchmark.Options o, int circuits,
        List<(string Email, string Password)> users, List<LoadBenchmark.Term> terms)
    {
        var warmUpErrors = await WarmUpAsync(app, users[0], terms);
        var heapBefore = await app.HeapAfterFullCollectionAsync();
        var setBefore = app.WorkingSet;

        var clients = new BlazorCircuitClient[circuits];
        try
        {
            using (var signIns = new SemaphoreSlim(4))
                await Task.WhenAll(Enumerable.Range(0, circuits).Select(async i =>
                {
                    await signIns.WaitAsync();
                    try { clients[i] = await BlazorCircuitClient.OpenAsync(app, users[i]); }
                    finally { signIns.Release(); }
                }));
            var open = await LoadBenchmark.WaitForCircuitsAsync(app, circuits);
            await Task.Delay(5000);
            var heapAfter = await app.HeapAfterFullCollectionAsync();
            var setAfter = app.WorkingSet;

            var samples = new LoadBenchmark.Samples();
            foreach (var error in warmUpErrors) samples.Errors.Enqueue($"warm-up: {error}");
            var self = Process.GetCurrentProcess();
            var (cpuBefore, clientCpuBefore, machineBefore) = (app.CpuTime, self.TotalProcessorTime, LoadBenchmark.MachineTicks());
            var clock = Stopwatch.StartNew();
            var stop = DateTime.UtcNow.AddSeconds(o.Seconds);
            await Task.WhenAll(clients.Select((client, i) => LoopAsync(client, i, o, terms, stop, samples)));
            var wall = clock.Elapsed.TotalSeconds;
            self.Refresh();
            var (cpu, clientCpu, machineAfter) = (app.CpuTime - cpuBefore, self.TotalProcessorTime - clientCpuBefore, LoadBenchmark.MachineTicks());
            foreach (var error in clients.SelectMany(c => c.Errors).Distinct().Take(5)) samples.Errors.Enqueue($"circuit: {error}");
            foreach (var line in ReportServerLog(app)) samples.Errors.Enqueue($"server: {line}");
            return new LoadBenchmark.Measured(circuits, open, "0 (protocol)", samples, setBefore, setAfter, heapBefore, heapAfter,
                cpu.TotalSeconds, clientCpu.TotalSeconds, wall, LoadBenchmark.Busy(machineBefore, machineAfter));
        }
        finally
        {
            await Task.WhenAll(clients.Where(c => c is not null).Select(c => c.DisposeAsync().AsTask()));
        }
    }

    /// <summary>As <see cref="LoadBenchmark.WarmUpAsync"/>: one circuit through the loop three times, closed, and the app
    /// left until it reports no open circuit.</summary>
    private static async Task<List<string>> WarmUpAsync(AppProcess app, (string Email, string Password) user, List<LoadBenchmark.Term> terms)
    {
        var ignored = new LoadBenchmark.Samples();
        await using (var warm = await BlazorCircuitClient.OpenAsync(app, user))
        {
            for (var i = 0; i < 3; i++) await IterateAsync(warm, terms[i % terms.Count], i + 1, editEvery: 2, ignored);
            foreach (var error in warm.Errors) ignored.Errors.Enqueue(error);
        }
        if (!ignored.Errors.IsEmpty) Console.WriteLine($"warm-up: {string.Join("; ", ignored.Errors.Distinct().Take(5))}");
        var errors = ignored.Errors.Concat(ReportServerLog(app).Select(line => $"server: {line}")).ToList();
        await LoadBenchmark.WaitForCircuitsAsync(app, 0);
        await Task.Delay(3000);
        return errors;
    }

    private static async Task LoopAsync(BlazorCircuitClient client, int index, LoadBenchmark.Options o, List<LoadBenchmark.Term> terms,
        DateTime stop, LoadBenchmark.Samples samples)
    {
        var random = new Random(index);
        await Task.Delay(random.Next(o.ThinkMs + 1));
        for (var iteration = 1; DateTime.UtcNow < stop && !client.Dead; iteration++)
        {
            await IterateAsync(client, terms[random.Next(terms.Count)], iteration, o.EditEvery, samples);
            await Task.Delay(o.ThinkMs / 2 + random.Next(o.ThinkMs + 1));
        }
    }

    private static bool Answers(Dom dom, string term, string expect) =>
        dom.ByTestId("suggestion").Any(e => e["data-term"] == term && e.Text().Contains(expect, StringComparison.OrdinalIgnoreCase));

    /// <summary>Search, open the first suggestion, and every <paramref name="editEvery"/>-th time edit and save it.</summary>
    internal static async Task IterateAsync(BlazorCircuitClient client, LoadBenchmark.Term term, int iteration, int editEvery, LoadBenchmark.Samples samples)
    {
        var step = "search box";
        try
        {
            if (client.Read(d => d.ById("global-search")?["value"] is { Length: > 0 } || d.ByTestId("suggestion").Any()))
            {
                var cleared = client.WaitAsync(d => !d.ByTestId("suggestion").Any(), Patience);
                await TypeAsync(client, "");
                await cleared;
            }
            // As the browser runs it: every key but the last typed and its answer awaited, then the last key starts the
            // clock, which stops at the batch that shows the suggestions answering the complete term.
            step = "suggestions";
            var prefix = term.Text[..^1];
            for (var i = 1; i <= prefix.Length; i++) await TypeAsync(client, prefix[..i]);
            await client.WaitAsync(d => d.ByTestId("suggestion").Any(e => e["data-term"] == prefix), Patience);
            var shown = client.WaitAsync(d => Answers(d, term.Text, term.Expect), Patience);
            var key = Stopwatch.GetTimestamp();
            await TypeAsync(client, term.Text);
            samples.Suggestions.Add(Stopwatch.GetElapsedTime(key, await shown).TotalMilliseconds - GlobalSearch.DebounceMs);

            step = "open";
            var (first, name) = client.Read(d =>
            {
                var suggestion = d.ByTestId("suggestion").First(e => e["data-term"] == term.Text);
                return (suggestion, suggestion.Elements().First(e => e.Tag == "b").Text().Trim());
            });
            // After the navigation the click starts (to the same address, when the customer shown is the one suggested).
            var navigations = client.Navigations;
            var opened = client.WaitAsync(d => client.Navigations > navigations && ShowsName(d, name), Patience);
            var press = Stopwatch.GetTimestamp();
            await client.ClickAsync(first);
            samples.Pages.Add(Stopwatch.GetElapsedTime(press, await opened).TotalMilliseconds);

            if (iteration % editEvery != 0) return;
            step = "edit";
            var href = client.Read(d => d.Elements().First(e => e.Tag == "a" && e["href"]?.EndsWith("/edit", StringComparison.Ordinal) == true
                && e.Text().Trim() == "Edit")["href"]!);
            var form = client.WaitAsync(d => d.Field("Address line 2") is not null && d.ByTestId("save").Any(), Patience);
            await client.FollowLinkAsync(href);
            await form;
            var field = client.Read(d => d.Field("Address line 2")!);
            var value = $"Bench {iteration}";
            foreach (var name2 in (string[])["input", "change"])
                if (client.Read(_ => field.Handlers.ContainsKey(name2)))
                    await await client.DispatchAsync(field, name2, new { value }, value);

            step = "save";
            var editPath = client.Path;
            var saved = client.WaitAsync(d => client.Path != editPath && ShowsName(d, name), Patience);
            var (button, submit) = client.Read(d =>
            {
                var save = d.ByTestId("save").First();
                return (save, save.Handling("submit") ?? throw new InvalidOperationException("The Save button is in no form."));
            });
            // A form that answers with a message (a field error, the duplicate warning, a failed save) is what a user
            // would read and act on: counted as refused with its message, not as a save that never arrived.
            var refused = client.WaitAsync(d => client.Path == editPath && Refusal(d) is not null, Patience);
            var pressed = Stopwatch.GetTimestamp();
            if (client.Read(_ => button.Handlers.ContainsKey("click"))) await client.DispatchAsync(button, "click", new { type = "click", detail = 1 });
            await client.DispatchAsync(submit, "submit", new { });
            if (await Task.WhenAny(saved, refused) == refused && refused.IsCompletedSuccessfully && !saved.IsCompleted)
            {
                _ = saved.ContinueWith(t => t.Exception, TaskScheduler.Default);
                samples.Refused.Enqueue($"refused by validation: {client.Read(Refusal)} ({client.Path})");
                await client.FollowLinkAsync("/customers");
                return;
            }
            _ = refused.ContinueWith(t => t.Exception, TaskScheduler.Default);
            samples.Saves.Add(Stopwatch.GetElapsedTime(pressed, await saved).TotalMilliseconds);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            samples.Errors.Enqueue($"{step} ({term.Text}, {client.Path}): {ex.Message}");
            if (client.Dead) return;
            try
            {
                // Start the next iteration from a known page.
                await client.FollowLinkAsync("/customers");
                await Task.Delay(1000);
            }
            catch (Exception again) when (again is TimeoutException or InvalidOperationException)
            {
                samples.Errors.Enqueue($"recovering: {again.Message}");
            }
        }
    }

    /// <summary>What the server logged (at Warning and above) that concerns circuits: none is what a good run shows.</summary>
    internal static List<string> ReportServerLog(AppProcess app)
    {
        var lines = app.Output(1000).Split('\n');
        var circuit = lines.Where(l => l.Contains("Circuit", StringComparison.OrdinalIgnoreCase) || l.Contains("Unhandled", StringComparison.OrdinalIgnoreCase)).ToList();
        Console.WriteLine($"  server log: {lines.Count(l => l.Length > 0)} lines at Warning or above, {circuit.Count} about circuits or unhandled exceptions");
        foreach (var line in circuit.Take(10)) Console.WriteLine($"    {line}");
        return circuit;
    }

    /// <summary>The message the customer form shows after a save it did not make: a field's error or an alert.</summary>
    private static string? Refusal(Dom dom) =>
        dom.Elements().Where(e => e["class"]?.Contains("mud-input-error", StringComparison.Ordinal) == true && e.Tag != "input"
                || e["data-testid"] is "duplicates" or "conflict" || e["class"]?.Contains("mud-alert-text-error", StringComparison.Ordinal) == true
                || e["class"]?.Contains("mud-alert-filled-error", StringComparison.Ordinal) == true)
            .Select(e => string.Join(' ', e.Text().Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)))
            .FirstOrDefault(text => text.Length > 0);

    private static bool ShowsName(Dom dom, string name) =>
        dom.ByTestId("customer-name").Any(e => e.Text().Contains(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>One key as the browser sends it to the app bar's search box: keydown, then input with the box's new text, then keyup.</summary>
    private static async Task TypeAsync(BlazorCircuitClient client, string text)
    {
        var box = client.Read(d => d.ById("global-search")) ?? throw new InvalidOperationException("No search box in the app bar.");
        var key = text.Length == 0 ? "Backspace" : text[^1..];
        var keyArgs = new { type = "keydown", key, code = key == " " ? "Space" : key.Length == 1 ? $"Key{key.ToUpperInvariant()}" : key };
        if (client.Read(_ => box.Handling("keydown")) is { } down) await client.DispatchAsync(down, "keydown", keyArgs);
        await client.DispatchAsync(box, "input", new { value = text }, text);
        if (client.Read(_ => box.Handling("keyup")) is { } up) await client.DispatchAsync(up, "keyup", keyArgs with { type = "keyup" });
    }
}
