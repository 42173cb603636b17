namespace CustomerAdmin.Tests.Deployment;

/// <summary>
/// deploy/systemd/customeradmin@.service read as systemd reads the parts that start the app: WorkingDirectory,
/// ExecStart and the Environment lines, with the instance name (%i, the port) filled in and the install folder
/// (/opt/customeradmin) replaced by the test's publish folder. The deployment test starts the app with exactly these.
/// </summary>
public sealed class SystemdUnit
{
    public const string RelativePath = "deploy/systemd/customeradmin@.service";
    public const string InstallFolder = "/opt/customeradmin";

    private readonly Dictionary<string, List<string>> _service = new(StringComparer.Ordinal);

    private SystemdUnit(string text)
    {
        var section = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith(';')) continue;
            if (line.StartsWith('[')) section = line.Trim('[', ']');
            else if (section == "Service" && line.IndexOf('=') is > 0 and var eq)
            {
                var key = line[..eq].Trim();
                if (!_service.TryGetValue(key, out var values)) _service[key] = values = [];
                values.Add(line[(eq + 1)..].Trim());
            }
        }
    }

    public static SystemdUnit Load() => new(File.ReadAllText(SampleFiles.Find(RelativePath)));

    public string Single(string key) =>
        _service.TryGetValue(key, out var values) && values.Count == 1 ? values[0] : throw new InvalidOperationException($"[Service] {key}= is not set once.");

    public IReadOnlyList<string> All(string key) => _service.TryGetValue(key, out var values) ? values : [];

    /// <summary>The command line: the program and its arguments, for the instance on <paramref name="port"/>.</summary>
    public (string Program, string[] Arguments) ExecStart(int port, string installFolder)
    {
        var parts = Expand(Single("ExecStart"), port, installFolder).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (parts[0], parts[1..]);
    }

    public string WorkingDirectory(int port, string installFolder) => Expand(Single("WorkingDirectory"), port, installFolder);

    public Dictionary<string, string> Environment(int port, string installFolder)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var assignment in All("Environment").SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        {
            var eq = assignment.IndexOf('=');
            variables[assignment[..eq].Trim('"')] = Expand(assignment[(eq + 1)..].Trim('"'), port, installFolder);
        }
        return variables;
    }

    private static string Expand(string value, int port, string installFolder) =>
        value.Replace("%i", port.ToString(), StringComparison.Ordinal).Replace(InstallFolder, installFolder, StringComparison.Ordinal);
}
