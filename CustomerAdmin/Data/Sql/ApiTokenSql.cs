using System.Data.Common;
using System.Runtime.CompilerServices;
using CustomerAdmin.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CustomerAdmin.Data.Sql;

/// <summary>A row of the token check: the token, its owner, and one of the owner's roles (null when they have none).</summary>
public sealed record ApiTokenCheckRow(int Id, string Name, string UserId, string Scopes, DateTime? ExpiresAt, DateTime? LastUsedAt,
    string? UserName, DateTimeOffset? LockoutEnd, string? Role);

/// <summary>
/// The API's token check as one plain statement (the same on both providers): the live token with the presented
/// secret's hash, its owner and the owner's roles, a row per role. Plain SQL rather than an EF query so that it can
/// also go out in front of an endpoint's own query in one round trip (<see cref="StatementAhead"/>); table and column
/// names come from the EF model.
/// </summary>
public sealed class ApiTokenSql
{
    public const string HashParameter = "@api_token_hash";

    private static readonly ConditionalWeakTable<IModel, ApiTokenSql> Built = new();

    public static ApiTokenSql For(AppDbContext db) => Built.GetValue(db.Model, _ => new ApiTokenSql(db));

    /// <summary>The statement; its one parameter is <see cref="HashParameter"/>.</summary>
    public string Text { get; }

    private ApiTokenSql(AppDbContext db)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        string Table<T>(out Func<string, string> column)
        {
            var entity = db.Model.FindEntityType(typeof(T))!;
            var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
            column = property => sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(table)!);
            return sql.DelimitIdentifier(table.Name, table.Schema);
        }
        var tokens = Table<ApiToken>(out var t);
        var users = Table<AppUser>(out var u);
        var userRoles = Table<IdentityUserRole<string>>(out var ur);
        var roles = Table<IdentityRole>(out var r);
        Text = $"""
            SELECT t.{t(nameof(ApiToken.Id))}, t.{t(nameof(ApiToken.Name))}, t.{t(nameof(ApiToken.UserId))}, t.{t(nameof(ApiToken.Scopes))},
                t.{t(nameof(ApiToken.ExpiresAt))}, t.{t(nameof(ApiToken.LastUsedAt))}, u.{u(nameof(AppUser.UserName))}, u.{u(nameof(AppUser.LockoutEnd))},
                r.{r(nameof(IdentityRole.Name))}
            FROM {tokens} AS t
            JOIN {users} AS u ON u.{u(nameof(AppUser.Id))} = t.{t(nameof(ApiToken.UserId))}
            LEFT JOIN {userRoles} AS ur ON ur.{ur(nameof(IdentityUserRole<string>.UserId))} = u.{u(nameof(AppUser.Id))}
            LEFT JOIN {roles} AS r ON r.{r(nameof(IdentityRole.Id))} = ur.{ur(nameof(IdentityUserRole<string>.RoleId))}
            WHERE t.{t(nameof(ApiToken.SecretHash))} = {HashParameter} AND t.{t(nameof(ApiToken.RevokedAt))} IS NULL
            """;
    }

    /// <summary>The rows of the token check from a reader positioned on its result set.</summary>
    public static async Task<List<ApiTokenCheckRow>> ReadAsync(DbDataReader reader, CancellationToken ct)
    {
        var rows = new List<ApiTokenCheckRow>(2);
        while (await reader.ReadAsync(ct))
            rows.Add(new ApiTokenCheckRow(reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                Utc(reader, 4), Utc(reader, 5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetFieldValue<DateTimeOffset>(7), reader.IsDBNull(8) ? null : reader.GetString(8)));
        return rows;
    }

    /// <summary>The check run alone, on the context's connection.</summary>
    public async Task<List<ApiTokenCheckRow>> RunAsync(AppDbContext db, string hash, CancellationToken ct)
    {
        await using var open = await db.Database.KeepConnectionOpenAsync(ct);
        await using var command = db.CreateCommand(Text);
        command.AddParameter(HashParameter, hash);
        await using var reader = await command.ExecuteAnnouncedReaderAsync(ct);
        return await ReadAsync(reader, ct);
    }

    // SQLite hands DateTimes back unspecified; every stored DateTime is UTC (AppDbContext's converter).
    private static DateTime? Utc(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc);
}
