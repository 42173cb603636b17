using CustomerAdmin.Data;
using CustomerAdmin.Features.Sms.Sending;
using CustomerAdmin.Features.Sms.Templates;
using CustomerAdmin.Features.Sms.Webhooks;

namespace CustomerAdmin.Features.Sms;

/// <summary>
/// A booking with just the customer fields that rendering and the skip rules read, so scans over many bookings
/// project a few columns instead of loading whole customers.
/// </summary>
public sealed record SmsRecipient(int BookingId, int Seats, int CustomerId, CustomerType Type, string? FirstName, string? LastName,
    string? Name, string? DisplayName, string PrimaryPhone, bool SmsCapable, bool SmsOptedIn, DateTime? SmsOptedOutAt,
    CustomerStatus Status, string? PreferredLanguage)
{
    /// <summary>A detached stand-in for the outbox; never attached to a context.</summary>
    public Customer ToCustomer() => new()
    {
        Id = CustomerId, Type = Type, FirstName = FirstName, LastName = LastName, Name = Name, DisplayName = DisplayName,
        PrimaryPhone = PrimaryPhone, PrimaryPhoneSmsCapable = SmsCapable, SmsOptedIn = SmsOptedIn, SmsOptedOutAt = SmsOptedOutAt,
        Status = Status, PreferredLanguage = PreferredLanguage,
    };

    public Booking ToBooking(int eventId) => new() { Id = BookingId, Seats = Seats, EventId = eventId, CustomerId = CustomerId };
}

public static class SmsRecipients
{
    public static IQueryable<SmsRecipient> AsRecipients(this IQueryable<Booking> bookings) =>
        bookings.Select(b => new SmsRecipient(b.Id, b.Seats, b.CustomerId, b.Customer!.Type, b.Customer.FirstName, b.Customer.LastName,
            b.Customer.Name, b.Customer.DisplayName, b.Customer.PrimaryPhone, b.Customer.PrimaryPhoneSmsCapable, b.Customer.SmsOptedIn,
            b.Customer.SmsOptedOutAt, b.Customer.Status, b.Customer.PreferredLanguage));

    /// <summary>Customers as recipients of a message that is about no booking (no booking id, no seats).</summary>
    public static IQueryable<SmsRecipient> AsRecipients(this IQueryable<Customer> customers) =>
        customers.Select(c => new SmsRecipient(0, 0, c.Id, c.Type, c.FirstName, c.LastName, c.Name, c.DisplayName, c.PrimaryPhone,
            c.PrimaryPhoneSmsCapable, c.SmsOptedIn, c.SmsOptedOutAt, c.Status, c.PreferredLanguage));
}
