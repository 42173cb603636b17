using Microsoft.EntityFrameworkCore;

namespace CustomerAdmin.Data;

/// <summary>The privacy tables' sets, beside the context's own list (as <see cref="ImportModel"/> does for the imports').</summary>
public static class PrivacyModel
{
    extension(AppDbContext db)
    {
        public DbSet<CustomerErasure> CustomerErasures => db.Set<CustomerErasure>();
    }
}
