using CustomerAdmin.Data;
using CustomerAdmin.Startup;

namespace CustomerAdmin.Features.Customers.Documents;

/// <summary>
/// <c>documents move --to database|folder</c>: moves the content of every document stored elsewhere into the database
/// or into <c>Documents:Folder</c>, one document at a time, while the app may keep serving users (see
/// <see cref="DocumentOperations.MoveAsync"/>). Set <c>Documents:Store</c> to the same place so new uploads go there too.
/// Exit code 0 when every document is where it was asked to be, 1 on bad arguments or when some had no content.
/// </summary>
public static class DocumentsCommand
{
    public const string Name = "documents";

    private const string Usage = $"Usage: {Name} move --to database|folder   (plus any --Section:Key=value configuration)";

    public static async Task<int> RunAsync(string[] args)
    {
        DocumentStorage? to = null;
        var configuration = new List<string>();
        if (args is not [Name, "move", ..])
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }
        for (var i = 2; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--to" when i + 1 < args.Length && Enum.TryParse<DocumentStorage>(args[i + 1], ignoreCase: true, out var target)
                    && Enum.IsDefined(target):
                    to = target;
                    i++;
                    break;
                case var a when CommandHost.IsSetting(a): configuration.Add(a); break;
                default:
                    Console.Error.WriteLine($"Unexpected argument {args[i]}. {Usage}");
                    return 1;
            }
        }
        if (to is null)
        {
            Console.Error.WriteLine(Usage);
            return 1;
        }

        await using var host = await CommandHost.StartAsync(configuration, "Cancelling after the current document...");
        var operations = host.Get<DocumentOperations>();
        var progress = new ConsoleProgress<(int Done, int Total)>(p => Console.Error.Write($"\r{p.Done:N0} of {p.Total:N0} documents"));
        var (moved, missing) = await operations.MoveAsync(to.Value, progress, host.Cancelled);
        var where = to == DocumentStorage.Database ? "the database" : operations.Folder;
        Console.Error.WriteLine($"\r{moved:N0} documents moved to {where}.");
        if (missing > 0)
            Console.Error.WriteLine($"{missing:N0} documents had no content where their record said and were left as they are (see the log).");
        return missing > 0 ? 1 : 0;
    }
}
