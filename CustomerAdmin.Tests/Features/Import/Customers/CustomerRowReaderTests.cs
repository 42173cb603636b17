using System.Text;
using CustomerAdmin.Common;
using CustomerAdmin.Data;
using CustomerAdmin.Features.Import.Customers;
using CustomerAdmin.Features.Import.Files;
using CustomerAdmin.Features.Import.Values;

namespace CustomerAdmin.Tests.Features.Import.Customers;

/// <summary>The mapping step: columns suggested from headers, names split, dates read, rows checked with the form's rules.</summary>
public sealed class CustomerRowReaderTests
{
    private static readonly PhoneNormalizer Phones = new("US");

    [Fact]
    public void UsualHeaderNamesAreSuggestedForTheirFields()
    {
        string[] headers = ["Customer ID", "Surname", "First Name", "Company", "Mobile", "Tel", "E-mail Address", "Street", "Town", "Zip", "Comments", "Cell colour"];
        var suggested = ColumnSuggestions.Suggest(headers);

        Assert.Equal(0, suggested[CustomerImportField.ExternalReference]);
        Assert.Equal(1, suggested[CustomerImportField.LastName]);
        Assert.Equal(2, suggested[CustomerImportField.FirstName]);
        Assert.Equal(3, suggested[CustomerImportField.OrganizationName]);
        Assert.Equal(4, suggested[CustomerImportField.PrimaryPhone]);
        Assert.Equal(5, suggested[CustomerImportField.SecondaryPhone]);
        Assert.Equal(6, suggested[CustomerImportField.Email]);
        Assert.Equal(7, suggested[CustomerImportField.AddressLine1]);
        Assert.Equal(8, suggested[CustomerImportField.City]);
        Assert.Equal(9, suggested[CustomerImportField.PostalCode]);
        Assert.Equal(10, suggested[CustomerImportField.Notes]);
        Assert.DoesNotContain(11, suggested.Values);
    }

    [Fact]
    public void AFullNameColumnIsSuggestedOnlyWithoutSeparateNames()
    {
        Assert.Equal(0, ColumnSuggestions.Suggest(["Name", "Cell", "Email"])[CustomerImportField.FullName]);
        Assert.False(ColumnSuggestions.Suggest(["Name", "First name", "Last name"]).ContainsKey(CustomerImportField.FullName));
    }

    [Theory]
    [InlineData("John Smith", "John", "Smith")]
    [InlineData("Smith, John", "John", "Smith")]
    [InlineData("  Dr.  Mary Ann   Jones PhD ", "Mary Ann", "Jones")]
    [InlineData("Anna van der Berg", "Anna", "van der Berg")]
    [InlineData("Ludwig von Mises", "Ludwig", "von Mises")]
    [InlineData("Cher", "Cher", "")]
    [InlineData("Mr. John Smith Jr.", "John", "Smith")]
    public void AFullNameIsSplitIntoFirstAndLast(string full, string first, string last) =>
        Assert.Equal((first, last), PersonNameSplitter.Split(full));

    [Fact]
    public void TheDateOrderIsTakenFromTheFileWhenOneValueDecidesItAndLeftToTheUserOtherwise()
    {
        Assert.Equal(DateOrder.DayFirst, ImportDates.Detect(["03/04/2021", "25/12/2020"]));
        Assert.Equal(DateOrder.MonthFirst, ImportDates.Detect(["03/04/2021", "12/25/2020"]));
        Assert.Null(ImportDates.Detect(["03/04/2021", "01/02/2020"]));
        Assert.Equal(DateOrder.Iso, ImportDates.Detect(["2021-04-03", ""]));

        Assert.True(ImportDates.TryParse("03/04/2021", DateOrder.DayFirst, out var dayFirst));
        Assert.Equal(new DateTime(2021, 4, 3, 0, 0, 0, DateTimeKind.Utc), dayFirst);
        Assert.True(ImportDates.TryParse("03/04/2021", DateOrder.MonthFirst, out var monthFirst));
        Assert.Equal(new DateTime(2021, 3, 4, 0, 0, 0, DateTimeKind.Utc), monthFirst);
        Assert.False(ImportDates.TryParse("31/02/2021", DateOrder.DayFirst, out _));
        Assert.True(ImportDates.TryParse("2021-04-03 14:05", DateOrder.MonthFirst, out var iso));
        Assert.Equal(new DateTime(2021, 4, 3, 0, 0, 0, DateTimeKind.Utc), iso);
    }

    private static CustomerRowReader Reader(string[] headers, CustomerImportMapping? mapping = null) =>
        new(mapping ?? new CustomerImportMapping(ColumnSuggestions.Suggest(headers)), headers, Phones, DateOrder.DayFirst);

    [Fact]
    public void ARowIsStoredAsTheFormWouldStoreIt()
    {
        string[] headers = ["ID", "Name", "Mobile", "Email", "Country", "Tags", "Customer since"];
        var row = Reader(headers).Read(new TabularRow(2, ["C-17", "Smith, John", "(617) 555-0123", "John.Smith@Example.COM", "us", "vip, wholesale ,vip", "25/12/2019"]));

        Assert.True(row.CanImport, string.Join("; ", row.Errors));
        Assert.Equal(("John", "Smith"), (row.Customer.FirstName, row.Customer.LastName));
        Assert.Equal(CustomerType.Individual, row.Customer.Type);
        Assert.Equal("+16175550123", row.Customer.PrimaryPhone);
        Assert.Equal("john.smith@example.com", row.Customer.Email);
        Assert.Equal("US", row.Customer.Country);
        Assert.Equal("vip,wholesale", row.Customer.Tags);
        Assert.Equal("C-17", row.ExternalReference);
        Assert.Equal(new DateTime(2019, 12, 25, 0, 0, 0, DateTimeKind.Utc), row.CustomerSince);
    }

    [Fact]
    public void APhoneExcelShortenedIsRefusedWithTheReason()
    {
        var row = Reader(["Name", "Mobile"]).Read(new TabularRow(5, ["Ann Lee", "1.23457E+11"]));

        Assert.False(row.CanImport);
        Assert.Contains(row.Errors, e => e.Contains("Excel shortened", StringComparison.Ordinal));
    }

    [Fact]
    public void RowsTheFormWouldRefuseAreRefusedWithItsMessages()
    {
        var reader = Reader(["Name", "Mobile", "Email", "Country"]);

        Assert.Contains("neither a phone nor an email", Assert.Single(reader.Read(new TabularRow(2, ["Ann Lee", "", "", ""])).Errors));
        Assert.Contains(reader.Read(new TabularRow(3, ["Ann Lee", "12", "", ""])).Errors, e => e.StartsWith("Mobile phone:", StringComparison.Ordinal));
        Assert.Contains(reader.Read(new TabularRow(4, ["Ann Lee", "(617) 555-0123", "", "USA"])).Errors, e => e.Contains("two-letter country code", StringComparison.Ordinal));
        Assert.Contains("one word", Assert.Single(reader.Read(new TabularRow(5, ["Cher", "(617) 555-0124", "", ""])).Errors));
        var badEmail = reader.Read(new TabularRow(6, ["Ann Lee", "(617) 555-0125", "not-an-email", ""]));
        Assert.True(badEmail.CanImport);
        Assert.Contains(badEmail.Warnings, w => w.Contains("not an email address", StringComparison.Ordinal));
        Assert.Null(badEmail.Customer.Email);
    }

    [Fact]
    public void ACompanyWithoutAPersonNeedsItsType()
    {
        string[] headers = ["Company", "Type", "Phone"];
        var reader = Reader(headers);

        var clinic = reader.Read(new TabularRow(2, ["Mercy Clinic", "clinic", "(617) 555-0130"]));
        Assert.True(clinic.CanImport, string.Join("; ", clinic.Errors));
        Assert.Equal((CustomerType.Clinic, "Mercy Clinic"), (clinic.Customer.Type, clinic.Customer.Name));
        Assert.Contains("needs a customer type", Assert.Single(reader.Read(new TabularRow(3, ["ABC Ltd", "", "(617) 555-0131"])).Errors));
        Assert.Contains("is unknown", Assert.Single(reader.Read(new TabularRow(4, ["ABC Ltd", "spaceship", "(617) 555-0132"])).Errors));
    }

    [Fact]
    public void UnmappedColumnsGoToNotesWhenAskedAndTooLongValuesAreRefused()
    {
        string[] headers = ["Name", "Mobile", "Shoe size", "Favourite"];
        var mapping = new CustomerImportMapping(ColumnSuggestions.Suggest(headers), UnmappedColumns.AddToNotes);
        var row = Reader(headers, mapping).Read(new TabularRow(2, ["Ann Lee", "(617) 555-0140", "38", "=cmd|' /C calc'!A0"]));

        Assert.Equal("Shoe size: 38\nFavourite: =cmd|' /C calc'!A0", row.Customer.Notes);
        var tooLong = Reader(headers).Read(new TabularRow(3, ["Ann " + new string('x', 200), "(617) 555-0141", "", ""]));
        Assert.False(tooLong.CanImport);
    }

    [Fact]
    public void AMappingWithoutANameOrAContactIsExplained()
    {
        var problems = new CustomerImportMapping(new Dictionary<CustomerImportField, int> { [CustomerImportField.City] = 0 }).Problems(["City"]);

        Assert.Contains(problems, p => p.StartsWith("Map a name", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Map a phone or an email", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ThePreviewShowsTheFirstRowsAndAsksForTheDateOrderWhenTheFileCannotTell()
    {
        var path = Path.Combine(Path.GetTempPath(), $"preview-{Guid.NewGuid():N}.csv");
        try
        {
            var text = new StringBuilder("Name;Mobile;Customer since\n");
            for (var i = 0; i < 300; i++) text.Append($"Ann Lee{i};(617) 555-{i:0000};0{1 + i % 9}/0{1 + i % 9 % 8}/2020\n");
            await File.WriteAllTextAsync(path, text.ToString(), TestContext.Current.CancellationToken);
            var file = await TabularFile.OpenAsync(path, new(), TestContext.Current.CancellationToken);
            var mapping = new CustomerImportMapping(ColumnSuggestions.Suggest(file.Headers));

            var preview = await CustomerImportPreview.BuildAsync(file, mapping, Phones, 20, TestContext.Current.CancellationToken);
            Assert.True(preview.DateOrderNeeded);
            Assert.Equal(20, preview.Rows.Count);
            Assert.All(preview.Rows, r => Assert.True(r.CanImport, string.Join("; ", r.Errors)));

            var chosen = await CustomerImportPreview.BuildAsync(file, mapping with { Dates = DateOrder.MonthFirst }, Phones, 20, TestContext.Current.CancellationToken);
            Assert.False(chosen.DateOrderNeeded);
            Assert.Equal(new DateTime(2020, 2, 2, 0, 0, 0, DateTimeKind.Utc), chosen.Rows[1].CustomerSince);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
