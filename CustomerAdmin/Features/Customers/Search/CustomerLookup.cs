using System.Runtime.CompilerServices;
using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore.Metadata;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.History;

namespace CustomerAdmin.Features.Customers.Search;

/// <summary>
/// How the customer pages load one customer, with its organisation, untracked.
/// <para>
/// A plain command on the context's own connection (<see cref="DirectSql"/>) whose columns and conversions come from
/// the EF model (<see cref="EntityReader{T}"/>), not an EF query: it runs for every customer page and edit form, and
/// the compiled EF query with its Include added about a third to what the same statement costs SQLite (figures in
/// docs/benchmarks.md). The result is what
/// <c>db.Customers.AsNoTracking().Include(c => c.Organization).FirstOrDefault(c => c.Id == id)</c> returns
/// (CustomerLookupTests compares the two on both providers), except that the organisation's own
/// <see cref="Organization.Customers"/> is left empty.
/// </para>
/// </summary>
public static class CustomerLookup
{
    private static readonly ConditionalWeakTable<IModel, string> Sql = new();

    public static async Task<Customer?> FindCustomerAsync(this AppDbContext db, int id, CancellationToken ct = default)
    {
        var (customers, organizations) = (EntityReader<Customer>.For(db), EntityReader<Organization>.For(db));
        var sql = Sql.GetValue(db.Model, _ =>
            $"SELECT {customers.SelectList("c")}, {organizations.SelectList("o")} FROM {customers.Table} AS c " +
            $"LEFT JOIN {organizations.Table} AS o ON {customers.ColumnOf("c", nameof(Customer.OrganizationId))} = {organizations.ColumnOf("o", nameof(Organization.Id))} " +
            $"WHERE {customers.ColumnOf("c", nameof(Customer.Id))} = @id LIMIT 1");

        await using var open = await db.Database.KeepConnectionOpenAsync(ct);
        await using var command = db.CreateCommand(sql);
        command.AddParameter("@id", id);
        await using var reader = await command.ExecuteAnnouncedReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var customer = customers.Read(reader)!;
        customer.Organization = organizations.Read(reader, customers.Count);
        return customer;
    }
}
