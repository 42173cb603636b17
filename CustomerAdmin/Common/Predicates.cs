using System.Linq.Expressions;

namespace CustomerAdmin.Common;

/// <summary>
/// Predicates for queries combined as one expression over one parameter, so EF Core translates the whole condition into
/// one WHERE (an OR of two <c>Where</c> calls cannot be written as two calls).
/// </summary>
public static class Predicates
{
    public static Expression<Func<T, bool>> Or<T>(Expression<Func<T, bool>> a, Expression<Func<T, bool>> b) =>
        Expression.Lambda<Func<T, bool>>(Expression.OrElse(a.Body, Rebind(b, a.Parameters[0])), a.Parameters);

    public static Expression<Func<T, bool>> And<T>(Expression<Func<T, bool>> a, Expression<Func<T, bool>> b) =>
        Expression.Lambda<Func<T, bool>>(Expression.AndAlso(a.Body, Rebind(b, a.Parameters[0])), a.Parameters);

    /// <summary>The body of <paramref name="lambda"/> with its (single) parameter replaced by <paramref name="to"/>.</summary>
    public static Expression Rebind(LambdaExpression lambda, ParameterExpression to) =>
        new ParameterSwap(lambda.Parameters[0], to).Visit(lambda.Body);

    private sealed class ParameterSwap(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
