using Bunit;
using CustomerAdmin.Features.Customers;

namespace CustomerAdmin.Tests.Features.Customers;

/// <summary>"Customer since" on the customer page is the first-seen date (an import's source date), not the day the record was made.</summary>
public sealed class FirstSeenComponentTests : AppComponentTest
{
    [Fact]
    public async Task CustomerSinceShowsTheFirstSeenDate()
    {
        var ann = await Data.CustomerAsync(with: c => c.FirstSeenAt = new DateTime(2019, 3, 4, 15, 0, 0, DateTimeKind.Utc));

        var cut = RenderPage<CustomerDetail>(ann.Id);

        cut.WaitForAssertion(() => Assert.Equal("4 Mar 2019", cut.Find("[data-testid=customer-since]").TextContent.Trim()));
    }
}
