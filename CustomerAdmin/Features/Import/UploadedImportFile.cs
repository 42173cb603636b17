namespace CustomerAdmin.Features.Import;

/// <summary>A file the user uploaded for an import, waiting in a private temporary file.</summary>
public sealed record UploadedImportFile(string Path, string Name, long Size)
{
    /// <summary>Deletes the temporary file, if it is still there.</summary>
    public static void Delete(string? path)
    {
        if (path is null) return;
        try { File.Delete(path); } catch (IOException) { }
    }
}
