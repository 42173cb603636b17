using CustomerAdmin.Features.Customers.Search;
using CustomerAdmin.Data;

namespace CustomerAdmin.Tests.Infrastructure;

public sealed partial class TestData
{
    /// <summary>
    /// Hand-built customers, tickets, sales and bookings at exact times, added to one context and written by its one save;
    /// the keepers derive the statistics, the history and the dashboard summary at that save as the app does, so a test
    /// can compute every expected figure by hand. For a few records written by the app's own rules, use TestData's other methods.
    /// </summary>
    public sealed class Batch(AppDbContext db)
    {
        private int _phone;
        private int _sequence;

        public Customer Customer(string first, string last, DateTime createdAt, string? city = "Boston",
            CustomerType type = CustomerType.Individual, CustomerStatus status = CustomerStatus.Active)
        {
            var customer = type == CustomerType.Individual
                ? TestCustomers.Individual(first, last, $"+1212736{++_phone:D4}")
                : TestCustomers.Organisation($"{first} {last}", $"+1212736{++_phone:D4}", type);
            customer.City = city;
            customer.CreatedAt = createdAt;
            customer.Status = status;
            db.Customers.Add(customer);
            return customer;
        }

        public Ticket Ticket(Customer customer, DateTime openedAt, TicketStatus status = TicketStatus.Open, DateTime? closedAt = null, decimal? amount = null)
        {
            var sequence = ++_sequence;
            var ticket = new Ticket
            {
                Customer = customer, Sequence = sequence, Number = CustomerAdmin.Data.Ticket.FormatNumber(sequence), Problem = "Test",
                Status = status, OpenedAt = openedAt, ClosedAt = closedAt, UpdatedAt = openedAt,
                FinalAmount = status == TicketStatus.Closed ? amount ?? 0m : null,
            };
            db.Tickets.Add(ticket);
            return ticket;
        }

        public Sale Sale(Customer customer, DateTime soldAt, decimal total)
        {
            var sale = new Sale { Customer = customer, SoldAt = soldAt, Total = total };
            db.Sales.Add(sale);
            return sale;
        }

        public Event Event(string name, DateTime startsAt, int capacity, EventStatus status = EventStatus.Scheduled)
        {
            var e = new Event { Name = name, StartsAt = startsAt, Capacity = capacity, Status = status, CreatedAt = startsAt.AddDays(-30), UpdatedAt = startsAt.AddDays(-30) };
            db.Events.Add(e);
            return e;
        }

        public Booking Booking(Customer customer, Event e, int seats, DateTime createdAt)
        {
            var booking = new Booking { Customer = customer, Event = e, Seats = seats, CreatedAt = createdAt, UpdatedAt = createdAt };
            db.Bookings.Add(booking);
            return booking;
        }

        public SmsMessage Sms(Customer customer, SmsStatus status, DateTime createdAt, DateTime? sentAt = null)
        {
            var sms = new SmsMessage
            {
                Customer = customer, Kind = SmsKind.Manual, To = customer.PrimaryPhone, Body = "Hi", Status = status,
                CreatedAt = createdAt, NextAttemptAt = createdAt, UpdatedAt = createdAt, SentAt = sentAt,
            };
            db.SmsMessages.Add(sms);
            return sms;
        }
    }
}
