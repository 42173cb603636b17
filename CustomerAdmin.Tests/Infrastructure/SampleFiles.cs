namespace CustomerAdmin.Tests.Infrastructure;

/// <summary>Files the repository ships for users to try (found from the test binaries up to the checkout).</summary>
public static class SampleFiles
{
    /// <summary>samples/legacy-tickets.csv: the messy legacy ticket export the import's documentation uses.</summary>
    public static string LegacyTickets { get; } = Find(Path.Combine("samples", "legacy-tickets.csv"));

    /// <summary>A file of the repository, by its path from the repository's root.</summary>
    public static string Find(string relative)
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, relative))) return Path.Combine(dir, relative);
        }
        throw new FileNotFoundException($"{relative} was not found above {AppContext.BaseDirectory}.");
    }
}
