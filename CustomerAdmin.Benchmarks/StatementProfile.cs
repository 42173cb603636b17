using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CustomerAdmin.Benchmarks;

/// <summary>
/// Times every statement EF Core executes and every commit while it is subscribed, grouped by the statement's text, so
/// a benchmark can print where an operation's time goes (<c>tickets --profile</c>). A statement's time is EF's own
/// measure up to its first result (for a query, the plan's work up to the first row). Not for the timed runs: the
/// events it asks for cost a little on every statement.
/// </summary>
public sealed partial class StatementProfile : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly List<IDisposable> _subscriptions = [];
    private readonly ConcurrentDictionary<string, ConcurrentBag<double>> _times = new();

    public StatementProfile() => _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));

    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name)
            _subscriptions.Add(listener.Subscribe(this, name => name == RelationalEventId.CommandExecuted.Name || name == RelationalEventId.TransactionCommitted.Name));
    }

    public void OnNext(KeyValuePair<string, object?> e)
    {
        switch (e.Value)
        {
            case CommandExecutedEventData c:
                Add(Label(c.Command.CommandText), c.Duration);
                break;
            case TransactionEndEventData t:
                Add("COMMIT", t.Duration);
                break;
        }
    }

    private void Add(string label, TimeSpan duration) => _times.GetOrAdd(label, _ => []).Add(duration.TotalMilliseconds);

    /// <summary>The statement's first words, whitespace folded and multi-row VALUES lists cut, so one statement is one line.</summary>
    private static string Label(string sql)
    {
        var text = Spaces().Replace(sql, " ").Trim();
        var values = text.IndexOf(" VALUES (", StringComparison.Ordinal);
        if (values >= 0) text = text[..(values + 8)] + "...)" + (text.LastIndexOf(" ON CONFLICT", StringComparison.Ordinal) is var c and >= 0 ? text[c..] : "");
        return text.Length <= 150 ? text : text[..150] + "…";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    /// <summary>Statements by total time, with count, mean and p95 per execution and the share of the whole.</summary>
    public void Print(int operations, int top = 20)
    {
        var all = _times.Sum(t => t.Value.Sum());
        Console.WriteLine($"Statements over {operations} operations ({all / Math.Max(1, operations):F2} ms of statements and commits per operation):");
        Console.WriteLine("| statement | executions per operation | mean ms | p95 ms | share of statement time |");
        Console.WriteLine("|---|--:|--:|--:|--:|");
        foreach (var (label, bag) in _times.OrderByDescending(t => t.Value.Sum()).Take(top))
        {
            var times = bag.Order().ToList();
            var p95 = times[Math.Min(times.Count - 1, (int)Math.Ceiling(times.Count * 0.95) - 1)];
            Console.WriteLine($"| `{label.Replace("|", "\\|")}` | {(double)times.Count / Math.Max(1, operations):F1} | {times.Average():F2} | {p95:F2} | {times.Sum() / all:P0} |");
        }
    }

    public void OnCompleted() { }
    public void OnError(Exception error) { }

    public void Dispose()
    {
        foreach (var subscription in _subscriptions) subscription.Dispose();
    }
}
