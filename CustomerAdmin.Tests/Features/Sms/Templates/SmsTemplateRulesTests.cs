using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Data;

namespace CustomerAdmin.Tests.Features.Sms.Templates;

public sealed class SmsTemplateRulesTests
{
    private static readonly IReadOnlyDictionary<string, string> Sample = SmsText.SampleValues("+1 555 0100");

    [Fact]
    public void UnknownPlaceholdersAreListedAndBlockTheText()
    {
        var check = SmsTemplateRules.Check("Hi {{first_name}}, {{firstname}} and {{ venue }} and {{venue}}", Sample);

        Assert.False(check.IsValid);
        Assert.Equal(["firstname", "venue"], check.UnknownPlaceholders);
        Assert.Contains("{{firstname}}, {{venue}}", Assert.Single(check.Errors));
    }

    [Fact]
    public void KnownPlaceholdersRenderInThePreview()
    {
        var check = SmsTemplateRules.Check("Hi {{first_name}}, {{ EVENT_NAME }} on {{event_date}}", Sample);

        Assert.True(check.IsValid);
        Assert.Equal("Hi Maria, Jazz Night on Fri 12 Dec, 19:30", check.Rendered);
    }

    [Fact]
    public void TwoThousandCharactersAreRefusedWithTheExcess()
    {
        var check = SmsTemplateRules.Check(new string('a', 2000), Sample);

        Assert.False(check.IsValid);
        var error = Assert.Single(check.Errors);
        Assert.Contains("2,000 characters", error);
        Assert.Contains("1,600", error);
        Assert.Contains("by 400", error);
    }

    [Fact]
    public void TextAtTheLimitIsAccepted() =>
        Assert.True(SmsTemplateRules.Check(new string('a', SmsMessage.BodyMax), Sample).IsValid);

    [Fact]
    public void EmptyTextIsRefused() => Assert.False(SmsTemplateRules.Check("  ", Sample).IsValid);

    [Theory]
    [InlineData(160, 1)]
    [InlineData(161, 2)]
    [InlineData(306, 2)]
    [InlineData(307, 3)]
    public void GsmTextSplitsAfter160Then153(int length, int segments)
    {
        var info = SmsTemplateRules.Check(new string('a', length), Sample).Segments;

        Assert.Equal(SmsText.Encoding.Gsm7, info.Encoding);
        Assert.Equal(segments, info.Segments);
    }

    [Theory]
    [InlineData(70, 1)]
    [InlineData(71, 2)]
    [InlineData(134, 2)]
    [InlineData(135, 3)]
    public void UnicodeTextSplitsAfter70Then67(int length, int segments)
    {
        var text = "ж" + new string('a', length - 1);
        var info = SmsTemplateRules.Check(text, Sample).Segments;

        Assert.Equal(SmsText.Encoding.Ucs2, info.Encoding);
        Assert.Equal(segments, info.Segments);
    }

    [Fact]
    public void ExtensionCharactersCountDouble()
    {
        // 80 euro signs are 160 septets: one segment; one more plain character tips it into two.
        Assert.Equal(1, SmsText.Segments(new string('€', 80)).Segments);
        Assert.Equal(160, SmsText.Segments(new string('€', 80)).Units);
        var over = SmsText.Segments(new string('€', 80) + "a");
        Assert.Equal(SmsText.Encoding.Gsm7, over.Encoding);
        Assert.Equal(2, over.Segments);
        Assert.Equal(2, SmsText.Segments(new string('a', 159) + "[").Segments);
    }

    [Fact]
    public void SegmentsAreCountedOnTheRenderedText()
    {
        // The template is short, but the customer's name makes the message UCS-2.
        var check = SmsTemplateRules.Check("Hi {{first_name}}", new Dictionary<string, string> { [SmsText.FirstName] = "Zoë Ωmega 李" });
        Assert.Equal(SmsText.Encoding.Ucs2, check.Segments.Encoding);
    }

    [Theory]
    [InlineData(" ES ", "es")]
    [InlineData("pt-BR", "pt-br")]
    [InlineData("english", null)]
    [InlineData("", null)]
    [InlineData("e1", null)]
    public void LanguageCodesAreNormalizedOrRefused(string input, string? expected) =>
        Assert.Equal(expected, SmsTemplateRules.NormalizeLanguage(input));

    [Fact]
    public void TemplateFallsBackFromRegionalToBaseToDefaultToBuiltIn()
    {
        var saved = new Dictionary<(SmsKind, string), string>
        {
            [(SmsKind.Reminder24Hour, "es")] = "es body",
            [(SmsKind.Reminder24Hour, "en")] = "en body",
            [(SmsKind.Reminder7Day, "pt-br")] = "pt-br body",
        };
        var set = new SmsTemplateSet(saved, "en");

        Assert.Equal(("es", "es body"), set.For(SmsKind.Reminder24Hour, "es-MX"));
        Assert.Equal(("es", "es body"), set.For(SmsKind.Reminder24Hour, "ES"));
        Assert.Equal(("en", "en body"), set.For(SmsKind.Reminder24Hour, "fr"));
        Assert.Equal(("en", "en body"), set.For(SmsKind.Reminder24Hour, null));
        Assert.Equal(("pt-br", "pt-br body"), set.For(SmsKind.Reminder7Day, "pt-BR"));
        Assert.Equal(("en", SmsText.DefaultTemplate(SmsKind.Reminder7Day)), set.For(SmsKind.Reminder7Day, "pt"));
    }
}
