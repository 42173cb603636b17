namespace CustomerAdmin.Data;

/// <summary>What a <see cref="DashboardTotal"/> row counts; kept by the dashboard summary keeper (Features/Dashboard).</summary>
public enum DashboardSeries
{
    /// <summary>The one row saying which time zone and scheme the other rows were counted in (zone id in Text, scheme in Other).</summary>
    Meta = 0,
    /// <summary>Live customers created on Day, per type (Other).</summary>
    Customers = 1,
    /// <summary>Live customers with a city (Text) and Other tickets; Day is 0.</summary>
    CityCustomers = 2,
    /// <summary>Tickets closed on Day (every customer's, as the ticket list counts).</summary>
    ClosedTickets = 3,
    /// <summary>Milliseconds from opened to closed of those tickets.</summary>
    TurnaroundMs = 4,
    /// <summary>Cents of closed-ticket amounts and sales on Day, of live customers.</summary>
    Revenue = 5,
    /// <summary>Tickets in an active status (Other); Day is 0.</summary>
    OpenTickets = 6,
    /// <summary>Live customers whose purchase day is Day and whose previous purchase day is Other (-1: none before).</summary>
    PurchaseDays = 7,
    /// <summary>The same, Day being the first day of the purchase day's month.</summary>
    PurchaseMonths = 8,
    /// <summary>As <see cref="PurchaseDays"/> for activity: a ticket opened or a sale.</summary>
    ActivityDays = 9,
    ActivityMonths = 10,
    /// <summary>Live customers with a city (Text); Day and Other are 0. The city table without a ticket filter.</summary>
    CityTotals = 11,
}
