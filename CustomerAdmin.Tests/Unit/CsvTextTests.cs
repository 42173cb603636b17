using CustomerAdmin.Features.Customers.Export;
namespace CustomerAdmin.Tests.Unit;

public class CsvTextTests
{
    [Theory]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+1 555", "'+1 555")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "\"'\rx\"")]
    public void CellThatASpreadsheetWouldRunIsPrefixedWithAQuote(string value, string expected) =>
        Assert.Equal(expected, CsvText.Field(value));

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("Zoë 北京", "Zoë 北京")]
    [InlineData(null, "")]
    public void FieldsFollowRfc4180(string? value, string expected) => Assert.Equal(expected, CsvText.Field(value));
}
