namespace VectorAspire.Core.Meta;

/// <summary>
/// Key-value metadata store with etcd's model: a global revision that increases on every change, per-key create/mod
/// revisions and versions, compare-and-swap transactions, prefix scans, watches from a revision, and leases.
/// The embedded provider uses SQLite; the cluster provider uses etcd.
/// </summary>
public interface IMetaStore : IAsyncDisposable
{
    ValueTask<KeyValue?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>All keys starting with <paramref name="prefix"/>, in ordinal key order.</summary>
    ValueTask<IReadOnlyList<KeyValue>> ScanPrefixAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Writes a key; returns the new store revision. A non-zero lease ties the key's life to the lease.</summary>
    ValueTask<long> PutAsync(string key, ReadOnlyMemory<byte> value, long leaseId, CancellationToken cancellationToken);

    /// <summary>Deletes a key; returns false when it did not exist.</summary>
    ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken);

    /// <summary>Deletes every key with the prefix; returns how many were deleted.</summary>
    ValueTask<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Atomically: if every compare holds, apply <paramref name="onSuccess"/>, else <paramref name="onFailure"/>.</summary>
    ValueTask<TxnResult> TxnAsync(IReadOnlyList<TxnCompare> compares, IReadOnlyList<TxnOp> onSuccess,
        IReadOnlyList<TxnOp> onFailure, CancellationToken cancellationToken);

    /// <summary>
    /// Changes to keys with the prefix with revision ≥ <paramref name="fromRevision"/> (0 = only future changes),
    /// in revision order, until cancelled.
    /// </summary>
    IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, CancellationToken cancellationToken);

    ValueTask<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken);

    /// <summary>Renews a lease; false when it has already expired or been revoked.</summary>
    ValueTask<bool> KeepAliveAsync(long leaseId, CancellationToken cancellationToken);

    /// <summary>Revokes a lease and deletes its keys.</summary>
    ValueTask RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken);

    /// <summary>The store's current revision.</summary>
    ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken);
}

public sealed record KeyValue(string Key, byte[] Value, long CreateRevision, long ModRevision, long Version, long LeaseId);

public enum CompareTarget
{
    /// <summary>Compare the key's Version (0 = key absent).</summary>
    Version,
    /// <summary>Compare the key's ModRevision (0 = key absent).</summary>
    ModRevision,
    /// <summary>Compare the key's value bytes (an absent key never matches).</summary>
    Value,
}

public enum CompareOp
{
    Equal,
    NotEqual,
    Less,
    Greater,
}

public sealed record TxnCompare(string Key, CompareTarget Target, CompareOp Op, long Number = 0, byte[]? Value = null)
{
    public static TxnCompare KeyAbsent(string key) => new(key, CompareTarget.Version, CompareOp.Equal, 0);

    public static TxnCompare ModRevisionIs(string key, long revision) => new(key, CompareTarget.ModRevision, CompareOp.Equal, revision);
}

public sealed record TxnOp(TxnOpKind Kind, string Key, byte[]? Value = null, long LeaseId = 0)
{
    public static TxnOp Put(string key, byte[] value, long leaseId = 0) => new(TxnOpKind.Put, key, value, leaseId);

    public static TxnOp Delete(string key) => new(TxnOpKind.Delete, key);

    public static TxnOp DeletePrefix(string prefix) => new(TxnOpKind.DeletePrefix, prefix);
}

public enum TxnOpKind
{
    Put,
    Delete,
    DeletePrefix,
}

public sealed record TxnResult(bool Succeeded, long Revision);

public enum WatchEventKind
{
    Put,
    Delete,
}

/// <summary>A change. For deletes <see cref="Value"/> is empty.</summary>
public sealed record WatchEvent(WatchEventKind Kind, string Key, byte[] Value, long Revision);
