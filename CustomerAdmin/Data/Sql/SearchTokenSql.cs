using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
namespace CustomerAdmin.Data.Sql;

/// <summary>The columns a search suggestion shows of one customer.</summary>
public sealed record SuggestionRow(int Id, CustomerType Type, string? FirstName, string? LastName, string? Name,
    string? DisplayName, string PrimaryPhone, string? City, CustomerStatus Status);

/// <summary>
/// The statements of search-as-you-type (<c>CustomerSearch.SuggestAsync</c> in Features/Customers/Search), sent as plain commands on the context's own open
/// connection (<see cref="DirectSql"/>), with table and column names, parameter types and value conversions taken
/// from the EF model (as <see cref="RowInserter{T}"/> does).
/// <para>
/// Why not EF queries: a compiled EF query added more to each token range and to the rows of ten ids (the id list is
/// expanded into parameters on every call) than SQLite takes for the statements themselves, so a suggestion cost EF
/// several times what its SQL cost; the same statements as commands on the context's connection cost what plain
/// ADO.NET does (figures in docs/benchmarks.md). Everything else about customers, including the list page's search
/// (<c>CustomerSearch.Matching</c>), stays in EF. Works on both providers: only <c>LIMIT</c> and <c>EXISTS</c>.
/// </para>
/// </summary>
public sealed class SearchTokenSql
{
    /// <summary>
    /// Token rows read per lookup: six times the ten suggestions shown (<c>CustomerSearch.SuggestionLimit</c>), since a
    /// customer can match one term by several words.
    /// </summary>
    public const int CandidateRows = 60;

    // Per model, as compiled queries are: a process can hold several (one per provider, one per host in the tests).
    private static readonly ConditionalWeakTable<IModel, SearchTokenSql> Built = new();

    private readonly ModelColumn _kind, _token, _status, _type;
    private readonly string _tokens, _tokenKind, _tokenText, _tokenCustomer;
    private readonly string _rowsHead;
    private readonly ConcurrentDictionary<int, string> _rangeSql = new(), _rowsSql = new();
    private readonly string _exactSql;

    public static SearchTokenSql For(AppDbContext db) => Built.GetValue(db.Model, _ => new SearchTokenSql(db));

    private SearchTokenSql(AppDbContext db)
    {
        var sql = db.GetService<ISqlGenerationHelper>();
        var tokenEntity = db.Model.FindEntityType(typeof(CustomerSearchToken))!;
        var tokenTable = StoreObjectIdentifier.Table(tokenEntity.GetTableName()!, tokenEntity.GetSchema());
        string TokenColumn(string property) => sql.DelimitIdentifier(tokenEntity.FindProperty(property)!.GetColumnName(tokenTable)!);
        _tokens = sql.DelimitIdentifier(tokenTable.Name, tokenTable.Schema);
        (_tokenKind, _tokenText, _tokenCustomer) = (TokenColumn(nameof(CustomerSearchToken.Kind)),
            TokenColumn(nameof(CustomerSearchToken.Token)), TokenColumn(nameof(CustomerSearchToken.CustomerId)));
        _kind = ModelColumn.For(tokenEntity.FindProperty(nameof(CustomerSearchToken.Kind))!);
        _token = ModelColumn.For(tokenEntity.FindProperty(nameof(CustomerSearchToken.Token))!);

        var customer = db.Model.FindEntityType(typeof(Customer))!;
        var customers = StoreObjectIdentifier.Table(customer.GetTableName()!, customer.GetSchema());
        string CustomerColumn(string property) => "c." + sql.DelimitIdentifier(customer.FindProperty(property)!.GetColumnName(customers)!);
        _status = ModelColumn.For(customer.FindProperty(nameof(Customer.Status))!);
        _type = ModelColumn.For(customer.FindProperty(nameof(Customer.Type))!);
        // Columns in SuggestionRow's order.
        string[] columns = [nameof(Customer.Id), nameof(Customer.Type), nameof(Customer.FirstName), nameof(Customer.LastName),
            nameof(Customer.Name), nameof(Customer.DisplayName), nameof(Customer.PrimaryPhone), nameof(Customer.City), nameof(Customer.Status)];
        _rowsHead = $"SELECT {string.Join(", ", columns.Select(CustomerColumn))} FROM {sql.DelimitIdentifier(customers.Name, customers.Schema)} AS c "
            + $"WHERE {CustomerColumn(nameof(Customer.Status))} NOT IN (@deleted, @merged) AND {CustomerColumn(nameof(Customer.Id))} IN (";
        _exactSql = $"SELECT t.{_tokenCustomer} FROM {_tokens} AS t WHERE t.{_tokenKind} = @kind AND t.{_tokenText} = @token "
            + $"ORDER BY t.{_tokenCustomer} LIMIT {CandidateRows}";
    }

    /// <summary>Customers with a token of this kind equal to <paramref name="token"/>: one probe of the (Kind, Token) key.</summary>
    public async Task<List<int>> ExactAsync(AppDbContext db, SearchTokenKind kind, string token, CancellationToken ct)
    {
        await using var command = db.CreateCommand(_exactSql);
        Add(command, _kind, "@kind", kind);
        Add(command, _token, "@token", token);
        return await ReadIdsAsync(command, ct);
    }

    /// <summary>
    /// The customers of the first <see cref="CandidateRows"/> tokens of this kind that start with
    /// <paramref name="prefix"/>, in token order: a range scan of the (Kind, Token) key. Each word of
    /// <paramref name="nameWords"/> must also start one of the customer's name tokens.
    /// </summary>
    public async Task<List<int>> RangeAsync(AppDbContext db, SearchTokenKind kind, string prefix, IReadOnlyList<string> nameWords, CancellationToken ct)
    {
        await using var command = db.CreateCommand(_rangeSql.GetOrAdd(nameWords.Count, RangeText));
        Add(command, _kind, "@kind", kind);
        Add(command, _token, "@lo", prefix);
        Add(command, _token, "@hi", PrefixRange.UpperBound(prefix));
        if (nameWords.Count > 0) Add(command, _kind, "@name", SearchTokenKind.Name);
        for (var i = 0; i < nameWords.Count; i++)
        {
            Add(command, _token, $"@lo{i}", nameWords[i]);
            Add(command, _token, $"@hi{i}", PrefixRange.UpperBound(nameWords[i]));
        }
        return await ReadIdsAsync(command, ct);
    }

    private string RangeText(int nameWords)
    {
        var text = new StringBuilder($"SELECT t.{_tokenCustomer} FROM {_tokens} AS t WHERE t.{_tokenKind} = @kind AND t.{_tokenText} >= @lo AND t.{_tokenText} < @hi");
        for (var i = 0; i < nameWords; i++)
        {
            text.Append($" AND EXISTS (SELECT 1 FROM {_tokens} AS o{i} WHERE o{i}.{_tokenCustomer} = t.{_tokenCustomer}")
                .Append($" AND o{i}.{_tokenKind} = @name AND o{i}.{_tokenText} >= @lo{i} AND o{i}.{_tokenText} < @hi{i})");
        }
        return text.Append($" ORDER BY t.{_tokenText}, t.{_tokenCustomer} LIMIT {CandidateRows}").ToString();
    }

    /// <summary>The suggestion columns of these customers (deleted ones left out), in no particular order.</summary>
    public async Task<List<SuggestionRow>> RowsAsync(AppDbContext db, IReadOnlyList<int> ids, CancellationToken ct)
    {
        await using var command = db.CreateCommand(_rowsSql.GetOrAdd(ids.Count,
            n => _rowsHead + string.Join(", ", Enumerable.Range(0, n).Select(i => "@id" + i)) + ")"));
        Add(command, _status, "@deleted", CustomerStatus.Deleted);
        Add(command, _status, "@merged", CustomerStatus.Merged);
        for (var i = 0; i < ids.Count; i++) command.AddParameter("@id" + i, ids[i]);
        var rows = new List<SuggestionRow>(ids.Count);
        await using var reader = await command.ExecuteAnnouncedReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new SuggestionRow(reader.GetInt32(0), (CustomerType)_type.FromProvider(reader.GetValue(1))!,
                Text(reader, 2), Text(reader, 3), Text(reader, 4), Text(reader, 5), reader.GetString(6), Text(reader, 7),
                (CustomerStatus)_status.FromProvider(reader.GetValue(8))!));
        }
        return rows;
    }

    private static string? Text(DbDataReader reader, int i) => reader.IsDBNull(i) ? null : reader.GetString(i);

    private static void Add(DbCommand command, ModelColumn column, string name, object value) =>
        column.CreateParameter(command, name).Value = column.Convert(value);

    private static async Task<List<int>> ReadIdsAsync(DbCommand command, CancellationToken ct)
    {
        var ids = new List<int>();
        await using var reader = await command.ExecuteAnnouncedReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetInt32(0));
        return ids;
    }
}
