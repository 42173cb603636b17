using System.Reflection;
using Microsoft.AspNetCore.Components;

namespace CustomerAdmin.Tests.EndToEnd;

/// <summary>A page of the app: one <c>@page</c> template of a routable component.</summary>
public sealed record AppRoute(string Template, Type Component)
{
    /// <summary>
    /// Every page, read from the compiled app (the <see cref="RouteAttribute"/> that <c>@page</c> becomes), so a page
    /// added tomorrow is in the sweeps without anyone remembering to list it.
    /// </summary>
    public static IReadOnlyList<AppRoute> All { get; } = typeof(Program).Assembly.GetTypes()
        .Where(t => typeof(IComponent).IsAssignableFrom(t) && !t.IsAbstract)
        .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => new AppRoute(r.Template, t)))
        .OrderBy(r => r.Template, StringComparer.Ordinal)
        .ToList();

    /// <summary>Account pages render statically: they never get a circuit to wait for.</summary>
    public bool IsStatic => Component.IsDefined(typeof(ExcludeFromInteractiveRoutingAttribute), inherit: true);
}

/// <summary>Ids of real records in the sweep's database, for the pages whose route takes one.</summary>
public sealed record SweepIds(int Customer, int Ticket, int Sale, int Event, int Organization, int Equipment, long DuplicatePair, int CustomerImport);

/// <summary>One stop of a sweep: the page's route, the address that opens it, and how to open it.</summary>
/// <param name="SignedOut">Visited before signing in (the sign-in page itself).</param>
/// <param name="DocsName">The page's screenshot name under <c>docs/screenshots/</c>, for the main pages.</param>
public sealed record PageVisit(string Template, string Url, bool Static, bool SignedOut, string? DocsName);

/// <summary>
/// How a sweep reaches each page: a rule per route template, turning the sweep's record ids into an address.
/// A route without a rule fails <see cref="Plan"/> (and so every sweep) with its name: add the rule here.
/// </summary>
public static class PageVisits
{
    private sealed record Rule(Func<SweepIds, string> Url, bool SignedOut = false, string? DocsName = null);

    private static readonly Dictionary<string, Rule> Rules = new(StringComparer.Ordinal)
    {
        ["/"] = new(_ => ""),
        ["/Error"] = new(_ => "Error"),
        ["/not-found"] = new(_ => "not-found"),
        ["/account/access-denied"] = new(_ => "account/access-denied"),
        ["/account/password"] = new(_ => "account/password"),
        ["/account/sign-in"] = new(_ => "account/sign-in", SignedOut: true),
        ["/admin/import"] = new(_ => "admin/import"),
        ["/customers"] = new(_ => "customers", DocsName: "customer-list"),
        ["/customers/new"] = new(_ => "customers/new"),
        ["/customers/import"] = new(_ => "customers/import"),
        ["/customers/import/{RunId:int}"] = new(ids => $"customers/import/{ids.CustomerImport}"),
        ["/customers/sms"] = new(_ => "customers/sms"),
        ["/customers/{Id:int}"] = new(ids => $"customers/{ids.Customer}", DocsName: "customer"),
        ["/customers/{Id:int}/edit"] = new(ids => $"customers/{ids.Customer}/edit"),
        ["/customers/{Id:int}/history"] = new(ids => $"customers/{ids.Customer}/history"),
        ["/dashboard"] = new(_ => "dashboard", DocsName: "dashboard"),
        ["/duplicates"] = new(_ => "duplicates", DocsName: "duplicates-queue"),
        ["/duplicates/{Id:long}"] = new(ids => $"duplicates/{ids.DuplicatePair}"),
        ["/equipment"] = new(_ => "equipment"),
        ["/equipment/{Id:int}"] = new(ids => $"equipment/{ids.Equipment}"),
        ["/events"] = new(_ => "events", DocsName: "events"),
        ["/events/new"] = new(_ => "events/new"),
        ["/events/{Id:int}"] = new(ids => $"events/{ids.Event}", DocsName: "event"),
        ["/events/{Id:int}/edit"] = new(ids => $"events/{ids.Event}/edit"),
        ["/events/{Id:int}/sms"] = new(ids => $"events/{ids.Event}/sms"),
        ["/organizations"] = new(_ => "organizations"),
        ["/organizations/new"] = new(_ => "organizations/new"),
        ["/organizations/{Id:int}"] = new(ids => $"organizations/{ids.Organization}"),
        ["/organizations/{Id:int}/edit"] = new(ids => $"organizations/{ids.Organization}/edit"),
        ["/sales"] = new(_ => "sales"),
        ["/sales/new"] = new(_ => "sales/new"),
        ["/sales/{Id:int}"] = new(ids => $"sales/{ids.Sale}"),
        ["/settings/api-tokens"] = new(_ => "settings/api-tokens"),
        ["/settings/sms-templates"] = new(_ => "settings/sms-templates"),
        ["/settings/tags"] = new(_ => "settings/tags"),
        ["/settings/access-log"] = new(_ => "settings/access-log"),
        ["/settings/webhooks"] = new(_ => "settings/webhooks"),
        ["/settings/webhooks/deliveries"] = new(_ => "settings/webhooks/deliveries"),
        ["/settings/retention"] = new(_ => "settings/retention"),
        ["/sms"] = new(_ => "sms"),
        ["/tickets"] = new(_ => "tickets", DocsName: "tickets"),
        ["/tickets/new"] = new(_ => "tickets/new"),
        ["/tickets/{Id:int}"] = new(ids => $"tickets/{ids.Ticket}", DocsName: "ticket"),
        ["/users"] = new(_ => "users"),
    };

    /// <summary>The routes that have no rule yet; empty when every page can be visited.</summary>
    public static IReadOnlyList<AppRoute> WithoutRule(IEnumerable<AppRoute> routes) => routes.Where(r => !Rules.ContainsKey(r.Template)).ToList();

    /// <summary>Every page of the app with its address, the signed-out ones first. Throws naming the routes without a rule.</summary>
    public static IReadOnlyList<PageVisit> Plan(SweepIds ids)
    {
        var missing = WithoutRule(AppRoute.All);
        if (missing.Count > 0)
            throw new InvalidOperationException(
                "No visiting rule for " + string.Join(", ", missing.Select(r => $"{r.Template} ({r.Component.Name})")) +
                $": add one to {nameof(PageVisits)}.{nameof(Rules)}, with an id from {nameof(SweepIds)} if the route takes one.");
        return AppRoute.All
            .Select(r => (Route: r, Rule: Rules[r.Template]))
            .Select(x => new PageVisit(x.Route.Template, x.Rule.Url(ids), x.Route.IsStatic, x.Rule.SignedOut, x.Rule.DocsName))
            .OrderByDescending(v => v.SignedOut)
            .ToList();
    }
}
