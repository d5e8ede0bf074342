using System.Text;
using dotnet_etcd;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace VectorAspire.Core.Meta;

/// <summary>
/// <see cref="IMetaStore"/> over etcd v3 (gRPC, through dotnet-etcd's generated clients). Every key is stored as
/// <see cref="EtcdMetaStoreOptions.Prefix"/> + key (UTF-8); the prefix is invisible to callers. Revisions, versions and
/// leases are etcd's own, so the revision is global to the etcd cluster: other tenants' writes also advance it.
/// Scans read page by page at the revision of the first page, so a scan is one consistent snapshot.
/// Disposing the store ends open watches; leases stay granted (a new store on the same etcd can keep them alive).
/// </summary>
public sealed partial class EtcdMetaStore : IMetaStore
{
    private static readonly UTF8Encoding s_utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly EtcdClient _client;
    private readonly KV.KVClient _kv;
    private readonly Watch.WatchClient _watch;
    private readonly Lease.LeaseClient _lease;
    private readonly EtcdMetaStoreOptions _options;
    private readonly byte[] _namespace;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _disposed = new();
    private long _lastSeenRevision; // the newest revision any answer to this client carried (Interlocked max)

    public EtcdMetaStore(EtcdMetaStoreOptions options, ILogger<EtcdMetaStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoints.Count == 0)
        {
            throw new ArgumentException("EtcdMetaStoreOptions.Endpoints is empty; set VectorAspire:MetaStore:Etcd:Endpoints " +
                "or ConnectionStrings:etcd (e.g. http://127.0.0.1:2379)", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.ScanPageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTxnOps, 1);
        _options = options;
        _namespace = s_utf8.GetBytes(options.Prefix ?? "");
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _client = new EtcdClient(string.Join(',', options.Endpoints.Select(e => e.Trim())), configureChannelOptions: channel =>
        {
            channel.HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = options.DialTimeout,
                EnableMultipleHttp2Connections = true,
                // Detects a dead member behind an idle connection (e.g. a watch that receives nothing) within ~40 s.
                KeepAlivePingDelay = TimeSpan.FromSeconds(30),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            };
            channel.DisposeHttpClient = true;
            channel.MaxReceiveMessageSize = null;
        });
        dotnet_etcd.interfaces.IConnection connection = _client.GetConnection();
        _kv = connection.KVClient;
        _watch = connection.WatchClient;
        _lease = connection.LeaseClient;
    }

    public EtcdMetaStoreOptions Options => _options;

    public async ValueTask<KeyValue?> GetAsync(string key, CancellationToken cancellationToken)
    {
        var request = new RangeRequest { Key = FullKey(key) };
        RangeResponse response = await Call(o => _kv.RangeAsync(request, o), cancellationToken).ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : ToKeyValue(response.Kvs[0]);
    }

    public async ValueTask<IReadOnlyList<KeyValue>> ScanPrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        (ByteString from, ByteString end) = PrefixRange(prefix);
        while (true)
        {
            try
            {
                return await ScanPages(from, end, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException e) when (IsCompactedError(e))
            {
                // The snapshot revision of the first page was compacted while paging: start over at a newer one.
                LogScanRestarted(_logger, prefix);
            }
        }
    }

    private async Task<List<KeyValue>> ScanPages(ByteString from, ByteString end, CancellationToken cancellationToken)
    {
        var found = new List<KeyValue>();
        long snapshot = 0;
        ByteString next = from;
        while (true)
        {
            var request = new RangeRequest { Key = next, RangeEnd = end, Limit = _options.ScanPageSize, Revision = snapshot };
            RangeResponse page = await Call(o => _kv.RangeAsync(request, o), cancellationToken).ConfigureAwait(false);
            snapshot = page.Header.Revision;
            foreach (Mvccpb.KeyValue kv in page.Kvs)
            {
                found.Add(ToKeyValue(kv));
            }

            if (!page.More || page.Kvs.Count == 0)
            {
                return found;
            }

            next = ByteString.CopyFrom([.. page.Kvs[^1].Key.Span, 0]); // the smallest key after the last one
        }
    }

    public async ValueTask<long> PutAsync(string key, ReadOnlyMemory<byte> value, long leaseId, CancellationToken cancellationToken)
    {
        var request = new PutRequest { Key = FullKey(key), Value = ByteString.CopyFrom(value.Span), Lease = leaseId };
        PutResponse response = await Call(o => _kv.PutAsync(request, o), cancellationToken, leaseId).ConfigureAwait(false);
        return response.Header.Revision;
    }

    public async ValueTask<bool> DeleteAsync(string key, CancellationToken cancellationToken)
    {
        var request = new DeleteRangeRequest { Key = FullKey(key) };
        DeleteRangeResponse response = await Call(o => _kv.DeleteRangeAsync(request, o), cancellationToken).ConfigureAwait(false);
        return response.Deleted > 0;
    }

    public async ValueTask<int> DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        (ByteString from, ByteString end) = PrefixRange(prefix);
        var request = new DeleteRangeRequest { Key = from, RangeEnd = end };
        DeleteRangeResponse response = await Call(o => _kv.DeleteRangeAsync(request, o), cancellationToken).ConfigureAwait(false);
        return checked((int)response.Deleted);
    }

    public async ValueTask<long> GetRevisionAsync(CancellationToken cancellationToken)
    {
        // Any range answer carries the current revision in its header; a count-only read of one key costs least.
        var request = new RangeRequest { Key = ByteString.CopyFrom(_namespace.Length == 0 ? [0] : _namespace), CountOnly = true };
        RangeResponse response = await Call(o => _kv.RangeAsync(request, o), cancellationToken).ConfigureAwait(false);
        return response.Header.Revision;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        _client.Dispose();
        _disposed.Dispose();
    }

    internal ByteString FullKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        byte[] bytes = new byte[_namespace.Length + s_utf8.GetByteCount(key)];
        _namespace.CopyTo(bytes, 0);
        s_utf8.GetBytes(key, bytes.AsSpan(_namespace.Length));
        if (bytes.Length == 0)
        {
            throw new ArgumentException("key is empty and the store has no prefix; etcd does not accept an empty key", nameof(key));
        }

        return UnsafeByteOperations.UnsafeWrap(bytes);
    }

    /// <summary>[namespace+prefix, end): end is the prefix with its last byte below 0xFF incremented ("\0" = no end).</summary>
    internal (ByteString From, ByteString End) PrefixRange(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        byte[] from = new byte[_namespace.Length + s_utf8.GetByteCount(prefix)];
        _namespace.CopyTo(from, 0);
        s_utf8.GetBytes(prefix, from.AsSpan(_namespace.Length));
        if (from.Length == 0)
        {
            return (ByteString.CopyFrom(0), ByteString.CopyFrom(0)); // key "\0" + range_end "\0": every key
        }

        int last = from.Length - 1;
        while (last >= 0 && from[last] == 0xFF)
        {
            last--;
        }

        if (last < 0)
        {
            return (UnsafeByteOperations.UnsafeWrap(from), ByteString.CopyFrom(0));
        }

        byte[] end = from.AsSpan(0, last + 1).ToArray();
        end[last]++;
        return (UnsafeByteOperations.UnsafeWrap(from), UnsafeByteOperations.UnsafeWrap(end));
    }

    private string RelativeKey(ByteString key) => s_utf8.GetString(key.Span[_namespace.Length..]);

    private KeyValue ToKeyValue(Mvccpb.KeyValue kv) =>
        new(RelativeKey(kv.Key), kv.Value.ToByteArray(), kv.CreateRevision, kv.ModRevision, kv.Version, kv.Lease);

    private CallOptions CallOptionsFor(CancellationToken cancellationToken) =>
        new(deadline: DateTime.UtcNow + _options.RequestTimeout, cancellationToken: cancellationToken);

    /// <summary>Runs one unary call with the store's deadline and maps etcd's errors to the store's exceptions.</summary>
    private async Task<TResponse> Call<TResponse>(Func<CallOptions, AsyncUnaryCall<TResponse>> call,
        CancellationToken cancellationToken, long leaseId = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        try
        {
            using AsyncUnaryCall<TResponse> pending = call(CallOptionsFor(cancellationToken));
            TResponse response = await pending.ResponseAsync.ConfigureAwait(false);
            ObserveRevision(response switch
            {
                RangeResponse r => r.Header,
                PutResponse r => r.Header,
                DeleteRangeResponse r => r.Header,
                TxnResponse r => r.Header,
                _ => null,
            });
            return response;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound && e.Status.Detail.Contains("lease not found", StringComparison.Ordinal))
        {
            throw new LeaseNotFoundException(leaseId);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.InvalidArgument)
        {
            throw new ArgumentException($"etcd refused the request: {e.Status.Detail}", e);
        }
    }

    private void ObserveRevision(ResponseHeader? header)
    {
        long revision = header?.Revision ?? 0;
        long seen = Volatile.Read(ref _lastSeenRevision);
        while (revision > seen)
        {
            long previous = Interlocked.CompareExchange(ref _lastSeenRevision, revision, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    private static bool IsCompactedError(RpcException e) =>
        e.StatusCode == StatusCode.OutOfRange && e.Status.Detail.Contains("compacted", StringComparison.Ordinal);

    [LoggerMessage(Level = LogLevel.Information, Message = "etcd scan of '{Prefix}' restarted: its snapshot revision was compacted")]
    private static partial void LogScanRestarted(ILogger logger, string prefix);
}
