using System.Reflection;
using System.Reflection.Emit;

namespace CustomerAdmin.Tests.Architecture;

/// <summary>
/// <c>Data/</c> is the lowest layer: the DbContext, entities, migrations and SQL know nothing of the features built
/// on them. Read from the compiled assembly (signatures, attributes and every method body's IL, lambdas and async
/// state machines included), not from source text, so a fully qualified name or a <c>global using</c> cannot hide a
/// reference.
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
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                foreach (var used in MethodSignature(method))
                    Check(type, "uses", used);
                foreach (var member in BodyReferences(method))
                    Check(type, "calls", member.DeclaringType ?? (member as Type));
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
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
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

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The types, methods and fields a method body's IL names (calls, newobj, ldfld, typeof, casts…).</summary>
    internal static IEnumerable<MemberInfo> BodyReferences(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            var code = il[i] == 0xFE ? OpCodesByValue[(short)(0xFE00 | il[i + 1])] : OpCodesByValue[il[i]];
            i += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineMethod:
                case OperandType.InlineField:
                case OperandType.InlineType:
                case OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, i);
                    MemberInfo? member = null;
                    try { member = method.Module.ResolveMember(token, typeArgs, methodArgs); }
                    catch (ArgumentException) { }
                    if (member is not null) yield return member;
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }
}
