using System.Reflection;
using System.Runtime.CompilerServices;

namespace CustomerAdmin.Tests.Architecture;

/// <summary>
/// The naming rules of <c>.editorconfig</c>, read from the compiled app. The build enforces them in <c>.cs</c> files
/// only: the code-style analyzers skip the code generated from <c>.razor</c> files, so a page's <c>@code</c> block
/// is checked here.
/// </summary>
public sealed class NamingTests
{
    private static readonly Assembly App = typeof(CustomerAdmin.Data.AppDbContext).Assembly;

    [Fact]
    public void PrivateFieldsAreUnderscoreCamelCaseAndStaticReadonlyOnesPascalCase()
    {
        var offences = NamingOffences(App);
        Assert.True(offences.Count == 0, "Private fields: _camelCase; static readonly and const ones: PascalCase.\n" + string.Join("\n", offences));
    }

    [Fact]
    public void AsyncMethodsEndWithAsync()
    {
        var offences = AsyncOffences(App);
        Assert.True(offences.Count == 0, "An async method's name ends with Async.\n" + string.Join("\n", offences));
    }

    [Fact]
    public void TheChecksFindMisnamedMembers()
    {
        // If the reflection missed fields or async methods, the two tests above would pass whatever the app held.
        var assembly = typeof(Misnamed).Assembly;
        Assert.Contains(NamingOffences(assembly), o => o.Contains("Misnamed.counter", StringComparison.Ordinal));
        Assert.Contains(NamingOffences(assembly), o => o.Contains("Misnamed._limits", StringComparison.Ordinal));
        Assert.Contains(AsyncOffences(assembly), o => o.Contains("Misnamed.Load", StringComparison.Ordinal));
        Assert.DoesNotContain(NamingOffences(assembly), o => o.Contains("Misnamed._rightName", StringComparison.Ordinal));
        Assert.DoesNotContain(AsyncOffences(assembly), o => o.Contains("Misnamed.SaveAsync", StringComparison.Ordinal));
    }

    private static List<string> NamingOffences(Assembly assembly) =>
        (from type in WrittenTypes(assembly)
         where type == typeof(Misnamed) || assembly != typeof(Misnamed).Assembly
         from field in type.GetFields(IlReader.Declared)
         where field.IsPrivate && !IlReader.IsGenerated(field)
         let pascal = field.IsLiteral || (field.IsStatic && field.IsInitOnly)
         where pascal ? !IsPascal(field.Name) : !IsUnderscoreCamel(field.Name)
         select $"{type.FullName}.{field.Name}").ToList();

    private static List<string> AsyncOffences(Assembly assembly) =>
        (from type in WrittenTypes(assembly)
         where type == typeof(Misnamed) || assembly != typeof(Misnamed).Assembly
         from method in type.GetMethods(IlReader.Declared)
         where method.GetCustomAttribute<AsyncStateMachineAttribute>() is not null && !IlReader.IsGenerated(method)
             && !method.Name.EndsWith("Async", StringComparison.Ordinal)
         select $"{type.FullName}.{method.Name}").ToList();

    private static IEnumerable<Type> WrittenTypes(Assembly assembly) =>
        assembly.GetTypes().Where(t => !IlReader.IsGenerated(t) && t.Namespace?.StartsWith("CustomerAdmin", StringComparison.Ordinal) == true);

    private static bool IsPascal(string name) => char.IsUpper(name[0]) && !name.Contains('_', StringComparison.Ordinal);

    private static bool IsUnderscoreCamel(string name) =>
        name.Length > 1 && name[0] == '_' && char.IsLower(name[1]) && !name[1..].Contains('_', StringComparison.Ordinal);

#pragma warning disable IDE1006, IDE0051, IDE0052, CS0169, CS0414 // Misnamed on purpose: the checks must find these.
    private sealed class Misnamed
    {
        private static readonly int[] _limits = [];
        private int counter;
        private int _rightName;

        private async Task Load() => await Task.Yield();

        private async Task SaveAsync() => await Task.Yield();
    }
#pragma warning restore IDE1006, IDE0051, IDE0052, CS0169, CS0414
}
