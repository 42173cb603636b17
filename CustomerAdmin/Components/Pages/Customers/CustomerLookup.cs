using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Components.Pages.Customers;

/// <summary>How the customer pages load one customer (with its organisation), compiled once.</summary>
public static class CustomerLookup
{
    private static readonly PerModel<Func<AppDbContext, int, Task<Customer?>>> ById = new(() =>
        EF.CompileAsyncQuery((AppDbContext db, int id) =>
            db.Customers.AsNoTracking().Include(c => c.Organization).FirstOrDefault(c => c.Id == id)));

    public static Task<Customer?> FindCustomerAsync(this AppDbContext db, int id) => ById.For(db)(db, id);
}
