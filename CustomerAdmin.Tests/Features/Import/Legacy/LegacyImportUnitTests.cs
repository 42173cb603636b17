using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Import.Files;
using CustomerAdmin.Features.Import.Legacy;
using CustomerAdmin.Data;

namespace CustomerAdmin.Tests.Features.Import.Legacy;

public class LegacyCustomerMatcherTests
{
    private static LegacyRow Row(string legacyId, string name, string? phone, string? email = null) =>
        new(1, legacyId, name, phone, true, null, email, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), "Laptop", "Broken",
            TicketStatus.Open, null, LegacyRowParser.KeyOf(legacyId, name));

    [Fact]
    public void LegacyIdWinsOverPhoneAndEmail()
    {
        var m = new LegacyCustomerMatcher();
        m.AddExisting(1, "John Smith", "+12127365000", "john@example.com", deleted: false, ["C-1"]);
        m.AddExisting(2, "Other Person", "+12127365001", "other@example.com", deleted: false);

        var result = m.Match(Row("C-1", "John Smith", "+12127365001", "other@example.com"));

        Assert.Equal(MatchedBy.LegacyId, result.By);
        Assert.Equal(1, result.Customer!.Id);
    }

    [Fact]
    public void PhoneIsTriedBeforeEmail()
    {
        var m = new LegacyCustomerMatcher();
        m.AddExisting(1, "John Smith", "+12127365000", null, deleted: false);
        m.AddExisting(2, "John Smith", "+12127365001", "john@example.com", deleted: false);

        var result = m.Match(Row("C-9", "John Smith", "+12127365000", "john@example.com"));

        Assert.Equal(MatchedBy.Phone, result.By);
        Assert.Equal(1, result.Customer!.Id);
    }

    [Fact]
    public void EmailMatchesWhenNothingElseDoes()
    {
        var m = new LegacyCustomerMatcher();
        m.AddExisting(2, "Ana Costa", "+12127365001", "ana@example.com", deleted: false);

        var result = m.Match(Row("C-9", "Ana Costa", null, "ana@example.com"));

        Assert.Equal(MatchedBy.Email, result.By);
        Assert.Equal(2, result.Customer!.Id);
    }

    [Fact]
    public void UnknownCustomerIsNewAndLaterRowsFindIt()
    {
        var m = new LegacyCustomerMatcher();
        var first = Row("C-1", "Ana Costa", "+12127365001");
        Assert.Equal(MatchedBy.New, m.Match(first).By);
        var created = m.AddNew(first, new Customer());
        Assert.True(m.Link("C-1", created));
        Assert.False(m.Link("C-1", created));

        Assert.Same(created, m.Match(Row("C-1", "Ana Costa", "+12127365001")).Customer);
        Assert.Same(created, m.Match(Row("C-2", "Ana Costa", "+12127365001")).Customer);
    }

    [Fact]
    public void NewCustomerWithoutPhoneIsRefused()
    {
        var result = new LegacyCustomerMatcher().Match(Row("C-1", "Ana Costa", null));

        Assert.Null(result.Customer);
        Assert.Contains("needs a phone number", result.Error);
    }

    [Fact]
    public void NewCustomerWithAnEmailButNoPhoneIsAccepted()
    {
        var result = new LegacyCustomerMatcher().Match(Row("C-1", "Ana Costa", null, "ana@example.com"));

        Assert.Equal((MatchedBy.New, null), (result.By, result.Error));
    }

    [Fact]
    public void LegacyIdWithTwoPhonesIsAConflictReportedOnce()
    {
        var m = new LegacyCustomerMatcher();
        m.AddExisting(1, "John Smith", "+12127365000", null, deleted: false, ["C-1"]);

        var first = m.Match(Row("C-1", "John Smith", "+13475550188"));
        var again = m.Match(Row("C-1", "John Smith", "+13475550188"));

        Assert.Equal(1, first.Customer!.Id);
        Assert.Contains(first.Conflicts, c => c.Contains("C-1") && c.Contains("+13475550188"));
        Assert.Empty(again.Conflicts);
    }

    [Fact]
    public void PhoneUnderTwoNamesIsAConflictButSpellingAndOrderAreNot()
    {
        var m = new LegacyCustomerMatcher();
        m.AddExisting(1, "José Álvarez", "+12127365000", null, deleted: false);

        Assert.Empty(m.Match(Row("C-1", "alvarez  JOSE", "+12127365000")).Conflicts);
        var other = m.Match(Row("C-2", "Maria Lopez", "+12127365000"));
        Assert.Single(other.Conflicts);
        Assert.Contains("Maria Lopez", other.Conflicts[0]);
    }

    [Fact]
    public void DeletedCustomerIsRefusedByLegacyIdAndNotMatchedByPhone()
    {
        var m = new LegacyCustomerMatcher();
        m.AddExisting(1, "John Smith", "+12127365000", "john@example.com", deleted: true, ["C-1"]);

        var byId = m.Match(Row("C-1", "John Smith", "+12127365000"));
        Assert.Null(byId.Customer);
        Assert.Contains("deleted", byId.Error);

        var byPhone = m.Match(Row("C-2", "John Smith", "+12127365000", "john@example.com"));
        Assert.Equal(MatchedBy.New, byPhone.By);
        Assert.Null(byPhone.Error);
    }
}

public class LegacyCsvTests
{
    private static async Task<List<CsvRecord>> ReadAsync(string text, int max = 1000)
    {
        var list = new List<CsvRecord>();
        await foreach (var r in new LegacyCsvReader(new StringReader(text), ',', max).ReadAsync(TestContext.Current.CancellationToken))
            list.Add(r);
        return list;
    }

    [Fact]
    public async Task QuotesDelimitersAndNewlinesInsideFieldsKeepTheirLineNumbers()
    {
        var records = await ReadAsync("a,b\r\n\"x, \"\"y\"\"\",\"two\nlines\"\n\nlast,row");

        Assert.Equal(3, records.Count);
        Assert.Equal(["x, \"y\"", "two\nlines"], records[1].Fields);
        Assert.Equal(2, records[1].Line);
        Assert.Equal(5, records[2].Line);
        Assert.Equal(["last", "row"], records[2].Fields);
    }

    [Fact]
    public async Task AQuoteInsideAnUnquotedFieldIsACharacterAndDoesNotJoinRows()
    {
        // Repair shops write inches: a parser that opens a quoted section here joins the rows up to the next such quote.
        var records = await ReadAsync("item,problem\n24\" monitor,flickers\nphone,cracked\n27\" screen,dead pixel\n");

        Assert.Equal(4, records.Count);
        Assert.All(records, r => Assert.Null(r.Error));
        Assert.Equal(["24\" monitor", "flickers"], records[1].Fields);
        Assert.Equal(["phone", "cracked"], records[2].Fields);
        Assert.Equal(["27\" screen", "dead pixel"], records[3].Fields);
        Assert.Equal(4, records[3].Line);
    }

    [Fact]
    public async Task OverlongLineIsReportedAndReadingGoesOn()
    {
        var records = await ReadAsync("a,b\n" + new string('x', 5000) + ",1\nok,2\n", max: 1000);

        Assert.Equal(3, records.Count);
        Assert.Contains("longer than", records[1].Error);
        Assert.Equal(["ok", "2"], records[2].Fields);
        Assert.Equal(3, records[2].Line);
    }

    [Fact]
    public async Task UnclosedQuoteIsReported()
    {
        var records = await ReadAsync("a,b\n\"never closed,1\nx,y\n");

        Assert.Contains("never closed", records[^1].Error);
    }

    [Fact]
    public async Task InvalidUtf8IsReadAsWindows1252WithAWarning()
    {
        var bytes = Encoding.Latin1.GetBytes("name\nZoë Müller\n");
        var info = await TextFileInspector.InspectAsync(new MemoryStream(bytes), TestContext.Current.CancellationToken);

        Assert.NotNull(info.EncodingWarning);
        Assert.Equal("Zoë Müller", info.Encoding.GetString(bytes).Split('\n')[1]);

        var utf8 = await TextFileInspector.InspectAsync(new MemoryStream(Encoding.UTF8.GetBytes("name\nZoë Müller\n")), TestContext.Current.CancellationToken);
        Assert.Null(utf8.EncodingWarning);
    }

    [Theory]
    [InlineData("$1,015.50", 1015.50)]
    [InlineData("12,50", 12.50)]
    [InlineData("-35.00", -35)]
    [InlineData("(20)", -20)]
    public void AmountsInLegacyFormatsAreRead(string raw, double expected)
    {
        Assert.True(LegacyRowParser.TryAmount(raw, out var value));
        Assert.Equal((decimal)expected, value);
    }

    [Fact]
    public void MissingColumnIsNamedWithItsConfigurationKey()
    {
        var (map, error) = LegacyColumnMap.FromHeader(["customer_id", "customer_name", "phone", "created_at", "item", "problem", "status"],
            new LegacyImportColumns());

        Assert.Null(map);
        Assert.Contains("\"amount\" (LegacyImport:Columns:Amount)", error);
    }

    [Fact]
    public void ParserRejectsNegativeAndAbsurdAmountsAndUnknownStatus()
    {
        var header = new[] { "customer_id", "customer_name", "phone", "created_at", "item", "problem", "status", "amount" };
        var parser = new LegacyRowParser(LegacyColumnMap.FromHeader(header, new LegacyImportColumns()).Map!, new PhoneNormalizer("US"));
        CsvRecord Rec(string status, string amount) => new(2, ["C-1", "Ann Lee", "(212) 736-5000", "2020-01-02", "Laptop", "Broken", status, amount]);

        Assert.Contains("negative", parser.Parse(Rec("closed", "-1")).Error);
        Assert.Contains("more than", parser.Parse(Rec("closed", "99999999")).Error);
        Assert.Contains("unknown", parser.Parse(Rec("lost", "1")).Error);
        Assert.Contains("closed ticket needs", parser.Parse(Rec("closed", "")).Error);
        var ok = parser.Parse(Rec("Completed", "10")).Row!;
        Assert.Equal("+12127365000", ok.Phone);
        Assert.Equal(TicketStatus.Closed, ok.Status);
    }
}
