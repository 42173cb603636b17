using System.Reflection;

namespace CustomerAdmin.Tests.Architecture;

/// <summary>
/// <c>Data/</c> is the lowest layer: the DbContext, entities, migrations and SQL know nothing of the features built
/// on them. Read from the compiled assembly (signatures, attributes and every method body's IL, lambdas and async
/// state machines included), not from source text, so a fully qualified name or a <c>global using</c> cannot hide a
/// reference (<see cref="IlReader"/>).
/// </summary>
public sealed class LayeringTests
{
    private static readonly Assembly App = typeof(CustomerAdmin.Data.AppDbContext).Assembly;

    [Fact]
    public void DataReferencesNoTypeUnderFeatures()
    {
        var offences = ReferencesFrom("CustomerAdmin.Data", to: "CustomerAdmin.Features");
        Assert.True(offences.Count == 0, "Data/ must not depend on Features/:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void CommonReferencesNoTypeUnderFeatures()
    {
        var offences = ReferencesFrom("CustomerAdmin.Common", to: "CustomerAdmin.Features");
        Assert.True(offences.Count == 0, "Common/ must not depend on Features/:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void TheScanSeesReferencesInMethodBodiesAndSignatures()
    {
        // Start-up code seeds demo data through feature code: if the scan found nothing here, the two tests above
        // would pass whatever Data/ referenced.
        var found = ReferencesFrom("CustomerAdmin.Startup", to: "CustomerAdmin.Features");
        Assert.Contains(found, f => f.Contains("DemoData", StringComparison.Ordinal) && f.Contains(" calls ", StringComparison.Ordinal));
        Assert.Contains(found, f => f.Contains("DerivedData", StringComparison.Ordinal));
    }

    private static List<string> ReferencesFrom(string fromNamespace, string to)
    {
        var offences = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in App.GetTypes().Where(t => InNamespace(t, fromNamespace)))
        {
            foreach (var used in Signature(type))
                Check(type, "uses", used);
            foreach (var method in IlReader.Methods(type))
            {
                foreach (var used in MethodSignature(method))
                    Check(type, "uses", used);
                foreach (var reference in IlReader.References(method))
                    Check(type, "calls", reference.Member.DeclaringType ?? (reference.Member as Type));
            }
        }
        return offences.ToList();

        void Check(Type from, string how, Type? used)
        {
            foreach (var t in Flatten(used))
            {
                if (InNamespace(t, to))
                    offences.Add($"{from.FullName} {how} {t.FullName}");
            }
        }
    }

    private static bool InNamespace(Type t, string ns) =>
        t.Namespace is { } n && (n == ns || n.StartsWith(ns + ".", StringComparison.Ordinal));

    private static IEnumerable<Type> Flatten(Type? t)
    {
        if (t is null) yield break;
        if (t.HasElementType)
        {
            foreach (var e in Flatten(t.GetElementType())) yield return e;
            yield break;
        }
        yield return t;
        if (t.IsGenericType)
        {
            foreach (var a in t.GetGenericArguments().SelectMany(Flatten)) yield return a;
        }
    }

    private static IEnumerable<Type> Signature(Type type)
    {
        const BindingFlags all = IlReader.Declared;
        if (type.BaseType is { } b) yield return b;
        foreach (var i in type.GetInterfaces()) yield return i;
        foreach (var a in type.GetCustomAttributesData()) yield return a.AttributeType;
        foreach (var f in type.GetFields(all)) yield return f.FieldType;
        foreach (var p in type.GetProperties(all)) yield return p.PropertyType;
    }

    private static IEnumerable<Type> MethodSignature(MethodBase method)
    {
        if (method is MethodInfo m) yield return m.ReturnType;
        foreach (var p in method.GetParameters()) yield return p.ParameterType;
        foreach (var a in method.GetCustomAttributesData()) yield return a.AttributeType;
        var body = method.GetMethodBody();
        if (body is null) yield break;
        foreach (var local in body.LocalVariables) yield return local.LocalType;
    }
}
