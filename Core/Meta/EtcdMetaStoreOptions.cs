namespace VectorAspire.Core.Meta;

/// <summary>Settings of <see cref="EtcdMetaStore"/>; bound from <c>VectorAspire:MetaStore:Etcd</c>.</summary>
public sealed class EtcdMetaStoreOptions
{
    /// <summary>Client URLs of the etcd members, e.g. <c>http://127.0.0.1:2379</c>.</summary>
    public IList<string> Endpoints { get; set; } = [];

    /// <summary>
    /// Namespace prepended to every key, so several clusters (or tests) can share one etcd. Callers never see it:
    /// keys, scans and watches are relative to it. Revisions stay etcd's global ones.
    /// </summary>
    public string Prefix { get; set; } = "vectoraspire/";

    /// <summary>How long a connection attempt to a member may take.</summary>
    public TimeSpan DialTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Deadline of each unary call (get, put, txn, lease calls).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Most compares, success ops or failure ops one transaction may hold; must not exceed the server's --max-txn-ops
    /// (128 by default). Larger transactions are refused before they are sent.
    /// </summary>
    public int MaxTxnOps { get; set; } = MetaStoreLimits.MaxTxnOps;

    /// <summary>Keys fetched per range request when scanning a prefix.</summary>
    public int ScanPageSize { get; set; } = 1000;

    /// <summary>Longest pause between attempts to re-establish a broken watch stream.</summary>
    public TimeSpan WatchReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(2);
}
