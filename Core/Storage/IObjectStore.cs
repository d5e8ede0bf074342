namespace VectorAspire.Core.Storage;

/// <summary>
/// Flat key → bytes store (a local directory, or an S3 bucket in the cluster). Keys are '/'-separated relative paths.
/// Writes are atomic: a reader sees the whole old object or the whole new one, never a partial write.
/// </summary>
public interface IObjectStore
{
    ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>The whole object, or null when the key does not exist.</summary>
    ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Bytes [offset, offset+length) of an object. Throws <see cref="ObjectNotFoundException"/> if missing.</summary>
    ValueTask<byte[]> GetRangeAsync(string key, long offset, int length, CancellationToken cancellationToken);

    /// <summary>Size of the object, or null when it does not exist.</summary>
    ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken);

    /// <summary>Keys starting with <paramref name="prefix"/>, in ordinal order.</summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Deletes the object; deleting a missing key is not an error.</summary>
    ValueTask DeleteAsync(string key, CancellationToken cancellationToken);
}

public readonly record struct ObjectInfo(string Key, long Size);

public sealed class ObjectNotFoundException(string key) : Exception($"object '{key}' does not exist")
{
    public string Key { get; } = key;
}
