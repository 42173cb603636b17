using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;

namespace CustomerAdmin.Security;

/// <summary>
/// The <c>DataProtection</c> section: a certificate that encrypts the data-protection keys stored in the database.
/// Those keys sign and encrypt the sign-in and antiforgery cookies, so whoever reads them from a backup or a copied
/// database can forge a sign-in; encrypted, the database alone is not enough.
/// </summary>
public sealed class KeyProtectionOptions : IValidatableObject
{
    public const string Section = "DataProtection";

    /// <summary>A PFX (PKCS #12) file with the certificate and its private key; relative to the app's folder.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PFX file's password; keep it out of git (environment variable or user secrets).</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>
    /// Certificates replaced by <see cref="CertificatePath"/>, still needed to read the keys they encrypted until those
    /// expire; each PFX is opened with <see cref="CertificatePassword"/>.
    /// </summary>
    public string[] PreviousCertificatePaths { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrEmpty(CertificatePath) && (!string.IsNullOrEmpty(CertificatePassword) || PreviousCertificatePaths.Length > 0))
            yield return new ValidationResult(
                "DataProtection:CertificatePassword or PreviousCertificatePaths is set but DataProtection:CertificatePath is not.",
                [nameof(CertificatePath)]);
    }
}

public static class KeyProtection
{
    /// <summary>
    /// Encrypts new keys with the configured certificate (and decrypts with it). Read while the services are
    /// registered, because data protection takes the certificate itself; an unreadable file stops the start with a
    /// message naming the setting.
    /// </summary>
    public static void ProtectKeys(this IDataProtectionBuilder dataProtection, IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(KeyProtectionOptions.Section).Get<KeyProtectionOptions>();
        if (options?.CertificatePath is not { Length: > 0 } path) return;
        var current = Load(builder, "DataProtection:CertificatePath", path, options.CertificatePassword);
        var previous = options.PreviousCertificatePaths
            .Select((p, i) => Load(builder, $"DataProtection:PreviousCertificatePaths:{i}", p, options.CertificatePassword));
        dataProtection.ProtectKeysWithCertificate(current);
        // Decryption looks a key's certificate up by thumbprint among these, so a renewed certificate can still read
        // the keys its predecessor encrypted.
        dataProtection.UnprotectKeysWithAnyCertificate([current, .. previous]);
    }

    private static X509Certificate2 Load(IHostApplicationBuilder builder, string setting, string path, string? password)
    {
        var fullPath = Path.GetFullPath(path, builder.Environment.ContentRootPath);
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(fullPath, password);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"{setting}: cannot read the certificate {fullPath} ({e.Message}). Check the path and DataProtection:CertificatePassword.", e);
        }
        if (!certificate.HasPrivateKey)
            throw new InvalidOperationException($"{setting}: {fullPath} has no private key, so the keys could not be decrypted.");
        return certificate;
    }

    /// <summary>Says at start-up, in Production, that the keys in the database are stored in the clear.</summary>
    internal sealed class UnprotectedKeysWarning(IHostEnvironment environment, Microsoft.Extensions.Options.IOptions<KeyProtectionOptions> options,
        ILogger<UnprotectedKeysWarning> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (environment.IsProduction() && string.IsNullOrEmpty(options.Value.CertificatePath))
                logger.LogWarning("Data-protection keys are stored unencrypted in the database: anyone who can read the database " +
                    "can forge sign-in cookies. Set DataProtection:CertificatePath (and DataProtection:CertificatePassword) to encrypt them");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
