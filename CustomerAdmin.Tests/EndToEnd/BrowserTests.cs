namespace CustomerAdmin.Tests.EndToEnd;

public sealed class BrowserTests
{
    [Fact]
    public void RunsWhenChromiumIsInstalled() =>
        Assert.Null(Browser.MissingChromiumReason(chromiumExists: true, ciVariable: "true"));

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    public void SkipsWithAnInstallHintOutsideCi(string? ci) =>
        Assert.Contains("apt-get install chromium", Browser.MissingChromiumReason(chromiumExists: false, ci));

    [Fact]
    public void FailsUnderCiWhenChromiumIsMissing() =>
        Assert.Throws<InvalidOperationException>(() => Browser.MissingChromiumReason(chromiumExists: false, "true"));
}
