using CustomerAdmin.Data;
using CustomerAdmin.Features.Duplicates.Matching;

namespace CustomerAdmin.Tests.Features.Duplicates.Matching;

/// <summary>Pairs scored with the documented prior: their levels and the reasons a reviewer reads.</summary>
public class ScoringTests
{
    private static int _id;

    private static MatchProfile Person(string? first, string? last, string? phone = null, string? email = null,
        string? street = null, string? city = null, string? postcode = null, string? phone2 = null) =>
        MatchProfile.For(new MatchRecord(Interlocked.Increment(ref _id), CustomerType.Individual, first, last, null, phone, phone2,
            email, street, null, city, postcode, "US"));

    private static MatchProfile Org(string name, string? phone = null, string? email = null, string? street = null, string? postcode = null) =>
        MatchProfile.For(new MatchRecord(Interlocked.Increment(ref _id), CustomerType.Hospital, null, null, name, phone, null,
            email, street, null, "Springfield", postcode, "US"));

    private static PairScore Score(MatchProfile a, MatchProfile b) => MatchModel.Prior.Score(a, b);

    [Fact]
    public void BobAndRobertWithOneAddressAreAPairNamedByTheirNickname()
    {
        var score = Score(Person("Bob", "Smith", "(212) 555-0142", street: "12 Main St Apt 4", city: "Springfield", postcode: "12345"),
            Person("Robert", "Smith", "+1 212 555 0142", street: "12 Main Street #4", city: "Springfield", postcode: "12345"));

        Assert.Equal(DuplicateLevel.Likely, score.Level);
        Assert.Contains("nickname: Bob / Robert", score.Reasons);
        Assert.Contains("same last name", score.Reasons);
        Assert.Contains("same phone", score.Reasons);
        Assert.Contains("same address", score.Reasons);
    }

    [Fact]
    public void ANewPhoneNumberAndTheSameGmailApartFromDotsStillFindsThePerson()
    {
        var score = Score(Person("Anna", "Ivanova", "(212) 555-0142", "anna.ivanova@gmail.com"),
            Person("Анна", "Иванова", "(646) 555-0199", "annaivanova@gmail.com"));

        Assert.NotNull(score.Level);
        Assert.Contains("same name", score.Reasons);
        Assert.Contains("same email apart from dots", score.Reasons);
        Assert.Contains("different phones", score.Reasons);
    }

    [Theory]
    [InlineData("anna.ivanova@gmail.com", "anna.ivanova@gmail.com", "same email")]
    [InlineData("Anna.Ivanova@Gmail.com", "anna.ivanova@gmail.com", "same email")]
    [InlineData("anna.ivanova@gmail.com", "annaivanova+shop@googlemail.com", "same email apart from dots and a +tag")]
    [InlineData("anna.ivanova+news@outlook.com", "anna.ivanova@outlook.com", "same email apart from a +tag")]
    public void TheEmailReasonSaysWhatDiffers(string a, string b, string reason)
    {
        var score = Score(Person("Anna", "Ivanova", email: a), Person("Anna", "Ivanova", email: b));

        Assert.Contains(reason, score.Reasons);
    }

    [Fact]
    public void APhoneOneDigitOffIsAReason()
    {
        var score = Score(Person("Maria", "Garcia", "(212) 555-0142", street: "4 Oak Ave", postcode: "12345"),
            Person("Maria", "Garcia", "(212) 555-0143", street: "4 Oak Avenue", postcode: "12345"));

        Assert.Contains("phone differs by one digit", score.Reasons);
        Assert.NotNull(score.Level);
    }

    [Fact]
    public void SwappedFirstAndLastNamesAreRecognised()
    {
        var score = Score(Person("Wei", "Zhang", "(212) 555-0142"), Person("Zhang", "Wei", "(212) 555-0142"));

        Assert.Contains("same name, first and last swapped", score.Reasons);
        Assert.NotNull(score.Level);
    }

    [Fact]
    public void ASwappedRecordOfOneHouseholdMemberIsNotAnother()
    {
        // "Cordero Mateo" is Mateo Cordero typed surname first; Dolores Cordero lives with him.
        var score = Score(Person("Cordero", "Mateo", "(313) 933-7587", street: "1683 Pine Ct", postcode: "30045"),
            Person("Dolores", "Cordero", "(313) 933-7587", street: "1683 Pine Court", postcode: "30045"));

        Assert.Null(score.Level);
        Assert.Contains("different first names", score.Reasons);
    }

    [Fact]
    public void NamesThatSoundAlikeAreSaidSo()
    {
        var score = Score(Person("Catherine", "Meyer", email: "cmeyer@example.com"), Person("Katherine", "Maier", email: "cmeyer@example.com"));

        Assert.Contains("first names sound alike", score.Reasons);
        Assert.Contains("last names sound alike", score.Reasons);
        Assert.NotNull(score.Level);
    }

    [Fact]
    public void ANameAloneIsNeverEnoughHoweverExact()
    {
        var score = Score(Person("John", "Smith", "(212) 555-0142", city: "Springfield"),
            Person("John", "Smith", "(646) 555-0199", city: "Springfield"));

        Assert.Null(score.Level);
        Assert.Contains("same name", score.Reasons);
    }

    [Fact]
    public void TheSameNameInTheSamePostcodeGoesToReviewButIsNeverLikely()
    {
        // A new phone and nothing else: the same person, or a namesake in the same neighbourhood. A reviewer decides.
        var score = Score(Person("John", "Smith", "(212) 555-0142", city: "Springfield", postcode: "12345"),
            Person("John", "Smith", "(646) 555-0199", city: "Springfield", postcode: "12345"));
        // The same with street lines that contradict it: two addresses in one postcode.
        var moved = Score(Person("John", "Smith", "(212) 555-0142", street: "12 Main St", city: "Springfield", postcode: "12345"),
            Person("John", "Smith", "(646) 555-0199", street: "40 Elm St", city: "Springfield", postcode: "12345"));

        Assert.Equal(DuplicateLevel.Possible, score.Level);
        Assert.Null(moved.Level);
    }

    [Fact]
    public void ARecordWithoutAFirstNameAtAFamilysPhoneAndAddressIsAtMostPossible()
    {
        // "Lebsack" at the Lebsacks' number and house may be Lavinia, Kirk or their son: never offered as near-certain.
        var model = MatchModelWithHighWeights();
        var pattern = FieldComparer.Compare(Person(null, "Lebsack", "(270) 385-3972", street: "1838 Pine Road", postcode: "12231"),
            Person("Kirk", "Lebsack", "(270) 385-3972", street: "1838 Pine Rd", postcode: "12231")).Pattern;
        var named = FieldComparer.Compare(Person("Kirk", "Lebsack", "(270) 385-3972", street: "1838 Pine Road", postcode: "12231"),
            Person("Kirk", "Lebsack", "(270) 385-3972", street: "1838 Pine Rd", postcode: "12231")).Pattern;

        Assert.True(model.ScorePattern(pattern) >= model.LikelyThreshold);
        Assert.Equal(DuplicateLevel.Possible, model.LevelOf(pattern, model.ScorePattern(pattern)));
        Assert.Equal(DuplicateLevel.Likely, model.LevelOf(named, model.ScorePattern(named)));
    }

    /// <summary>The prior scores few pairs as "likely"; a phone and a street line weighing as much as a scan's EM makes them do.</summary>
    private static MatchModel MatchModelWithHighWeights() => MatchModel.FromJson("""
        {"matchShare":0.03,"fields":{"Phone":{"Exact":{"m":0.7,"u":0.00001}},"Street":{"Exact":{"m":0.5,"u":0.00001},"Similar":{"m":0.2,"u":0.00001}}}}
        """);

    [Fact]
    public void ASharedPhoneAloneIsNotEnoughEither()
    {
        // A family's landline: two people, one number.
        var score = Score(Person("Mary", "Jones", "(212) 555-0142"), Person("Peter", "Jones", "(212) 555-0142"));

        Assert.Null(score.Level);
        Assert.Contains("different first names", score.Reasons);
    }

    [Fact]
    public void AHouseholdSharingSurnameAddressAndPhoneIsNotOneCustomer()
    {
        var score = Score(Person("Lavinia", "Lebsack", "(270) 385-3972", "lavinia@example.com", "1838 Pine Road", "Louisabury", "12231"),
            Person("Kirk", "Lebsack", "(270) 385-3972", null, "1838 Pine Rd", "Louisabury", "12231"));

        Assert.Null(score.Level);
        Assert.Contains("different first names", score.Reasons);
    }

    [Fact]
    public void ScannerMisreadingsAndShortTyposStillAgree()
    {
        var score = Score(Person("Filomena", "Muller", street: "231 Man Road", city: "New Graciela", postcode: "10266", phone: "(320) 709-5347"),
            Person("Filomena", "Mu11er", street: "231 Main Road", city: "New Graciela", postcode: "10266"));

        Assert.Contains("same name", score.Reasons);
        Assert.Contains("similar address", score.Reasons);
        Assert.NotNull(score.Level);
    }

    [Fact]
    public void ConflictingPhoneAndEmailLowerTheScore()
    {
        var a = Person("John", "Smith", "(212) 555-0142", "john@example.com", "12 Main St", "Springfield", "12345");
        var missing = Person("John", "Smith", null, null, "12 Main St", "Springfield", "12345");
        var conflicting = Person("John", "Smith", "(646) 555-0199", "jsmith77@example.org", "12 Main St", "Springfield", "12345");

        var withMissing = Score(a, missing);
        var withConflict = Score(a, conflicting);

        Assert.True(withConflict.Score < withMissing.Score, $"{withConflict.Score} should be below {withMissing.Score}");
        Assert.Contains("different phones", withConflict.Reasons);
        Assert.Contains("different emails", withConflict.Reasons);
        Assert.DoesNotContain("different phones", withMissing.Reasons);
    }

    [Fact]
    public void TheSameOrganisationApartFromItsSuffixAndAbbreviationsIsLikely()
    {
        var abc = Org("ABC Hospital", "(212) 555-0100", street: "1 Hospital Plaza", postcode: "12345");

        var dotted = Score(abc, Org("A.B.C. Hosp.", "(212) 555-0100", street: "1 Hospital Plaza", postcode: "12345"));
        var limited = Score(abc, Org("ABC Hospital Ltd", "(212) 555-0100", street: "1 Hospital Plz", postcode: "12345"));

        Assert.Equal(DuplicateLevel.Likely, dotted.Level);
        Assert.Contains("same organisation name", dotted.Reasons);
        Assert.NotNull(limited.Level);
        Assert.Contains("same organisation apart from its legal suffix", limited.Reasons);
    }

    [Fact]
    public void APersonAndAnOrganisationAreNeverOneCustomer()
    {
        var score = Score(Person("John", "Smith", "(212) 555-0100", "office@abc-hospital.com"),
            Org("ABC Hospital", "(212) 555-0100", "office@abc-hospital.com"));

        Assert.Contains("a person and an organisation", score.Reasons);
        Assert.True(score.Score < MatchModel.Prior.LikelyThreshold);
    }

    [Fact]
    public void TheScoreIsSymmetric()
    {
        var a = Person("Bob", "Smith", "(212) 555-0142", "bob@example.com", "12 Main St", "Springfield", "12345");
        var b = Person("Robert", "Smyth", "(212) 555-0143", "bob@example.com", "12 Main Street", "Springfield", "12345");

        Assert.Equal(Score(a, b).Score, Score(b, a).Score, 9);
        Assert.Equal(Score(a, b).Level, Score(b, a).Level);
    }

    [Fact]
    public void ThePriorThresholdsAreOrdered()
    {
        Assert.True(MatchModel.Prior.LikelyThreshold > MatchModel.Prior.PossibleThreshold);
        Assert.True(MatchModel.Prior.Weight(MatchField.Phone, FieldLevel.Exact) > 0);
        Assert.True(MatchModel.Prior.Weight(MatchField.Phone, FieldLevel.Different) < 0);
        Assert.Equal(0, MatchModel.Prior.Weight(MatchField.Phone, FieldLevel.Missing));
    }

    [Fact]
    public void TheModelSurvivesItsJson()
    {
        var json = MatchModel.Prior.ToJson();
        var back = MatchModel.FromJson(json);

        Assert.Equal(MatchModel.Prior.MatchShare, back.MatchShare, 12);
        foreach (var field in Enum.GetValues<MatchField>())
        {
            foreach (var level in Enum.GetValues<FieldLevel>())
                Assert.Equal(MatchModel.Prior.Weight(field, level), back.Weight(field, level), 9);
        }
        Assert.Contains("\"Phone\"", json);
    }
}
