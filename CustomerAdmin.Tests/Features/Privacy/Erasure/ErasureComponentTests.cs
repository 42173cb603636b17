using Bunit;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Security;

namespace CustomerAdmin.Tests.Features.Privacy.Erasure;

/// <summary>The customer page's privacy actions under bUnit, on a real database.</summary>
public sealed class ErasureComponentTests : AppComponentTest
{
    [Fact]
    public async Task AManagerTypesTheConfirmationErasesAndSeesTheAnonymousRecord()
    {
        SignInAs(AppRoles.Manager);
        var zelphine = await AddCustomerAsync("Zelphine", "Quarrington", "+1 212 555 0187", "zelphine.q@example.org", "Boston");
        var cut = RenderPage<CustomerDetail>(zelphine.Id);
        cut.WaitForAssertion(() => cut.Find("[data-testid=erase-personal-data]"));
        Assert.Equal($"/customers/{zelphine.Id}/personal-data.zip", cut.Find("[data-testid=export-personal-data]").GetAttribute("href"));

        cut.Find("[data-testid=erase-personal-data]").Click();
        cut.WaitForAssertion(() => cut.Find("form#erasure-form"));
        cut.Find("#erasure-reason").Input("Request by email of 3 December");
        cut.Find("#erasure-confirmation").Input("erase");
        cut.Find("form#erasure-form").Submit();
        cut.WaitForAssertion(() => Assert.Contains("Type ERASE in capitals to confirm.", cut.Find("[data-testid=erasure-dialog]").TextContent));
        Assert.Contains("Zelphine", cut.Find("[data-testid=customer-name]").TextContent);

        cut.Find("#erasure-confirmation").Input("ERASE");
        cut.Find("form#erasure-form").Submit();

        cut.WaitForAssertion(() => Assert.Equal($"Erased customer #{zelphine.Id}", cut.Find("[data-testid=customer-name]").TextContent.Trim()));
        cut.WaitForAssertion(() => Assert.Contains("Request by email of 3 December", cut.Find("[data-testid=erased-banner]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=erasure-dialog]"));
        // The record as the page shows it now: the anonymous name, no phone of theirs, no email.
        cut.WaitForAssertion(() => Assert.DoesNotContain("555", cut.Find("[data-testid=primary-phone]").TextContent));
        Assert.DoesNotContain("zelphine.q@example.org", cut.Markup);
    }

    [Fact]
    public async Task AnOpenTicketIsShownAndNothingIsErased()
    {
        SignInAs(AppRoles.Manager);
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var ticket = await Data.TicketAsync(ann.Id);
        var cut = RenderPage<CustomerDetail>(ann.Id);
        cut.WaitForAssertion(() => cut.Find("[data-testid=erase-personal-data]").Click());
        cut.WaitForAssertion(() => cut.Find("form#erasure-form"));
        cut.Find("#erasure-reason").Input("Customer's request");
        cut.Find("#erasure-confirmation").Input("ERASE");
        cut.Find("form#erasure-form").Submit();

        cut.WaitForAssertion(() => Assert.Contains(ticket.Number, cut.Find("[data-testid=erasure-error]").TextContent));
        Assert.Equal("Ann Lee", cut.Find("[data-testid=customer-name]").TextContent.Trim());
    }

    [Fact]
    public async Task StaffSeeNeitherTheExportNorTheErasure()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "+1 212 555 0100");
        var cut = RenderPage<CustomerDetail>(ann.Id);
        cut.WaitForAssertion(() => Assert.Equal("Ann Lee", cut.Find("[data-testid=customer-name]").TextContent.Trim()));
        Assert.Empty(cut.FindAll("[data-testid=export-personal-data]"));
        Assert.Empty(cut.FindAll("[data-testid=erase-personal-data]"));
    }
}
