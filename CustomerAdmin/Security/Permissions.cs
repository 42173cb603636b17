using Microsoft.AspNetCore.Authorization;

namespace CustomerAdmin.Security;

/// <summary>The three roles a user can hold. Rights per role are in <see cref="Permissions.Roles"/>.</summary>
public static class AppRoles
{
    public const string Admin = "Admin";
    public const string Manager = "Manager";
    public const string Staff = "Staff";

    public static IReadOnlyList<string> All { get; } = [Admin, Manager, Staff];
}

/// <summary>
/// Every permission the app checks, as a named authorization policy, and the one table saying which roles hold it.
/// Pages use <c>[Authorize(Policy = Permissions.X)]</c>, handlers and buttons ask <c>IAuthorizationService</c> for the
/// same names, so a right is changed here and nowhere else.
/// </summary>
public static class Permissions
{
    public const string CustomersRead = "customers.read";
    public const string CustomersWrite = "customers.write";
    /// <summary>Soft delete: the record disappears from lists and search, and an admin can bring it back.</summary>
    public const string CustomersDelete = "customers.delete";
    /// <summary>Bringing a soft-deleted customer back.</summary>
    public const string CustomersRestore = "customers.restore";
    /// <summary>The duplicate review queue: deciding pairs, merging two customers and undoing a merge; running the duplicate scan.</summary>
    public const string CustomersMerge = "customers.merge";
    /// <summary>A booking, ticket or sale for a blocked customer, with a reason that goes on their timeline.</summary>
    public const string CustomersOverrideBlock = "customers.override-block";
    /// <summary>Importing customers from a spreadsheet (<c>/customers/import</c>), its presets, and undoing an import.</summary>
    public const string CustomersImport = "customers.import";
    public const string ReportsView = "reports.view";
    /// <summary>An SMS to one customer.</summary>
    public const string SmsSend = "sms.send";
    public const string SmsBulk = "sms.bulk";
    /// <summary>Cancelling an event and reopening a cancelled one; texting its attendees about it also needs <see cref="SmsBulk"/>.</summary>
    public const string EventsCancel = "events.cancel";
    public const string UsersManage = "users.manage";
    public const string SettingsManage = "settings.manage";
    /// <summary>Subject access exports and erasures of a customer's personal data.</summary>
    public const string PrivacyManage = "privacy.manage";
    /// <summary>Reading the access log: who viewed or exported what.</summary>
    public const string PrivacyAudit = "privacy.audit";
    /// <summary>Registering webhook endpoints, reading their delivery log and resending.</summary>
    public const string WebhooksManage = "webhooks.manage";
    /// <summary>The retention policies (<c>/settings/retention</c>) and "Run now": anonymising customers in bulk is an admin's decision.</summary>
    public const string PrivacyRetention = "privacy.retention";

    private static readonly string[] Everyone = [AppRoles.Admin, AppRoles.Manager, AppRoles.Staff];
    private static readonly string[] Managers = [AppRoles.Admin, AppRoles.Manager];
    private static readonly string[] Admins = [AppRoles.Admin];

    /// <summary>Permission to the roles that hold it (see the design notes: Admin, Manager, Staff).</summary>
    public static IReadOnlyDictionary<string, string[]> Roles { get; } = new Dictionary<string, string[]>
    {
        [CustomersRead] = Everyone,
        [CustomersWrite] = Everyone,
        [CustomersDelete] = Managers,
        [CustomersRestore] = Admins,
        [CustomersMerge] = Managers,
        [CustomersOverrideBlock] = Managers,
        [CustomersImport] = Managers,
        [ReportsView] = Managers,
        [SmsSend] = Everyone,
        [SmsBulk] = Managers,
        [EventsCancel] = Managers,
        [UsersManage] = Admins,
        [SettingsManage] = Admins,
        [PrivacyManage] = Managers,
        [PrivacyAudit] = Admins,
        [WebhooksManage] = Admins,
        [PrivacyRetention] = Admins,
    };

    public static AuthorizationBuilder AddPermissionPolicies(this AuthorizationBuilder builder)
    {
        foreach (var (permission, roles) in Roles)
            builder.AddPolicy(permission, p => p.RequireAuthenticatedUser().RequireRole(roles));
        return builder;
    }
}
