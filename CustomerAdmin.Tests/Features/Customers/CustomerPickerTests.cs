using Bunit;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Tickets;
using MudBlazor;

namespace CustomerAdmin.Tests.Features.Customers;

public class CustomerPickerTests : AppComponentTest
{
    private IRenderedComponent<Bunit.Rendering.ContainerFragment> RenderPicker() => RenderPage<CustomerPicker>();

    [Fact]
    public async Task EmptyBoxOffersRecentCustomers()
    {
        var ann = await AddCustomerAsync("Ann", "Lee", "212-736-5000");
        await AddCustomerAsync("Bob", "Stone", "212-736-5001");
        // Ann had a ticket most recently, so she comes first even though Bob was created later.
        await TicketOperations.CreateAsync(Db.Inner, new TicketDraft { CustomerId = ann.Id, Item = "Phone", Problem = "Cracked" }, TimeProvider.System, ct: Xunit.TestContext.Current.CancellationToken);

        var cut = RenderPicker();
        cut.Find("input#customer-picker").Focus();

        cut.WaitForAssertion(() =>
        {
            Assert.NotNull(cut.Find("[data-testid=recent-heading]"));
            var names = cut.FindAll("[data-testid=picker-suggestion] b").Select(b => b.TextContent).ToList();
            Assert.Equal(["Ann Lee", "Bob Stone"], names);
        }, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task NoMatchOffersNewCustomerPrefilledWithTheTypedName()
    {
        await AddCustomerAsync("Ann", "Lee", "212-736-5000");

        var cut = RenderPicker();
        cut.Find("input#customer-picker").Input("maria gonzalez");

        cut.WaitForAssertion(() => Assert.Contains("New customer “maria gonzalez”", cut.Find("[data-testid=new-customer-from-search]").TextContent),
            TimeSpan.FromSeconds(10));
        cut.Find("[data-testid=new-customer-from-search]").Click();

        cut.WaitForAssertion(() =>
        {
            Assert.Equal("Maria", cut.Find("input#new-first-name").GetAttribute("value"));
            Assert.Equal("Gonzalez", cut.Find("input#new-last-name").GetAttribute("value"));
            Assert.True(string.IsNullOrEmpty(cut.Find("input#new-phone").GetAttribute("value")));
        });
    }

    [Fact]
    public async Task NoMatchOnAPhonePrefillsThePhoneAndCreatingSelectsTheCustomer()
    {
        await AddCustomerAsync("Ann", "Lee", "212-736-5000");
        CustomerSuggestion? selected = null;
        var cut = Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent<MudDialogProvider>(1);
            b.CloseComponent();
            b.OpenComponent<CustomerPicker>(2);
            b.AddAttribute(3, nameof(CustomerPicker.ValueChanged),
                Microsoft.AspNetCore.Components.EventCallback.Factory.Create<CustomerSuggestion?>(this, s => selected = s));
            b.CloseComponent();
        });

        cut.Find("input#customer-picker").Input("646 555 0199");
        cut.WaitForAssertion(() => cut.Find("[data-testid=new-customer-from-search]").Click(), TimeSpan.FromSeconds(10));
        cut.WaitForAssertion(() => Assert.Equal("646 555 0199", cut.Find("input#new-phone").GetAttribute("value")));

        cut.Find("input#new-first-name").Input("Maria");
        cut.Find("input#new-last-name").Input("Gonzalez");
        // The dialog's button submits its form through the browser's form= attribute, which bUnit does not emulate.
        cut.Find("form#new-customer-form").Submit();

        cut.WaitForAssertion(() =>
        {
            Assert.NotNull(selected);
            Assert.Equal("Maria Gonzalez", selected.Name);
            Assert.Equal("+16465550199", selected.PrimaryPhone);
        });
    }
}
