using CustomerAdmin.Data;
using CustomerAdmin.Features.Customers.Api;
using CustomerAdmin.Features.Events;

namespace CustomerAdmin.Features.Webhooks;

/// <summary>
/// The <c>data</c> of each event: the record's id and the record as the REST API returns it, nothing more (a receiver
/// gets no personal data the API would not give it).
/// </summary>
public static class WebhookData
{
    public static object Customer(Customer customer) => new { id = customer.Id, customer = CustomerResponse.From(customer) };

    /// <summary>A booking with its customer and event loaded (or given).</summary>
    public static object Booking(Booking booking, Customer customer, Event ev) => new
    {
        id = booking.Id,
        booking = new BookingRow(booking.Id, booking.Version, customer.Id, customer.FullName, ev.Id, ev.Name, ev.StartsAt, ev.Status,
            booking.Seats, booking.Notes),
    };
}
