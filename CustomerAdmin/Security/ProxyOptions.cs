using System.ComponentModel.DataAnnotations;
using System.Net;

namespace CustomerAdmin.Security;

/// <summary>
/// The <c>ForwardedHeaders</c> section: which proxies may tell the app the client's address and scheme
/// (X-Forwarded-For, X-Forwarded-Proto). Unset, only a proxy on the same machine (loopback) is believed; set, the
/// listed proxies and networks replace that default.
/// </summary>
public sealed class ProxyOptions : IValidatableObject
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Addresses of trusted proxies, e.g. <c>10.0.0.5</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Trusted networks in CIDR notation, e.g. <c>10.0.0.0/24</c>.</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in a row are read from the headers, from the nearest.</summary>
    [Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
            yield return new ValidationResult($"ForwardedHeaders:KnownProxies: '{proxy}' is not an IP address.", [nameof(KnownProxies)]);
        foreach (var network in KnownNetworks.Where(n => !IPNetwork.TryParse(n, out _)))
            yield return new ValidationResult(
                $"ForwardedHeaders:KnownNetworks: '{network}' is not a network in CIDR notation (like 10.0.0.0/24).", [nameof(KnownNetworks)]);
    }
}
