using CustomerAdmin.Features.Sms;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Webhooks;
namespace CustomerAdmin.Tests.Features.Sms.Sending;

public sealed class SmsSendingRulesTests
{
    [Fact]
    public void SignatureMatchesTwiliosPublishedExample()
    {
        var parameters = new Dictionary<string, string>
        {
            ["CallSid"] = "CA1234567890ABCDE", ["Caller"] = "+14158675309", ["Digits"] = "1234",
            ["From"] = "+14158675309", ["To"] = "+18005551212",
        };
        const string url = "https://mycompany.com/myapp.php?foo=1&bar=2";

        Assert.Equal("RSOYDt4T1cUTdK1PDd93/VVr8B8=", TwilioSignature.Compute("12345", url, parameters));
        Assert.True(TwilioSignature.IsValid("12345", url, parameters, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
        Assert.False(TwilioSignature.IsValid("12345", url, parameters, "RSOYDt4T1cUTdK1PDd93/VVr8B8"));
        Assert.False(TwilioSignature.IsValid("54321", url, parameters, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
        Assert.False(TwilioSignature.IsValid("12345", url, new Dictionary<string, string>(parameters) { ["Digits"] = "1235" },
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
    }

    [Fact]
    public void RateLimitFreesASlotAnHourAfterTheOldestSendInTheWindow()
    {
        var now = new DateTime(2026, 6, 10, 12, 0, 0, DateTimeKind.Utc);
        DateTime[] sent = [now.AddMinutes(-50), now.AddMinutes(-20), now.AddMinutes(-10)];

        Assert.Null(SmsRateLimit.NextSlot(sent[1..], now, maxPerHour: 3, maxPerDay: 8));
        Assert.Equal(now.AddMinutes(10), SmsRateLimit.NextSlot(sent, now, maxPerHour: 3, maxPerDay: 8));
        Assert.Equal(now.AddMinutes(-50).AddDays(1), SmsRateLimit.NextSlot(sent, now, maxPerHour: 10, maxPerDay: 3));
    }

    [Fact]
    public void RetryDelayDoublesWithJitterIsCappedAndHonoursRetryAfter()
    {
        var options = new SmsOptions { RetryBaseDelay = TimeSpan.FromSeconds(10), MaxRetryDelay = TimeSpan.FromMinutes(1) };

        for (var i = 0; i < 50; i++)
        {
            Assert.InRange(SmsDispatcher.RetryDelay(options, 1, null), TimeSpan.FromSeconds(8), TimeSpan.FromSeconds(12));
            Assert.InRange(SmsDispatcher.RetryDelay(options, 3, null), TimeSpan.FromSeconds(32), TimeSpan.FromSeconds(48));
            Assert.InRange(SmsDispatcher.RetryDelay(options, 20, null), TimeSpan.FromSeconds(48), TimeSpan.FromSeconds(72));
        }
        Assert.Equal(TimeSpan.FromMinutes(10), SmsDispatcher.RetryDelay(options, 1, TimeSpan.FromMinutes(10)));
    }

    [Theory]
    [InlineData("Thu, 24 Aug 2023 05:01:45 +0000", 2023, 8, 24, 5)]
    [InlineData("Mon, 16 Aug 2010 03:45:01 +0200", 2010, 8, 16, 1)]
    public void TwilioDatesAreReadAsUtc(string text, int year, int month, int day, int hour)
    {
        var parsed = TwilioSmsSender.ParseDate(text);
        Assert.NotNull(parsed);
        Assert.Equal(new DateTime(year, month, day, hour, parsed!.Value.Minute, parsed.Value.Second, DateTimeKind.Utc), parsed);
        Assert.Equal(DateTimeKind.Utc, parsed.Value.Kind);
    }
}
