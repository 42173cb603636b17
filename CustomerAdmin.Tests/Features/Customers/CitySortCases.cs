using CustomerAdmin.Data;

namespace CustomerAdmin.Tests.Features.Customers;

/// <summary>
/// Customers whose cities differ only in case, accents and spaces, in two scripts, or are missing, and the one order
/// the list and the API give them on both databases: by city ignoring case and accents, customers without a city
/// last (first when descending), then by name, then by id.
/// </summary>
public static class CitySortCases
{
    // First name (unique: what the assertions read), last name, city.
    private static readonly (string First, string Last, string? City)[] People =
    [
        ("Ann", "Zeta", "berlin"), ("Bob", "Alpha", "Berlin"), ("Cid", "Mid", "BERLIN"), ("Dan", "Beta", "Amsterdam"),
        ("Eve", "Gamma", "Ámsterdam"), ("Fay", "Delta", null), ("Gus", "Alpha", ""), ("Hal", "Omega", "Zürich"),
        ("Ivy", "Kappa", "zurich"), ("Jon", "Epsilon", "Москва"), ("Kim", "Eta", "athens"), ("Lea", "Alpha", "  "),
    ];

    public static readonly string[] Ascending = ["Dan", "Eve", "Kim", "Bob", "Cid", "Ann", "Ivy", "Hal", "Jon", "Gus", "Lea", "Fay"];

    /// <summary>Cities reversed, names within a city still A to Z.</summary>
    public static readonly string[] Descending = ["Gus", "Lea", "Fay", "Jon", "Ivy", "Hal", "Bob", "Cid", "Ann", "Kim", "Dan", "Eve"];

    public static async Task AddAsync(TestData data)
    {
        for (var i = 0; i < People.Length; i++)
        {
            var (first, last, city) = People[i];
            // Added out of order, so the ids do not happen to give the expected order.
            await data.CustomerAsync(first, last, $"+1617555{(People.Length - i):D4}", c => (c.City, c.Country) = (city, null));
        }
    }
}
