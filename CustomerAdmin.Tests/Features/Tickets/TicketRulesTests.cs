using CustomerAdmin.Common;
using CustomerAdmin.Features.Customers;
using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Features.Tickets;
using CustomerAdmin.Data;

namespace CustomerAdmin.Tests.Features.Tickets;

public class TicketRulesTests
{
    [Theory]
    [InlineData(TicketStatus.Open, TicketStatus.InProgress)]
    [InlineData(TicketStatus.InProgress, TicketStatus.WaitingForParts)]
    [InlineData(TicketStatus.WaitingForParts, TicketStatus.InProgress)]
    [InlineData(TicketStatus.Ready, TicketStatus.Closed)]
    [InlineData(TicketStatus.Open, TicketStatus.Closed)]
    [InlineData(TicketStatus.InProgress, TicketStatus.Cancelled)]
    [InlineData(TicketStatus.Ready, TicketStatus.InProgress)]
    public void ActiveTicketMayMove(TicketStatus from, TicketStatus to)
    {
        Assert.True(TicketWorkflow.CanMove(from, to));
        Assert.Null(TicketWorkflow.Check(from, to));
        Assert.Contains(to, TicketWorkflow.NextStatuses(from));
    }

    [Theory]
    [InlineData(TicketStatus.Closed, TicketStatus.Open)]
    [InlineData(TicketStatus.Closed, TicketStatus.InProgress)]
    [InlineData(TicketStatus.Closed, TicketStatus.Cancelled)]
    [InlineData(TicketStatus.Cancelled, TicketStatus.Open)]
    [InlineData(TicketStatus.Cancelled, TicketStatus.Closed)]
    [InlineData(TicketStatus.Open, TicketStatus.Open)]
    public void EndedOrSameStatusMoveIsRefusedWithAReason(TicketStatus from, TicketStatus to)
    {
        Assert.False(TicketWorkflow.CanMove(from, to));
        Assert.NotNull(TicketWorkflow.Check(from, to));
    }

    [Fact]
    public void EndedTicketsOfferNoMovesButReopen()
    {
        Assert.Empty(TicketWorkflow.NextStatuses(TicketStatus.Closed));
        Assert.Empty(TicketWorkflow.NextStatuses(TicketStatus.Cancelled));
        Assert.True(TicketWorkflow.CanReopen(TicketStatus.Closed));
        Assert.True(TicketWorkflow.CanReopen(TicketStatus.Cancelled));
        Assert.False(TicketWorkflow.CanReopen(TicketStatus.Ready));
        Assert.Contains("reopen", TicketWorkflow.Check(TicketStatus.Closed, TicketStatus.Open));
    }

    [Theory]
    [InlineData("0", null)]
    [InlineData("12.34", null)]
    [InlineData("10000000", null)]
    [InlineData("-0.01", "cannot be negative")]
    [InlineData("10000000.01", "cannot be more than")]
    [InlineData("1e12", "cannot be more than")]
    [InlineData("1.005", "two decimals")]
    public void MoneyIsBetweenZeroAndTheMaximumWithTwoDecimals(string amount, string? error)
    {
        var value = decimal.Parse(amount, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);
        var message = Money.Check(value, "amount");
        if (error is null) Assert.Null(message);
        else Assert.Contains(error, message);
    }

    [Fact]
    public void MissingMoneyIsOnlyAnErrorWhenRequired()
    {
        Assert.Null(Money.Check(null, "quoted amount"));
        Assert.Equal("Enter the final amount.", Money.Check(null, "final amount", required: true));
    }

    [Theory]
    [InlineData("T-000123", 123)]
    [InlineData("t123", 123)]
    [InlineData("123", 123)]
    [InlineData(" T-7 ", 7)]
    [InlineData("Ann", null)]
    [InlineData("T-0", null)]
    public void TicketNumberIsReadHoweverTyped(string text, int? expected) =>
        Assert.Equal(expected, TicketListQuery.ParseNumber(text));

    [Theory]
    [InlineData(TicketStatus.Open, true, true)]
    [InlineData(TicketStatus.Ready, true, true)]
    [InlineData(TicketStatus.Closed, false, true)]
    [InlineData(TicketStatus.Cancelled, false, true)]
    public void EndedTicketsKeepTheirQuoteButTheirTextCanBeCorrected(TicketStatus status, bool quoteMayChange, bool textMayChange)
    {
        Assert.Equal(quoteMayChange, TicketWorkflow.CheckEdit(status, quoteChanged: true) is null);
        Assert.Equal(textMayChange, TicketWorkflow.CheckEdit(status, quoteChanged: false) is null);
    }

    [Fact]
    public void TicketNumberIsHuman() => Assert.Equal("T-000042", Ticket.FormatNumber(42));

    [Fact]
    public void DraftWithoutCustomerProblemOrItemIsRefusedPerField()
    {
        var errors = TicketOperations.Validate(new TicketDraft { QuotedAmount = -5 });
        Assert.Contains(nameof(TicketDraft.CustomerId), errors.Keys);
        Assert.Contains(nameof(TicketDraft.Problem), errors.Keys);
        Assert.Contains(nameof(TicketDraft.Item), errors.Keys);
        Assert.Contains("negative", errors[nameof(TicketDraft.QuotedAmount)]);
    }

    [Theory]
    [InlineData("555 0123", null, null, "555 0123")]
    [InlineData("+1 (212) 736-5000", null, null, "+1 (212) 736-5000")]
    [InlineData("ann", "Ann", null, null)]
    [InlineData("ann marie lee", "Ann Marie", "Lee", null)]
    [InlineData("Ann McDonald", "Ann", "McDonald", null)]
    public void TypedTextPrefillsPhoneOrName(string typed, string? first, string? last, string? phone)
    {
        var prefill = CustomerPrefill.From(typed);
        Assert.Equal(first, prefill.FirstName);
        Assert.Equal(last, prefill.LastName);
        Assert.Equal(phone, prefill.Phone);
    }
}
