using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Matching;

namespace CustomerAdmin.Tests.Features.Duplicates.Matching;

/// <summary>Each normaliser with real cases: what staff type at the counter and what legacy data holds.</summary>
public class NormalizationTests
{
    [Theory]
    [InlineData("José Álvarez", "jose alvarez")]
    [InlineData("Zoë Lefèvre", "zoe lefevre")]
    [InlineData("Jürgen Müller", "jurgen muller")]
    [InlineData("Søren Kierkegaard", "soren kierkegaard")]
    [InlineData("Анна Иванова", "anna ivanova")]
    [InlineData("Γιώργος Παπαδόπουλος", "giorgos papadopoulos")]
    [InlineData("  O'Brien-Smith, Jr. ", "obrien smith jr")]
    [InlineData("ANNE  marie", "anne marie")]
    public void FoldingTransliteratesAndDropsCaseAccentsAndPunctuation(string typed, string folded)
    {
        Assert.Equal(folded, MatchText.Fold(typed));
    }

    [Theory]
    [InlineData("Dr. John Smith Jr.", "john smith")]
    [InlineData("Mrs Mary-Ann", "mary ann")]
    public void PersonNamesDropTitlesAndGenerations(string typed, string normalized)
    {
        Assert.Equal(normalized, PersonNames.Normalize(typed));
    }

    [Theory]
    [InlineData("Bob", "Robert", true)]
    [InlineData("Bill", "William", true)]
    [InlineData("Peggy", "Margaret", true)]
    [InlineData("Sasha", "Alexander", true)]
    [InlineData("Pepe", "José", true)]
    [InlineData("Liz", "Beth", true)]
    [InlineData("Robert", "William", false)]
    [InlineData("Anna", "Olga", false)]
    public void NicknamesFromThePublicListShareAGroup(string a, string b, bool same)
    {
        var ga = PersonNames.GroupsOf(PersonNames.Normalize(a));
        var gb = PersonNames.GroupsOf(PersonNames.Normalize(b));
        Assert.Equal(same, PersonNames.AreNicknames(ga, gb));
    }

    [Theory]
    [InlineData("Smith", "Smyth")]
    [InlineData("Jon", "John")]
    [InlineData("Kristina", "Christina")]
    [InlineData("Philips", "Filips")]
    [InlineData("Meyer", "Maier")]
    [InlineData("Ivanova", "Ivanowa")]
    [InlineData("Catherine", "Katherine")]
    public void NamesThatSoundAlikeShareAPhoneticKey(string a, string b)
    {
        Assert.Equal(Phonetic.Key(MatchText.Fold(a)), Phonetic.Key(MatchText.Fold(b)));
    }

    [Theory]
    [InlineData("Smith", "Schmidt")]
    [InlineData("Johnson", "Jackson")]
    [InlineData("Brown", "Green")]
    public void NamesThatSoundDifferentKeepDifferentKeys(string a, string b)
    {
        Assert.NotEqual(Phonetic.Key(MatchText.Fold(a)), Phonetic.Key(MatchText.Fold(b)));
    }

    [Theory]
    [InlineData("ABC Hospital", "abc hospital")]
    [InlineData("A.B.C. Hosp.", "abc hospital")]
    [InlineData("ABC Hospital Ltd", "abc hospital")]
    [InlineData("A B C Hospital, LLC", "abc hospital")]
    [InlineData("The ABC Hospital Inc.", "abc hospital")]
    [InlineData("Smith & Sons GmbH", "smith sons")]
    [InlineData("Smith and Sons Co. Ltd.", "smith sons")]
    [InlineData("St. Mary's Hosp.", "saint marys hospital")]
    [InlineData("Saint Marys Hospital", "saint marys hospital")]
    [InlineData("Dept. of Radiology, Univ. Hospital", "department radiology university hospital")]
    [InlineData("Acme Intl. Mfg. Corp.", "acme international manufacturing")]
    [InlineData("Müller Medizintechnik AG", "muller medizintechnik")]
    public void OrganisationNamesLoseLegalSuffixesInitialsAndAbbreviations(string typed, string core)
    {
        Assert.Equal(core, OrganizationNames.Normalize(typed).Core);
    }

    [Fact]
    public void TheLegalSuffixIsKeptApartNotForgotten()
    {
        var (full, core) = OrganizationNames.Normalize("ABC Hospital Ltd");
        Assert.Equal("abc hospital ltd", full);
        Assert.Equal("abc hospital", core);
        // A name that is only a suffix-like word keeps it.
        Assert.Equal("co", OrganizationNames.Normalize("Co.").Core);
    }

    [Theory]
    [InlineData("(212) 736-5000", "US", 12127365000UL)]
    [InlineData("+1 212 736 5000", "US", 12127365000UL)]
    [InlineData("1-212-736-5000", null, 12127365000UL)]
    [InlineData("+12127365000", "GB", 12127365000UL)]
    [InlineData("020 7946 0018", "GB", 442079460018UL)]
    [InlineData("+44 20 7946 0018", "US", 442079460018UL)]
    [InlineData("not a phone", "US", 0UL)]
    [InlineData("", "US", 0UL)]
    public void PhonesInNationalAndInternationalFormAreOneNumber(string typed, string? country, ulong e164Digits)
    {
        Assert.Equal(e164Digits, PhoneMatching.ToNumber(typed, country));
    }

    [Theory]
    [InlineData(12127365000UL, 12127365001UL, true)]
    [InlineData(12127365000UL, 12127356000UL, true)]
    [InlineData(12127365000UL, 12127365011UL, false)]
    [InlineData(12127365000UL, 12127365000UL, false)]
    [InlineData(12127365000UL, 442079460018UL, false)]
    public void APhoneOneDigitOffOrWithTwoDigitsSwappedIsDetected(ulong a, ulong b, bool oneApart)
    {
        Assert.Equal(oneApart, PhoneMatching.OneDigitApart(a, b));
    }

    [Theory]
    [InlineData("John.Smith@Gmail.com", "johnsmith@gmail.com")]
    [InlineData("j.o.h.n.smith+shop@googlemail.com", "johnsmith@gmail.com")]
    [InlineData("jane.doe+news@outlook.com", "jane.doe@outlook.com")]
    [InlineData("Jane.Doe@Example.com", "jane.doe@example.com")]
    [InlineData("jane.doe+tag@example.com", "jane.doe+tag@example.com")]
    [InlineData("not-an-email", "")]
    public void EmailsIgnoreCaseAndWhatTheirProviderIgnores(string typed, string normalized)
    {
        Assert.Equal(normalized, EmailMatching.Normalize(typed));
    }

    [Theory]
    [InlineData("12 Main St Apt 4", null, "12 main st #4")]
    [InlineData("12 Main Street #4", null, "12 main st #4")]
    [InlineData("12 Main Street", "Unit 4", "12 main st #4")]
    [InlineData("12 MAIN ST., Suite 4", null, "12 main st #4")]
    [InlineData("500 North Lake Boulevard", null, "500 n lake blvd")]
    [InlineData("500 N. Lake Blvd", null, "500 n lake blvd")]
    [InlineData("7 Rosenstraße", null, "7 rosenst")]
    public void StreetAddressesAgreeOnStreetTypesAndUnits(string line1, string? line2, string normalized)
    {
        Assert.Equal(normalized, AddressMatching.Street(line1, line2));
    }

    [Theory]
    [InlineData("sw1a 1aa", "SW1A1AA")]
    [InlineData("SW1A1AA", "SW1A1AA")]
    [InlineData("10001-1234", "10001")]
    [InlineData("10001", "10001")]
    [InlineData("75 008", "75008")]
    public void PostcodesIgnoreSpacesCaseAndZipPlusFour(string typed, string normalized)
    {
        Assert.Equal(normalized, AddressMatching.Postcode(typed));
    }

    [Fact]
    public void AnOrganisationsProfileReadsItsNameAndAPersonsItsNames()
    {
        var org = MatchProfile.For(new MatchRecord(1, CustomerType.Hospital, null, null, "A.B.C. Hosp.", "+12125550100",
            null, null, null, null, null, null, "US"));
        var person = MatchProfile.For(new MatchRecord(2, CustomerType.Individual, "Bob", "Smith", null, "(212) 555-0100",
            null, "Bob.Smith@gmail.com", null, null, null, "10001", "US"));

        Assert.Contains("og:abc", org.BlockingKeys);
        Assert.Contains("ph:5550100", org.BlockingKeys);
        Assert.Contains("ph:5550100", person.BlockingKeys);
        Assert.Contains("em:bobsmith", person.BlockingKeys);
        Assert.Contains("pc:10001|s", person.BlockingKeys);
        // Bob is blocked under Robert's sound too, so "Robert Smith" meets him without a shared phone.
        var robert = MatchProfile.For(new MatchRecord(3, CustomerType.Individual, "Robert", "Smith", null, null, null, null,
            null, null, null, null, "US"));
        Assert.NotEmpty(person.BlockingKeys.Intersect(robert.BlockingKeys).Where(k => k.StartsWith("nm:", StringComparison.Ordinal)));
    }

    [Fact]
    public void TheSignatureChangesWithAMatchingFieldAndOnlyThen()
    {
        var record = new MatchRecord(7, CustomerType.Individual, "Anna", "Ivanova", null, "+12125550100", null,
            "anna@example.com", "1 Elm St", null, "Springfield", "12345", "US");
        var signature = MatchProfile.For(record).Signature;

        Assert.True(signature.Length <= 64);
        Assert.Equal(signature, MatchProfile.For(record with { FirstName = "ANNA" }).Signature);
        Assert.Equal(signature, MatchProfile.For(record with { PrimaryPhone = "(212) 555-0100" }).Signature);
        Assert.NotEqual(signature, MatchProfile.For(record with { Email = "anna@example.org" }).Signature);
        Assert.NotEqual(signature, MatchProfile.For(record with { AddressLine1 = "2 Elm St" }).Signature);
    }
}
