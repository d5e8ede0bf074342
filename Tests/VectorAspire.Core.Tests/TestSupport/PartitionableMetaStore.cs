using System.Runtime.CompilerServices;
using VectorAspire.Core.Meta;

namespace VectorAspire.Core.Tests.TestSupport;

/// <summary>
/// Forwards to a shared meta store until <see cref="Cut"/>: from then on every call fails as if the network to the
/// store were gone, which is how a crashed or partitioned node looks to the rest of the cluster (its leases lapse).
/// Disposing does not dispose the shared store.
/// </summary>
public sealed class PartitionableMetaStore(IMetaStore inner) : IMetaStore
{
    private volatile bool _cut;

    public void Cut() => _cut = true;

    private IMetaStore Inner => _cut ? throw new IOException("partitioned from the meta store (test)") : inner;

    public ValueTask<KeyValue?> GetAsync(string key, CancellationToken cancellationToken) => Inner.GetAsync(key, cancellationToken);

    public ValueTask<IReadOnlyList<KeyValue>> ScanPrefixAsync(string prefix, CancellationToken cancellationToken) => Inner.ScanPrefixAsync(prefix, cancellationToken);

    public ValueTask<long> PutAsync(string key, ReadOnlyMemory<byte> value, long leaseId, CancellationToken cancellationToken) => Inner.PutAsync(key, value, leaseId, cancellationToken);

    public ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken) => Inner.DeleteAsync(key, cancellationToken);

    public ValueTask<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken) => Inner.DeletePrefixAsync(prefix, cancellationToken);

    public ValueTask<TxnResult> TxnAsync(IReadOnlyList<TxnCompare> compares, IReadOnlyList<TxnOp> onSuccess, IReadOnlyList<TxnOp> onFailure, CancellationToken cancellationToken) =>
        Inner.TxnAsync(compares, onSuccess, onFailure, cancellationToken);

    public async IAsyncEnumerable<WatchEvent> WatchAsync(string prefix, long fromRevision, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (WatchEvent e in Inner.WatchAsync(prefix, fromRevision, cancellationToken))
        {
            _ = Inner;
            yield return e;
        }
    }

    public ValueTask<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken) => Inner.GrantLeaseAsync(ttl, cancellationToken);

    public ValueTask<bool> KeepAliveAsync(long leaseId, CancellationToken cancellationToken) => Inner.KeepAliveAsync(leaseId, cancellationToken);

    public ValueTask RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken) => Inner.RevokeLeaseAsync(leaseId, cancellationToken);

    public ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken) => Inner.GetRevisionAsync(cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
