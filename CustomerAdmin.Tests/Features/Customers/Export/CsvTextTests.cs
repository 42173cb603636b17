using CustomerAdmin.Features.Customers.Export;
namespace CustomerAdmin.Tests.Features.Customers.Export;

public class CsvTextTests
{
    [Theory]
    [InlineData("=1+2", "'=1+2")]
    [InlineData("+1 555", "'+1 555")]
    [InlineData("-2", "'-2")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\rx", "\"'\rx\"")]
    [InlineData("\nx", "\"'\nx\"")]
    [InlineData("＝1+2", "'＝1+2")]
    [InlineData("＋1", "'＋1")]
    [InlineData("－1", "'－1")]
    [InlineData("＠SUM(A1)", "'＠SUM(A1)")]
    [InlineData(" =1+2", "' =1+2")]
    [InlineData("\u3000\t@x", "'\u3000\t@x")]
    public void CellThatASpreadsheetWouldRunIsPrefixedWithAQuote(string value, string expected) =>
        Assert.Equal(expected, CsvText.Field(value));

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("a;b", "\"a;b\"")]
    [InlineData("1-2 = 3", "1-2 = 3")]
    [InlineData("  ", "\"  \"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("two\nlines", "\"two\nlines\"")]
    [InlineData("Zoë 北京", "Zoë 北京")]
    [InlineData(null, "")]
    public void FieldsFollowRfc4180(string? value, string expected) => Assert.Equal(expected, CsvText.Field(value));

    [Theory]
    [InlineData("+12127365000")]
    [InlineData("=1+2")]
    [InlineData(" ＠x")]
    [InlineData("O'Brien")]
    [InlineData("'quoted'")]
    [InlineData("plain")]
    public void RestoreUndoesTheNeutralisingQuote(string value)
    {
        var field = CsvText.Field(value);
        var cell = field.StartsWith('"') ? field[1..^1].Replace("\"\"", "\"") : field;
        Assert.Equal(value, CsvText.Restore(cell));
    }
}
