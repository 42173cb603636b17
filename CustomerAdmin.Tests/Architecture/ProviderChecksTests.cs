using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Tests.Architecture;

/// <summary>
/// Which database the app runs on is asked in one place, the SQL dialect under <c>Data/</c>: feature code asks the
/// dialect for what it needs instead of branching on the provider. Read from the compiled assembly's IL
/// (<see cref="IlReader"/>), lambdas and async state machines included.
/// </summary>
public sealed class ProviderChecksTests
{
    private static readonly Assembly App = typeof(CustomerAdmin.Data.AppDbContext).Assembly;

    [Fact]
    public void NoCodeOutsideDataAsksWhichDatabaseItIsOn()
    {
        var offences = ProviderChecks().Where(c => !InData(c.Caller)).Select(c => c.Describe).ToList();
        Assert.True(offences.Count == 0, "Ask the SQL dialect (Data/Sql) instead of the provider:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void TheScanFindsTheDialectsOwnProviderCheck()
    {
        // If the scan missed calls, the test above would pass whatever the features did.
        Assert.Contains(ProviderChecks(), c => c.Caller.Namespace == "CustomerAdmin.Data.Sql");
    }

    private static bool InData(Type t) => t.Namespace is { } n && (n == "CustomerAdmin.Data" || n.StartsWith("CustomerAdmin.Data.", StringComparison.Ordinal));

    private static bool IsProviderCheck(MemberInfo m) =>
        m is MethodInfo { Name: "IsNpgsql" or "IsSqlite" or "IsRelational" or "IsInMemory" } method
        && (method.DeclaringType == typeof(RelationalDatabaseFacadeExtensions)
            || method.DeclaringType == typeof(NpgsqlDatabaseFacadeExtensions)
            || method.DeclaringType == typeof(SqliteDatabaseFacadeExtensions))
        || m is MethodInfo { Name: "get_ProviderName" } && m.DeclaringType == typeof(Microsoft.EntityFrameworkCore.Infrastructure.DatabaseFacade);

    private static List<(Type Caller, string Describe)> ProviderChecks()
    {
        var found = new List<(Type, string)>();
        foreach (var type in App.GetTypes())
        {
            foreach (var method in IlReader.Methods(type))
            {
                foreach (var member in IlReader.References(method).Select(r => r.Member).Where(IsProviderCheck))
                    found.Add((type, $"{type.FullName}.{method.Name} calls {member.DeclaringType?.Name}.{member.Name}"));
            }
        }
        return found;
    }
}
