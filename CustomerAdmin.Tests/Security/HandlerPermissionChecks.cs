using System.Reflection;
using System.Runtime.CompilerServices;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Security;

/// <summary>
/// Reads the compiled IL of every component in the app to find the methods that write (a DbContext save, a bulk
/// update or delete, raw SQL, or a call into a writing class such as an <c>*Operations</c> class) and whether each
/// write is reached only through a server-side permission check (<see cref="AuthorizationExtensions.AllowsAsync"/> or
/// <see cref="IAuthorizationService"/>). A button's handler is compiled to a method of the component (async ones to a
/// state machine, inline lambdas to closures); all of those are read, so a handler cannot hide its write in a helper.
/// </summary>
/// <remarks>
/// IL rather than the .razor source: the compiler has already resolved every call, including ones written through
/// extension methods, aliases and helper methods, and markup-bound handlers (<c>OnClick="SaveAsync"</c>) appear as the
/// delegates the render tree creates. The analysis is per component: a write is guarded when the method making it
/// checks a permission before its first write, or when every method of the component that calls it is guarded.
/// </remarks>
public static class HandlerPermissionChecks
{
    /// <summary>Classes whose asynchronous methods write (named by suffix, so a new <c>FooOperations</c> is covered).</summary>
    private static readonly string[] WriterSuffixes = ["Operations", "Deletion", "Importer", "Outbox", "SmsConsent", "Scanner"];

    /// <summary>Reads on writing classes: methods whose names start like this change nothing.</summary>
    private static readonly string[] ReadPrefixes = ["Load", "Find", "Count", "Read", "Used", "Booked", "Search", "Get", "List", "Preview", "Templates", "Audience"];

    private static readonly string[] EfWrites = ["SaveChanges", "SaveChangesAsync", "ExecuteUpdate", "ExecuteUpdateAsync", "ExecuteDelete",
        "ExecuteDeleteAsync", "ExecuteSqlRaw", "ExecuteSqlRawAsync", "ExecuteSqlInterpolated", "ExecuteSqlInterpolatedAsync", "ExecuteSql", "ExecuteSqlAsync"];

    public sealed record Finding(Type Component, string Method, string Write);

    /// <summary>Every write in a component that can run without a permission check having passed first.</summary>
    public static List<Finding> UncheckedWrites(Assembly app) =>
        app.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t) && !t.IsAbstract && !IlReader.IsGenerated(t))
            .SelectMany(Analyse)
            .ToList();

    public static List<Finding> Analyse(Type component)
    {
        var methods = IlReader.MethodsWithNested(component).ToList();
        var calls = methods.ToDictionary(m => m, Calls);
        var callers = methods.ToDictionary(m => m, _ => new List<MethodBase>());
        foreach (var (method, body) in calls)
            foreach (var (_, target) in body)
                foreach (var callee in Bodies(target, methods))
                    if (callee != method) callers[callee].Add(method);

        // A helper such as UserList.RunAsync(operation) checks and then invokes the delegate it was given: a lambda
        // handed to one by its caller is reached only through that check.
        var runners = methods.Where(m => ChecksBeforeInvoking(calls[m])).ToHashSet();
        bool PassesToRunner(MethodBase caller) => calls[caller].Any(c => Bodies(c.Target, methods).Any(runners.Contains));

        var guarded = new Dictionary<MethodBase, bool>();
        bool IsGuarded(MethodBase m, HashSet<MethodBase> visiting)
        {
            if (guarded.TryGetValue(m, out var known)) return known;
            if (!visiting.Add(m)) return true; // a cycle adds no unguarded way in
            var result = ChecksFirst(calls[m])
                || (callers[m].Count > 0 && callers[m].All(c => IsGuarded(c, visiting) || (IsLambda(m) && PassesToRunner(c))));
            visiting.Remove(m);
            return guarded[m] = result;
        }

        var findings = new List<Finding>();
        foreach (var (method, body) in calls)
        {
            var write = body.FirstOrDefault(c => IsWrite(c.Target)).Target;
            if (write is null) continue;
            if (IsGuarded(method, [])) continue;
            findings.Add(new Finding(component, Owner(method), $"{write.DeclaringType?.Name}.{write.Name}"));
        }
        return findings;
    }

    /// <summary>The methods of the component a reference runs: itself, or for an async method its state machine's MoveNext.</summary>
    private static IEnumerable<MethodBase> Bodies(MethodBase target, List<MethodBase> methods)
    {
        if (methods.Contains(target)) yield return target;
        if (target.GetCustomAttribute<StateMachineAttribute>() is { } machine
            && machine.StateMachineType.GetMethod("MoveNext", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public) is { } moveNext
            && methods.Contains(moveNext))
            yield return moveNext;
    }

    private static bool ChecksBeforeInvoking(List<(int Offset, MethodBase Target)> body)
    {
        var check = body.FirstOrDefault(c => IsCheck(c.Target));
        return check.Target is not null
            && body.Any(c => c.Offset > check.Offset && c.Target.Name == "Invoke" && typeof(Delegate).IsAssignableFrom(c.Target.DeclaringType));
    }

    private static bool IsLambda(MethodBase m) =>
        m.Name.Contains(">b__") || (m.Name == "MoveNext" && m.DeclaringType?.Name.Contains(">b__") == true);

    private static bool ChecksFirst(List<(int Offset, MethodBase Target)> body)
    {
        var check = body.FirstOrDefault(c => IsCheck(c.Target));
        if (check.Target is null) return false;
        var write = body.FirstOrDefault(c => IsWrite(c.Target));
        return write.Target is null || check.Offset < write.Offset;
    }

    private static bool IsCheck(MethodBase m) =>
        (m.DeclaringType == typeof(AuthorizationExtensions) && m.Name == nameof(AuthorizationExtensions.AllowsAsync))
        || (typeof(IAuthorizationService).IsAssignableFrom(m.DeclaringType) || m.DeclaringType == typeof(AuthorizationServiceExtensions))
            && m.Name == nameof(IAuthorizationService.AuthorizeAsync);

    public static bool IsWrite(MethodBase m)
    {
        var declaring = m.DeclaringType;
        if (declaring is null) return false;
        if (EfWrites.Contains(m.Name) && (typeof(DbContext).IsAssignableFrom(declaring) || declaring.Namespace?.StartsWith("Microsoft.EntityFrameworkCore") == true))
            return true;
        return declaring.Assembly == typeof(Program).Assembly
            && !typeof(IComponent).IsAssignableFrom(declaring)
            && WriterSuffixes.Any(s => declaring.Name.EndsWith(s, StringComparison.Ordinal))
            && m.Name.EndsWith("Async", StringComparison.Ordinal)
            && !ReadPrefixes.Any(p => m.Name.StartsWith(p, StringComparison.Ordinal));
    }

    /// <summary>Every method a body calls or takes a delegate to, with the IL offset of the reference.</summary>
    private static List<(int Offset, MethodBase Target)> Calls(MethodBase method) =>
        IlReader.References(method).Where(r => r.IsCall).Select(r => (r.Offset, (MethodBase)r.Member)).ToList();

    /// <summary>"SaveAsync" for a state machine's MoveNext or a lambda inside SaveAsync, so findings name the source method.</summary>
    private static string Owner(MethodBase m)
    {
        var name = m.Name == "MoveNext" && m.DeclaringType is { } machine ? machine.Name : m.Name;
        var trimmed = name.TrimStart('<');
        var end = trimmed.IndexOf('>');
        var owner = end > 0 ? trimmed[..end] : name;
        return IsLambda(m) ? owner + " (lambda)" : owner;
    }
}
