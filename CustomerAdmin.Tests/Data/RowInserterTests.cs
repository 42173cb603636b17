using CustomerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace CustomerAdmin.Tests.Data;

/// <summary>
/// <see cref="RowInserter{T}"/> (on SQLite straight on the native statement, binding by position) must store exactly what
/// <c>SaveChanges</c> stores for the same entity: same values, same SQLite storage classes, nulls and empty strings
/// kept apart, DateTime text with its fraction, amounts as cents, enums as names.
/// </summary>
public sealed class RowInserterTests
{
    private static readonly DateTime At = new(2024, 2, 29, 23, 59, 58, DateTimeKind.Utc);

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task RowsAreStoredExactlyAsSaveChangesStoresThem(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        int customerId;
        await using (var db = database.CreateDbContext())
        {
            var customer = TestCustomers.Individual("Zoë", "Łukasiewicz", "+12127365000");
            db.Customers.Add(customer);
            await db.SaveChangesAsync(ct);
            customerId = customer.Id;
        }

        var ticket = new Ticket
        {
            Sequence = 424242, Number = "T-424242", CustomerId = customerId, Item = "", Problem = "Écran \"cassé\", 10 % — 画面",
            Status = TicketStatus.WaitingForParts, Priority = TicketPriority.Urgent, QuotedAmount = 1234.56m, FinalAmount = null,
            OpenedAt = At.AddTicks(1234567), ClosedAt = null, Assignee = null, CreatedBy = "test", UpdatedAt = At, UpdatedBy = "test",
            Version = 3, LegacyKey = new string('a', 64),
        };
        await AssertSameAsSaveChangesAsync(database, ticket, t => t.Id, returningId: true, ct);

        var entry = new Activity
        {
            CustomerId = customerId, Kind = ActivityKind.Note, NoteType = NoteType.Complaint, IsInternal = true, Subject = "",
            Body = null, OccurredAt = At.AddTicks(1), CreatedAt = At, CreatedBy = "test", UpdatedAt = At.AddMilliseconds(5),
        };
        await AssertSameAsSaveChangesAsync(database, entry, a => a.Id, returningId: false, ct);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task AKeyColumnWithADefaultIsWrittenAsGivenNotAsItsDefault(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        var customers = await database.Data.ManyCustomersAsync(200);
        await using var db = database.CreateDbContext();
        var run = new ImportRun { FileName = "shop.csv", FileHash = "00", StartedAt = At, Status = ImportRunStatus.Completed };
        db.ImportRuns.Add(run);
        await db.SaveChangesAsync(ct);

        // The same reference in two sources is two links (Source is part of the key, with "legacy" as its default).
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            await using (var links = new RowInserter<LegacyCustomerLink>(db))
            {
                for (var i = 0; i < customers.Count; i++)
                    await links.AddAsync(new LegacyCustomerLink { Source = i % 2 == 0 ? "shopify" : LegacyCustomerLink.LegacySource,
                        LegacyId = $"C-{i / 2}", CustomerId = customers[i].Id, ImportRunId = run.Id }, ct);
                await links.FlushAsync(ct);
            }
            await tx.CommitAsync(ct);
        }

        var stored = await db.LegacyCustomerLinks.AsNoTracking().ToListAsync(ct);
        Assert.Equal(200, stored.Count);
        Assert.Equal(100, stored.Count(l => l.Source == "shopify"));
        Assert.All(stored, l => Assert.Equal(customers.IndexOf(customers.Single(c => c.Id == l.CustomerId)) % 2 == 0 ? "shopify" : "legacy", l.Source));
    }

    /// <summary>
    /// Saves <paramref name="row"/> with SaveChanges, reads what was stored, deletes it, inserts the row read back with
    /// RowInserter (with <paramref name="returningId"/>, one row at a time, checking the key it returns), and compares
    /// every stored column but the key.
    /// </summary>
    private static async Task AssertSameAsSaveChangesAsync<T>(TestDatabase database, T row, Func<T, long> key, bool returningId, CancellationToken ct) where T : class
    {
        List<string?> saved;
        T stored;
        await using (var db = database.CreateDbContext())
        {
            db.Add(row);
            await db.SaveChangesAsync(ct);
            saved = await StoredAsync<T>(db, key(row), ct);
            stored = await db.Set<T>().AsNoTracking().SingleAsync(ct);
            await db.Set<T>().ExecuteDeleteAsync(ct);
        }
        List<string?> inserted;
        await using (var db = database.CreateDbContext())
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            long? returned = null;
            await using (var inserter = new RowInserter<T>(db, returningId))
            {
                if (returningId) returned = await inserter.InsertReturningIdAsync(stored, ct);
                else await inserter.AddAsync(stored, ct);
                await inserter.FlushAsync(ct);
                Assert.Equal(1, inserter.Written);
            }
            await tx.CommitAsync(ct);
            var id = await db.Set<T>().AsNoTracking().Select(e => EF.Property<long>(e, "Id")).SingleAsync(ct);
            if (returningId) Assert.Equal(id, returned);
            inserted = await StoredAsync<T>(db, id, ct);
        }
        Assert.Equal(saved, inserted);
    }

    [Theory, InlineData(DatabaseProvider.Sqlite), InlineData(DatabaseProvider.Postgres)]
    public async Task RowUpdaterStoresWhatSaveChangesStoresAndOnlyWhileTheVersionIsTheOneRead(DatabaseProvider provider)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var database = await TestDatabase.CreateAsync(provider, ct: ct);
        Customer saved, bulk;
        await using (var db = database.CreateDbContext())
        {
            saved = TestCustomers.Individual("Zoë", "Łukasiewicz", "+12127365000");
            bulk = TestCustomers.Individual("Zoë", "Łukasiewicz", "+12127365001");
            saved.Notes = bulk.Notes = "old";
            db.Customers.AddRange(saved, bulk);
            await db.SaveChangesAsync(ct);
            // The change through the change tracker (its keepers stamp it)...
            saved.City = "Zürich";
            saved.Notes = "";
            saved.Email = "zoe@example.com";
            saved.Tags = "vip, écran";
            await db.SaveChangesAsync(ct);
        }
        string[] columns = [nameof(Customer.City), nameof(Customer.Notes), nameof(Customer.Email), nameof(Customer.Tags), nameof(Customer.UpdatedAt),
            nameof(Customer.UpdatedBy), nameof(Customer.Version), nameof(Customer.SortName)];
        await using (var db = database.CreateDbContext())
        {
            var after = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == saved.Id, ct);
            var row = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == bulk.Id, ct);
            var read = row.Version;
            (row.City, row.Notes, row.Email, row.Tags, row.UpdatedAt, row.UpdatedBy, row.Version, row.SortName) =
                (after.City, after.Notes, after.Email, after.Tags, after.UpdatedAt, after.UpdatedBy, after.Version, after.SortName);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await using (var updater = new RowUpdater<Customer>(db, columns))
            {
                // ...and the same values on the bulk path: refused while the version read is stale, written when it is current.
                Assert.False(await updater.UpdateAsync(row, read + 7, ct));
                Assert.True(await updater.UpdateAsync(row, read, ct));
                Assert.Equal(1, updater.Written);
            }
            await tx.CommitAsync(ct);
        }
        await using (var db = database.CreateDbContext())
        {
            var expected = (await StoredAsync<Customer>(db, saved.Id, ct)).Where(v => columns.Any(c => v!.StartsWith(c + "="))).ToList();
            var actual = (await StoredAsync<Customer>(db, bulk.Id, ct)).Where(v => columns.Any(c => v!.StartsWith(c + "="))).ToList();
            Assert.Equal(columns.Length, expected.Count);
            Assert.Equal(expected, actual);
        }
    }

    /// <summary>Each column in a form that shows its storage class on SQLite (quote(): 'text', 12, NULL) and its text on PostgreSQL.</summary>
    private static async Task<List<string?>> StoredAsync<T>(AppDbContext db, long id, CancellationToken ct) where T : class
    {
        var entity = db.Model.FindEntityType(typeof(T))!;
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var columns = entity.GetProperties().Where(p => !p.IsPrimaryKey()).Select(p => p.GetColumnName(table)!).ToList();
        var sqlite = db.Database.IsSqlite();
        var select = string.Join(", ", columns.Select(c => sqlite ? $"quote(\"{c}\")" : $"\"{c}\"::text"));
        await db.Database.OpenConnectionAsync(ct);
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        command.CommandText = $"SELECT {select} FROM \"{table.Name}\" WHERE \"Id\" = {id}";
        await using var reader = await command.ExecuteReaderAsync(ct);
        Assert.True(await reader.ReadAsync(ct));
        var values = new List<string?>();
        for (var i = 0; i < columns.Count; i++) values.Add($"{columns[i]}={(reader.IsDBNull(i) ? "<null>" : reader.GetString(i))}");
        Assert.Contains(values, v => v!.EndsWith("<null>") || v.EndsWith("NULL"));
        return values;
    }
}
