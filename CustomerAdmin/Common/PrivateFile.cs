namespace CustomerAdmin.Common;

/// <summary>Files the app writes with customer data in them (uploads waiting for import, documents).</summary>
public static class PrivateFile
{
    /// <summary>
    /// Creates <paramref name="path"/> (it must not exist) for asynchronous writing, readable and writable by the app's
    /// own user only on Unix (mode 0600): the temp folder is shared by every user of the machine, and the process
    /// umask usually leaves new files readable by all of them.
    /// </summary>
    public static FileStream Create(string path, int bufferSize = 4096)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = bufferSize,
            Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return new FileStream(path, options);
    }
}
