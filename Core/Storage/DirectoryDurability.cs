using System.Runtime.InteropServices;

namespace VectorAspire.Core.Storage;

/// <summary>
/// Makes directory entries (a created, renamed or deleted file) durable by fsyncing the directory itself.
/// .NET cannot do this: <see cref="File.OpenHandle"/> refuses directories (UnauthorizedAccessException), so on
/// Linux/macOS/FreeBSD this calls open(2)/fsync(2)/close(2) directly. On Windows it is a no-op: NTFS journals
/// metadata and a directory handle would need FILE_FLAG_BACKUP_SEMANTICS, which .NET does not expose either.
/// </summary>
internal static partial class DirectoryDurability
{
    private const int ORdOnly = 0;
    private const int OCloExec = 0x80000; // same value on Linux x64 and arm64
    private const int EInval = 22;

    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return;
        }

        int flags = OperatingSystem.IsLinux() ? ORdOnly | OCloExec : ORdOnly;
        int fd = Open(directory, flags);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"cannot open directory '{directory}' to fsync it (errno {errno})");
        }

        try
        {
            // EINVAL: the file system does not support syncing directories (some FUSE/tmpfs variants); nothing to do.
            if (Fsync(fd) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno != EInval)
                {
                    throw new IOException($"fsync of directory '{directory}' failed (errno {errno})");
                }
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Creates <paramref name="directory"/> and any missing ancestors, making each new entry durable.</summary>
    public static void CreateDirectory(string directory)
    {
        string full = Path.GetFullPath(directory);
        if (Directory.Exists(full))
        {
            return;
        }

        string? parent = Path.GetDirectoryName(full);
        if (parent is not null)
        {
            CreateDirectory(parent);
        }

        Directory.CreateDirectory(full);
        if (parent is not null)
        {
            Flush(parent);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
