using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Dashboard;
using CustomerAdmin.Features.Duplicates.Scanning;

namespace CustomerAdmin.Tests.Infrastructure;

public sealed partial class TestData
{
    /// <summary>
    /// Thousands of customers in one transaction, written as the legacy import writes new customers (RowInserter and the
    /// keepers' bulk entry points: history, search tokens, dashboard summary, duplicate-check queue), so a test at a
    /// realistic size arranges its data in seconds. Customer <c>i</c> is "Bulk{i} Customer{i}" in Boston with a phone of its own.
    /// </summary>
    public async Task<List<Customer>> ManyCustomersAsync(int count, Action<int, Customer>? with = null)
    {
        var ct = TestContext.Current.CancellationToken;
        var now = Now;
        var customers = new List<Customer>(count);
        for (var i = 0; i < count; i++)
        {
            var customer = TestCustomers.Individual($"Bulk{i}", $"Customer{i}", $"+1312{i:D7}");
            customer.CreatedAt = now;
            with?.Invoke(i, customer);
            SearchIndexKeeper.PrepareNew(customer);
            CustomerHistoryKeeper.StampNew(customer, now, "test");
            customers.Add(customer);
        }
        await using var db = await factory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var summary = await DashboardSummaryKeeper.BeginAddingAsync(db, [], ct);
        summary.Start(customers.Select((c, i) => new DashboardContributions.CustomerFacts(-(i + 1), c.CreatedAt, c.Type, c.Status, c.City)).ToList(), [], ct);
        await using (var inserter = new RowInserter<Customer>(db, returningId: true))
        {
            foreach (var customer in customers)
                customer.Id = (int)await inserter.InsertReturningIdAsync(customer, ct);
        }
        await CustomerHistoryKeeper.AddNewAsync(db, customers, ct);
        await SearchIndexKeeper.AddNewAsync(db, customers, ct);
        await DuplicateChecks.QueueAsync(db, customers.Select(c => c.Id).ToList(), now, ct);
        await summary.ApplyAsync(db, customers.Select((c, i) => (c, i)).ToDictionary(p => -(p.i + 1), p => p.c.Id), ct);
        await tx.CommitAsync(ct);
        return customers;
    }
}
