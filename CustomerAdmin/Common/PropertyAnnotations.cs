using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace CustomerAdmin.Common;

/// <summary>
/// The data annotations on <typeparamref name="T"/>'s properties, found once, checked per object with the attributes'
/// own rules and messages: what <see cref="Validator.TryValidateObject(object, ValidationContext, ICollection{ValidationResult}?, bool)"/>
/// with every property reports for a type that has no class-level rules, without its per-call reflection (an import
/// checks a million rows; the profile in docs/benchmarks.md, import-cpu branch).
/// </summary>
public static class PropertyAnnotations<T> where T : class
{
    private sealed record Checked(string Name, string DisplayName, Func<T, object?> Read, ValidationAttribute[] Rules);

    private static readonly Checked[] Properties = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
        .Select(p => (Property: p, Rules: p.GetCustomAttributes<ValidationAttribute>(inherit: true)
            // Required first: the other rules of a missing value are not checked, as the Validator does.
            .OrderBy(a => a is RequiredAttribute ? 0 : 1).ToArray()))
        .Where(p => p.Rules.Length > 0)
        .Select(p => new Checked(p.Property.Name, p.Property.GetCustomAttribute<DisplayAttribute>()?.GetName() ?? p.Property.Name,
            o => p.Property.GetValue(o), p.Rules))
        .ToArray();

    static PropertyAnnotations()
    {
        if (typeof(T).GetCustomAttributes<ValidationAttribute>(inherit: true).Any() || typeof(IValidatableObject).IsAssignableFrom(typeof(T)))
            throw new NotSupportedException($"{typeof(T).Name} has class-level rules: use Validator.TryValidateObject.");
    }

    /// <summary>Adds each broken rule as (property, message) to <paramref name="errors"/>; true when none is broken.</summary>
    public static bool TryValidate(T value, List<(string Member, string Message)> errors)
    {
        var before = errors.Count;
        ValidationContext? context = null;
        foreach (var p in Properties)
        {
            var current = p.Read(value);
            foreach (var rule in p.Rules)
            {
                context ??= new ValidationContext(value);
                context.MemberName = p.Name;
                context.DisplayName = p.DisplayName;
                if (rule.GetValidationResult(current, context) is not { } broken) continue;
                errors.Add((p.Name, broken.ErrorMessage ?? ""));
                if (rule is RequiredAttribute) break;
            }
        }
        return errors.Count == before;
    }
}
