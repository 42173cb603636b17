using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;

namespace CustomerAdmin.Tests.Infrastructure;

/// <summary>
/// Reads the compiled app for the architecture and permission tests: which members each method body names (from its IL,
/// lambdas and async state machines being methods of their own), and which members a person wrote rather than the
/// compiler. One reader, so the layering, provider, naming and handler-permission checks cannot drift apart.
/// </summary>
public static class IlReader
{
    /// <summary>Every member a type declares itself, whatever its visibility.</summary>
    public const BindingFlags Declared =
        BindingFlags.DeclaredOnly | BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>A member named by a method body: where in the IL, how (a call, a field access, a type token…), and what.</summary>
    public readonly record struct Reference(int Offset, OperandType Operand, MemberInfo Member)
    {
        /// <summary>A call, a <c>newobj</c> or a delegate made from a method (<c>ldftn</c>): a method the body runs or hands on.</summary>
        public bool IsCall => Operand == OperandType.InlineMethod && Member is MethodBase;
    }

    /// <summary>The methods and constructors a type declares (abstract ones too: their signatures count, they have no body to read).</summary>
    public static IEnumerable<MethodBase> Methods(Type type) =>
        type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared));

    /// <summary><see cref="Methods"/> of the type and of the types nested in it (async state machines, lambda closures).</summary>
    public static IEnumerable<MethodBase> MethodsWithNested(Type type) =>
        Methods(type).Concat(type.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic).SelectMany(MethodsWithNested));

    /// <summary>Made by the compiler: backing fields, lambdas, state machines, display classes and what they hold.</summary>
    public static bool IsGenerated(MemberInfo member) =>
        member.Name.Contains('<', StringComparison.Ordinal) || member.IsDefined(typeof(CompilerGeneratedAttribute))
        || (member.DeclaringType is { } declaring && IsGenerated(declaring));

    /// <summary>The methods, fields and types a method body's IL names (calls, newobj, ldftn, ldfld, typeof, casts…), in order.</summary>
    public static IEnumerable<Reference> References(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            var offset = i;
            var code = il[i] == 0xFE ? OpCodesByValue[unchecked((short)(0xFE00 | il[i + 1]))] : OpCodesByValue[il[i]];
            i += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineMethod:
                case OperandType.InlineField:
                case OperandType.InlineType:
                case OperandType.InlineTok:
                    MemberInfo? member = null;
                    try
                    {
                        member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs);
                    }
                    catch (ArgumentException)
                    {
                        // A generic member that cannot be resolved out of its context: nothing the checks look for.
                    }
                    if (member is not null) yield return new Reference(offset, code.OperandType, member);
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
