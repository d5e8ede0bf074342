using Etcdserverpb;
using Grpc.Core;

namespace VectorAspire.Core.Meta;

public sealed partial class EtcdMetaStore
{
    /// <summary>
    /// Grants a lease of <paramref name="ttl"/> rounded up to whole seconds. etcd raises TTLs below its minimum
    /// (1.5 × election timeout, 2 s with default settings) to that minimum.
    /// </summary>
    public async ValueTask<long> GrantLeaseAsync(TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);
        var request = new LeaseGrantRequest { TTL = (long)Math.Ceiling(ttl.TotalSeconds) };
        LeaseGrantResponse response = await Call(o => _lease.LeaseGrantAsync(request, o), cancellationToken).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(response.Error))
        {
            throw new InvalidOperationException($"etcd could not grant a lease: {response.Error}");
        }

        return response.ID;
    }

    /// <summary>
    /// One keep-alive round trip on its own stream: etcd answers TTL 0 for a lease that has expired or been revoked.
    /// A caller that holds a lease renews it every TTL/3 or so.
    /// </summary>
    public async ValueTask<bool> KeepAliveAsync(long leaseId, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
        linked.CancelAfter(_options.RequestTimeout);
        try
        {
            using AsyncDuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse> call =
                _lease.LeaseKeepAlive(cancellationToken: linked.Token);
            await call.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = leaseId }, linked.Token).ConfigureAwait(false);
            if (!await call.ResponseStream.MoveNext(linked.Token).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"etcd closed the keep-alive stream of lease {leaseId} without an answer");
            }

            bool alive = call.ResponseStream.Current.TTL > 0;
            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            return alive;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
        catch (Exception e) when (e is (RpcException or OperationCanceledException) && linked.IsCancellationRequested
            && !cancellationToken.IsCancellationRequested && !_disposed.IsCancellationRequested)
        {
            throw new TimeoutException($"etcd did not answer the keep-alive of lease {leaseId} within {_options.RequestTimeout}", e);
        }
    }

    /// <summary>Revokes the lease (etcd deletes its keys in the same revision); an unknown lease is not an error.</summary>
    public async ValueTask RevokeLeaseAsync(long leaseId, CancellationToken cancellationToken)
    {
        try
        {
            var request = new LeaseRevokeRequest { ID = leaseId };
            await Call(o => _lease.LeaseRevokeAsync(request, o), cancellationToken, leaseId).ConfigureAwait(false);
        }
        catch (LeaseNotFoundException)
        {
        }
    }
}
