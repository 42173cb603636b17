using Microsoft.AspNetCore.DataProtection;

namespace CustomerAdmin.Features.Webhooks;

/// <summary>
/// Endpoint secrets at rest: protected with the app's Data Protection keys (kept in the database, shared by every
/// instance), because signing needs the plain secret back.
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("CustomerAdmin.Webhooks.Secret.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
