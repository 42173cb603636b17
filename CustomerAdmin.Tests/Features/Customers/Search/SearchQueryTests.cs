using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers.History;
using CustomerAdmin.Features.Customers.Search;
namespace CustomerAdmin.Tests.Features.Customers.Search;

public class SearchQueryTests
{
    // Phone keys are stored as reversed digits so "ends with" becomes a prefix (range) scan.
    private const string ReversedFullPhone = "00056372121"; // +1 212 736 5000

    private readonly PhoneNormalizer _us = new("US");

    private SearchQuery Parse(string? text) => SearchQuery.Parse(text, _us);

    [Theory]
    [InlineData("%")]
    [InlineData("_")]
    [InlineData("'")]
    [InlineData("%_%")]
    [InlineData("\"")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void WildcardsQuotesAndBlanksGiveAnEmptyQuery(string? text)
    {
        // An empty query means "no search": it must not become a pattern that matches everything.
        Assert.True(Parse(text).IsEmpty);
    }

    [Fact]
    public void SqlFragmentIsSplitIntoPlainWords()
    {
        var query = Parse("' OR 1=1 --");

        Assert.Equal(["or", "1"], query.Words);
        Assert.Null(query.PhoneSuffix);
        Assert.Null(query.EmailPrefix);
    }

    [Fact]
    public void QuotedWordIsSearchedWithoutItsQuotes()
    {
        Assert.Equal(["smith"], Parse("\"Smith\"").Words);
    }

    [Fact]
    public void SingleCharacterIsANamePrefixAndAnEmailPrefix()
    {
        var query = Parse("a");

        Assert.Equal(["a"], query.Words);
        Assert.Equal("a", query.EmailPrefix);
        Assert.Null(query.PhoneSuffix);
    }

    [Theory]
    [InlineData("José", "jose")]
    [InlineData("JOSÉ", "jose")]
    [InlineData("Álvarez", "alvarez")]
    [InlineData("Müller", "muller")]
    [InlineData("Søren", "soren")]
    [InlineData("Straße", "strasse")]
    [InlineData("Zoë", "zoe")]
    public void AccentsAndCaseAreFolded(string typed, string word)
    {
        Assert.Equal([word], Parse(typed).Words);
    }

    [Fact]
    public void NonLatinNamesAreKeptAsWords()
    {
        Assert.Equal(["анна"], Parse("Анна").Words);
    }

    [Theory]
    [InlineData("(212) 736-5000")]
    [InlineData("212-736-5000")]
    [InlineData("212.736.5000")]
    [InlineData("2127365000")]
    public void NationalPhoneGivesExactPhoneAndSuffix(string typed)
    {
        var query = Parse(typed);

        Assert.Equal(ReversedFullPhone, query.ExactPhone);
        Assert.Equal("0005637212", query.PhoneSuffix);
        Assert.StartsWith(query.PhoneSuffix!, ReversedFullPhone, StringComparison.Ordinal);
        Assert.Empty(query.Words);
        Assert.Null(query.EmailPrefix);
    }

    [Theory]
    [InlineData("US")]
    [InlineData("GB")]
    [InlineData("DE")]
    [InlineData("NU")] // Niue: four-digit numbers
    [InlineData("SH")] // Saint Helena: four and five digits
    public void ShortestValidNumberOfARegionStillGivesExactPhone(string region)
    {
        // Search parses a digit term only when it has at least the region's shortest national length: the shortest
        // number of each kind the region has must still be recognised as a whole number.
        var phones = new PhoneNormalizer(region);
        var util = PhoneNumbers.PhoneNumberUtil.GetInstance();
        var examples = Enum.GetValues<PhoneNumbers.PhoneNumberType>()
            .Select(type => util.GetExampleNumberForType(region, type)).Where(n => n is not null).ToList();
        Assert.NotEmpty(examples);
        var shortest = examples.MinBy(n => n.NationalNumber.ToString().Length)!;
        var national = util.Format(shortest, PhoneNumbers.PhoneNumberFormat.NATIONAL);
        Assert.InRange(phones.ShortestNationalNumber, 1, shortest.NationalNumber.ToString().Length);

        var query = SearchQuery.Parse(national, phones);

        Assert.Equal(CustomerSearchIndex.Reverse(util.Format(shortest, PhoneNumbers.PhoneNumberFormat.E164)[1..]), query.ExactPhone);
    }

    [Theory]
    [InlineData("5000")]
    [InlineData("36-5000")]
    [InlineData("736500")]
    [InlineData("736-5000")]
    public void LastDigitsAloneAreASuffixOnly(string typed)
    {
        var query = Parse(typed);

        Assert.Null(query.ExactPhone);
        Assert.Equal(CustomerSearchIndex.Reverse(PhoneNormalizer.Digits(typed)), query.PhoneSuffix);
    }

    [Theory]
    [InlineData("+1 212 736 5000")]
    [InlineData("+1-212-736-5000")]
    [InlineData("1 (212) 736-5000")]
    public void InternationalPhoneGivesExactPhoneAndFullSuffix(string typed)
    {
        var query = Parse(typed);

        Assert.Equal(ReversedFullPhone, query.ExactPhone);
        Assert.Equal(ReversedFullPhone, query.PhoneSuffix);
    }

    [Theory]
    [InlineData("5000", "0005")]
    [InlineData("0018", "8100")]
    [InlineData("736-5000", "0005637")]
    public void LastDigitsGiveASuffixOnly(string typed, string reversed)
    {
        var query = Parse(typed);

        Assert.Equal(reversed, query.PhoneSuffix);
        Assert.Null(query.ExactPhone);
        Assert.Empty(query.Words);
    }

    [Fact]
    public void ThreeDigitsAreTooFewForAPhoneSuffix()
    {
        var query = Parse("123");

        Assert.Null(query.PhoneSuffix);
        Assert.Equal(["123"], query.Words);
    }

    [Theory]
    [InlineData("jsmith@", "jsmith@")]
    [InlineData("JSmith@Example.com", "jsmith@example.com")]
    [InlineData("jsmi", "jsmi")]
    public void EmailLikeTermIsAnEmailPrefix(string typed, string prefix)
    {
        Assert.Equal(prefix, Parse(typed).EmailPrefix);
    }

    [Fact]
    public void MultiWordTermKeepsEveryDistinctWordAndIsNoEmail()
    {
        var query = Parse("  José   Álvarez josé ");

        Assert.Equal(["jose", "alvarez"], query.Words);
        Assert.Null(query.EmailPrefix);
        Assert.Null(query.PhoneSuffix);
    }

    [Fact]
    public void TenThousandCharacterInputIsCutToTheMaximumLength()
    {
        var query = Parse(new string('x', 10_000));

        var word = Assert.Single(query.Words);
        Assert.Equal(SearchQuery.MaxLength, word.Length);
        Assert.Equal(SearchQuery.MaxLength, query.EmailPrefix!.Length);
    }

    [Fact]
    public void TenThousandWordInputIsCutToTheMaximumLength()
    {
        var query = Parse(string.Join(' ', Enumerable.Repeat("ab", 5_000)) + " zz");

        // The cut may split the last word ("a"); a prefix still finds what the full word would.
        Assert.Equal(["ab", "a"], query.Words);
        Assert.DoesNotContain("zz", query.Words);
    }

    [Fact]
    public void TenThousandDigitInputGivesABoundedSuffixAndNoExactPhone()
    {
        var query = Parse(new string('7', 10_000));

        Assert.Null(query.ExactPhone);
        Assert.NotNull(query.PhoneSuffix);
        Assert.True(query.PhoneSuffix!.Length <= SearchQuery.MaxLength);
    }

    [Theory]
    [InlineData("jo", "smith", "jo", "smith")]      // a word as short as the lead leads: the range is exact
    [InlineData("smith", "jo", "jo", "smith")]
    [InlineData("j", "sm", "j", "sm")]
    [InlineData("marg", "coo", "coo", "marg")]     // both cut: the longer word is kept whole
    [InlineData("coo", "marg", "coo", "marg")]
    [InlineData("mar", "coo", "mar", "coo")]       // a tie keeps the typed order
    public void PairRangeKeepsTheLongerWordWhole(string first, string second, string lead, string whole)
    {
        Assert.Equal((lead, whole), CustomerSearch.PairOrder(first, second));
    }
}
