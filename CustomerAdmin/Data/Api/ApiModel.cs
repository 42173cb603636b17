using CustomerAdmin.Security;
using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Data;

/// <summary>The REST API's tables: tokens and the answers kept for idempotent creates.</summary>
internal static class ApiModel
{
    internal static void Configure(ModelBuilder b)
    {
        b.Entity<ApiToken>(e =>
        {
            e.HasIndex(t => t.SecretHash).IsUnique();
            e.HasIndex(t => t.UserId);
            e.HasOne<AppUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        });
        b.Entity<ApiIdempotencyKey>(e =>
        {
            e.HasIndex(k => new { k.TokenId, k.Key }).IsUnique();
            e.HasIndex(k => k.CreatedAt);
            e.HasOne<ApiToken>().WithMany().HasForeignKey(k => k.TokenId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
