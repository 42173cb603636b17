using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Customers.Status;
using CustomerAdmin.Data;
using CustomerAdmin.Data.Sql;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Features.Sales;

public sealed class SaleLineDraft
{
    public string? Description { get; set; }
    public int Quantity { get; set; } = 1;
    public decimal? UnitPrice { get; set; }

    public decimal LineTotal => decimal.Round(Quantity * (UnitPrice ?? 0m), 2, MidpointRounding.AwayFromZero);
}

/// <summary>A sale and the customer's stats move together, in one transaction, or not at all (<see cref="CustomerStatsKeeper"/>).</summary>
public static class SaleOperations
{
    public const int MaxLines = 100;
    public const int MaxQuantity = 10_000;

    /// <returns>Problems keyed by line index (-1 for the sale as a whole); empty when the sale can be saved.</returns>
    public static List<(int Line, string Message)> Validate(IReadOnlyList<SaleLineDraft> lines)
    {
        var errors = new List<(int, string)>();
        if (lines.Count == 0) errors.Add((-1, "Add at least one line."));
        if (lines.Count > MaxLines) errors.Add((-1, $"A sale can have at most {MaxLines} lines."));
        for (var i = 0; i < lines.Count; i++)
        {
            var l = lines[i];
            if (string.IsNullOrWhiteSpace(l.Description)) errors.Add((i, "Describe what was sold."));
            else if (l.Description.Trim().Length > SaleLine.DescriptionMax) errors.Add((i, $"Keep the description under {SaleLine.DescriptionMax} characters."));
            if (l.Quantity is < 1 or > MaxQuantity) errors.Add((i, $"The quantity must be between 1 and {MaxQuantity:N0}."));
            if (Money.Check(l.UnitPrice, "unit price", required: true) is { } price) errors.Add((i, price));
        }
        if (errors.Count == 0 && Money.Check(Total(lines), "total") is { } total) errors.Add((-1, total));
        return errors;
    }

    private static string Summary(IEnumerable<SaleLine> lines)
    {
        var text = string.Join(", ", lines.Select(l => l.Quantity == 1 ? l.Description : $"{l.Quantity} × {l.Description}"));
        return text.Length > Activity.BodyMax ? text[..(Activity.BodyMax - 1)] + "…" : text;
    }

    public static decimal Total(IEnumerable<SaleLineDraft> lines) => lines.Sum(l => l.LineTotal);

    /// <param name="blockOverride">A manager's override, needed to sell to a blocked customer (<see cref="CustomerBlocks"/>).</param>
    public static async Task<Sale> CreateAsync(IDbContextFactory<AppDbContext> factory, int customerId, IReadOnlyList<SaleLineDraft> lines,
        TimeProvider time, string? actor = null, CancellationToken ct = default, BlockOverride? blockOverride = null)
    {
        if (Validate(lines).Select(e => e.Line < 0 ? e.Message : $"Line {e.Line + 1}: {e.Message}").FirstOrDefault() is { } error)
            throw new RuleViolationException(error);
        await using var db = await factory.CreateDbContextAsync(ct);
        if (actor is not null) db.Actor = actor;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Locked before it is read, so a deletion cannot slip in between the check and the sale (the stats keeper locks
        // it at the save anyway).
        await db.Sql().LockRowsAsync<Customer>(db, [customerId], RowLock.Values, ct);
        var customer = await db.Customers.FirstOrDefaultAsync(c => c.Id == customerId, ct);
        if (customer is null || customer.Status.IsGone())
            throw new RuleViolationException("This customer has been deleted; choose another customer for the sale.", nameof(Sale.CustomerId));
        var now = time.GetUtcNow().UtcDateTime;
        await CustomerBlocks.CheckAsync(db, customer, blockOverride, "a sale", nameof(Sale.CustomerId), now, ct);
        var sale = new Sale
        {
            CustomerId = customerId, SoldAt = now, CreatedBy = db.Actor, Total = Total(lines),
            Lines = lines.Select(l => new SaleLine
            {
                Description = l.Description!.Trim(), Quantity = l.Quantity, UnitPrice = l.UnitPrice!.Value, LineTotal = l.LineTotal,
            }).ToList(),
        };
        db.Sales.Add(sale);
        db.Activities.Add(new Activity
        {
            CustomerId = customerId, Sale = sale, Kind = ActivityKind.Sale, Subject = $"Sale of {Money.Format(sale.Total)}",
            Body = Summary(sale.Lines),
            OccurredAt = now, CreatedAt = now, CreatedBy = db.Actor,
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return sale;
    }
}
