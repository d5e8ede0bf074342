using System.Runtime.CompilerServices;

namespace VectorAspire.Core.Storage;

/// <summary>
/// <see cref="IObjectStore"/> over a local directory: key "a/b/c" is the file "{root}/a/b/c".
/// A put writes "{name}.{random}.va-tmp" beside the target, fsyncs it, renames it over the target and fsyncs the
/// directory, so readers see the old or the new object and an acknowledged put survives a crash. Keys whose last
/// segment ends with ".va-tmp" are refused, so a temp file can never be mistaken for an object.
/// Empty directories left by deletes are kept (removing them would race with concurrent puts); listing ignores them.
/// Unlike S3, a key cannot also be a directory of other keys ("a" and "a/b" cannot both exist); our layouts never do that.
/// </summary>
public sealed class LocalObjectStore : IObjectStore
{
    internal const string TempSuffix = ".va-tmp";

    private readonly string _root;

    public LocalObjectStore(string rootDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootDirectory);
        _root = Path.GetFullPath(rootDirectory);
        DirectoryDurability.CreateDirectory(_root);
    }

    public string RootDirectory => _root;

    public async ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        string path = PathOf(key);
        string directory = Path.GetDirectoryName(path)!;
        DirectoryDurability.CreateDirectory(directory);
        string temp = $"{path}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0,
                FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                if (data.Length > 0)
                {
                    stream.SetLength(data.Length); // lets the file system allocate once
                    await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true); // rename(2): atomic replace
        }
        catch
        {
            File.Delete(temp);
            throw;
        }

        DirectoryDurability.Flush(directory);
    }

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        string path = PathOf(key);
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async ValueTask<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        string path = PathOf(key);
        Microsoft.Win32.SafeHandles.SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
                FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(key);
        }

        using (handle)
        {
            long size = RandomAccess.GetLength(handle);
            if (offset + length > size)
            {
                throw new ArgumentOutOfRangeException(nameof(length),
                    $"range [{offset}, {offset + length}) passes the end of object '{key}' ({size} bytes)");
            }

            byte[] result = GC.AllocateUninitializedArray<byte>(length);
            int read = 0;
            while (read < length)
            {
                int n = await RandomAccess.ReadAsync(handle, result.AsMemory(read), offset + read, cancellationToken)
                    .ConfigureAwait(false);
                if (n == 0)
                {
                    throw new IOException($"object '{key}' shrank while being read");
                }

                read += n;
            }

            return result;
        }
    }

    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken)
    {
        var info = new FileInfo(PathOf(key));
        return ValueTask.FromResult<long?>(info.Exists ? info.Length : null);
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ValidatePrefix(prefix);
        await Task.Yield(); // the directory walk below is synchronous I/O: keep it off the caller's thread
        int slash = prefix.LastIndexOf('/');
        string start = slash < 0 ? _root : Path.Combine(_root, prefix[..slash]);
        if (!Directory.Exists(start))
        {
            yield break;
        }

        var found = new List<ObjectInfo>();
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false };
        foreach (string file in Directory.EnumerateFiles(start, "*", options))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (file.EndsWith(TempSuffix, StringComparison.Ordinal))
            {
                continue;
            }

            string key = Path.GetRelativePath(_root, file);
            if (Path.DirectorySeparatorChar != '/')
            {
                key = key.Replace(Path.DirectorySeparatorChar, '/');
            }

            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            long size;
            try
            {
                size = new FileInfo(file).Length;
            }
            catch (FileNotFoundException)
            {
                continue; // deleted while listing
            }

            found.Add(new ObjectInfo(key, size));
        }

        found.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (ObjectInfo info in found)
        {
            yield return info;
        }
    }

    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken)
    {
        string path = PathOf(key);
        try
        {
            if (!File.Exists(path))
            {
                return ValueTask.CompletedTask;
            }

            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            return ValueTask.CompletedTask;
        }

        DirectoryDurability.Flush(Path.GetDirectoryName(path)!);
        return ValueTask.CompletedTask;
    }

    private string PathOf(string key)
    {
        ValidateKey(key);
        return Path.Combine(_root, key);
    }

    /// <summary>
    /// A key is a relative '/'-separated path: not empty, no leading or trailing '/', no empty, "." or ".." segment,
    /// no backslash, no NUL, not rooted, and not ending with the temp-file suffix.
    /// </summary>
    internal static void ValidateKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
        {
            throw new ArgumentException("object key is empty", nameof(key));
        }

        ValidatePath(key, nameof(key));
        if (key.EndsWith('/'))
        {
            throw new ArgumentException($"object key '{key}' ends with '/'", nameof(key));
        }

        if (key.EndsWith(TempSuffix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"object key '{key}' ends with the reserved suffix '{TempSuffix}'", nameof(key));
        }
    }

    /// <summary>A prefix follows the key rules, except that it may be empty or end with '/' (or a partial segment).</summary>
    internal static void ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > 0)
        {
            ValidatePath(prefix.EndsWith('/') ? prefix[..^1] : prefix, nameof(prefix));
        }
    }

    private static void ValidatePath(string value, string parameter)
    {
        if (value.Contains('\\') || value.Contains('\0'))
        {
            throw new ArgumentException($"'{value}' contains a backslash or NUL; keys use '/' separators", parameter);
        }

        if (value.StartsWith('/') || Path.IsPathRooted(value))
        {
            throw new ArgumentException($"'{value}' is absolute; keys are relative to the store root", parameter);
        }

        foreach (Range range in value.AsSpan().Split('/'))
        {
            ReadOnlySpan<char> segment = value.AsSpan(range);
            if (segment.Length == 0 || segment is "." || segment is "..")
            {
                throw new ArgumentException($"'{value}' has an empty, '.' or '..' segment", parameter);
            }
        }
    }
}
