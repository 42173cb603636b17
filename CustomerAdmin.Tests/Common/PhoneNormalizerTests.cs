using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
namespace CustomerAdmin.Tests.Common;

public class PhoneNormalizerTests
{
    private readonly PhoneNormalizer _us = new("US");

    [Theory]
    [InlineData("(212) 736-5000")]
    [InlineData("212-736-5000")]
    [InlineData("212.736.5000")]
    [InlineData("212 736 5000")]
    [InlineData("2127365000")]
    [InlineData("1 212 736 5000")]
    [InlineData("1-212-736-5000")]
    [InlineData("+1 212 736 5000")]
    [InlineData("+12127365000")]
    [InlineData("  (212) 736-5000  ")]
    [InlineData("212/736-5000")]
    public void UsNumberTypedAnyWayNormalisesToTheSameE164(string typed)
    {
        var check = _us.Check(typed);

        Assert.True(check.IsValid, check.Error);
        Assert.Equal("+12127365000", check.E164);
    }

    [Fact]
    public void UsNumberIsSmsCapable()
    {
        // US numbers do not say whether they are mobile; libphonenumber reports FIXED_LINE_OR_MOBILE.
        Assert.True(_us.Check("(212) 736-5000").SmsCapable);
    }

    [Fact]
    public void UkLandlineIsValidButNotSmsCapable()
    {
        var check = _us.Check("+44 20 7946 0018");

        Assert.True(check.IsValid, check.Error);
        Assert.Equal("+442079460018", check.E164);
        Assert.False(check.SmsCapable);
    }

    [Fact]
    public void UkMobileIsSmsCapable()
    {
        var check = _us.Check("+44 7400 123456");

        Assert.True(check.IsValid, check.Error);
        Assert.Equal("+447400123456", check.E164);
        Assert.True(check.SmsCapable);
    }

    [Fact]
    public void NumberOfAnotherCountryWithPlusIsAccepted()
    {
        var check = _us.Check("+33 6 12 34 56 78");

        Assert.True(check.IsValid, check.Error);
        Assert.Equal("+33612345678", check.E164);
    }

    [Theory]
    [InlineData("020 7946 0018")]
    [InlineData("44 20 7946 0018")]
    [InlineData("06 12 34 56 78")]
    public void NumberOfAnotherCountryWithoutPlusIsRejectedWithAHintToAddTheCountryCode(string typed)
    {
        var check = _us.Check(typed);

        Assert.False(check.IsValid);
        Assert.Null(check.E164);
        Assert.Contains("start a number of another country with +", check.Error);
        Assert.Contains("US", check.Error);
    }

    [Fact]
    public void SameNationalDigitsReadAgainstTheConfiguredRegion()
    {
        var check = new PhoneNormalizer("GB").Check("020 7946 0018");

        Assert.True(check.IsValid, check.Error);
        Assert.Equal("+442079460018", check.E164);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("   \t  ")]
    [InlineData(null)]
    public void EmptyOrWhitespaceAsksForANumber(string? typed)
    {
        var check = _us.Check(typed);

        Assert.False(check.IsValid);
        Assert.Equal("Enter a phone number.", check.Error);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("212-736-500O")]
    [InlineData("1-800-FLOWERS")]
    [InlineData("📞 212 736 5000")]
    [InlineData("212 736 5000 😀")]
    [InlineData("２１２７３６５０００")] // full-width digits
    [InlineData("212 736 5000 ext 12")]
    [InlineData("212;736;5000")]
    public void LettersEmojiAndOtherSymbolsAreRejected(string typed)
    {
        var check = _us.Check(typed);

        Assert.False(check.IsValid);
        Assert.Null(check.E164);
        Assert.StartsWith("A phone number may contain only", check.Error);
    }

    [Fact]
    public void FortyDigitStringIsRejectedAsTooLong()
    {
        var check = _us.Check(new string('9', 40));

        Assert.False(check.IsValid);
        Assert.Equal("That is too long for a phone number.", check.Error);
    }

    [Theory]
    [InlineData("12345678901234567890")]
    [InlineData("+999 1234 5678")]
    [InlineData("123")]
    [InlineData("+")]
    [InlineData("555-0100")]
    public void ImpossibleNumbersAreRejected(string typed)
    {
        var check = _us.Check(typed);

        Assert.False(check.IsValid);
        Assert.Null(check.E164);
        Assert.NotNull(check.Error);
    }

    [Theory]
    [InlineData("212+736+5000")]
    [InlineData("++1 212 736 5000")]
    public void PlusAnywhereButTheStartIsRejected(string typed)
    {
        var check = _us.Check(typed);

        Assert.False(check.IsValid);
        Assert.Equal("A + may only start the number.", check.Error);
    }

    [Fact]
    public void DisplayShowsHomeNumbersNationallyAndOthersInternationally()
    {
        Assert.Equal("(212) 736-5000", _us.Display("+12127365000"));
        Assert.Equal("+44 20 7946 0018", _us.Display("+442079460018"));
    }

    [Fact]
    public void CachedCopyGivesTheSameAnswerAsParsingEveryTime()
    {
        // The legacy import's cache is keyed by digits and a leading +; leading zeros, a lost +, an invalid number,
        // a landline, an E.164 form of an earlier answer and a full cache must all answer as a fresh parse does.
        string[] inputs =
        [
            "(212) 736-5000", "212.736.5000", "+12127365000", "+1 (212) 736 5000", "0212 736 5000", "00212 736 5000",
            "+44 20 7946 0018", "4420 7946 0018", "123", "555-0100", "(201) 555-0147", "+12015550147", "12127365000",
            "abc", "+1 212 + 736", "212 736 5000 1234 5678 9012", "(212) 736-5000",
        ];
        var cached = _us.WithCache(capacity: 4);
        foreach (var input in inputs.Concat(inputs))
            Assert.Equal(_us.Check(input), cached.Check(input));
    }
}
