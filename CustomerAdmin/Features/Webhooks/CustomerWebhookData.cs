using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Api;

namespace CustomerAdmin.Features.Webhooks;

/// <summary>The <c>data</c> of the customer events: the id and the customer as the REST API returns it (nothing more).</summary>
public static class CustomerWebhookData
{
    public static object Of(Customer customer) => new { id = customer.Id, customer = CustomerResponse.From(customer) };
}
