using System.Collections.Concurrent;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Query;

namespace VectorAspire.Core.Cluster;

/// <summary>
/// <see cref="IStreamingNodeClient"/> for a cluster: sends each shard's call to the StreamingNode its pchannel is
/// bound to (bindings and node addresses come from live meta-store views), and collection-wide calls to every node
/// that owns one of the collection's channels. While a channel moves, calls retry within
/// <see cref="ClusterRetry.Budget"/>; writes retry only when the failure proves they were not applied.
/// </summary>
public sealed class RoutedStreamingNodeClient(
    ICoordinatorClient coordinator,
    MetaPrefixView<ChannelBinding> bindings,
    ChannelBindings bindingKeys,
    NodeDirectory directory,
    Func<NodeInfo, IStreamingNodeClient> connect,
    ClusterRetry retry) : IStreamingNodeClient
{
    private readonly ConcurrentDictionary<long, IReadOnlyList<string>> _pchannels = new();
    private readonly ConcurrentDictionary<(string NodeId, string Address), IStreamingNodeClient> _clients = new();

    public ValueTask<ulong> WriteAsync(ShardWrite write, CancellationToken cancellationToken) =>
        OnShardAsync(write.CollectionId, write.Shard, idempotent: false, (node, ct) => node.WriteAsync(write, ct), cancellationToken);

    public ValueTask<ShardSearchResult> SearchAsync(ShardSearchRequest request, CancellationToken cancellationToken) =>
        OnShardAsync(request.CollectionId, request.Shard, idempotent: true, (node, ct) => node.SearchAsync(request, ct), cancellationToken);

    public ValueTask<ShardQueryResult> QueryAsync(ShardQueryRequest request, CancellationToken cancellationToken) =>
        OnShardAsync(request.CollectionId, request.Shard, idempotent: true, (node, ct) => node.QueryAsync(request, ct), cancellationToken);

    /// <summary>
    /// Runs a shard call on the node its channel is bound to. A call to a node that leaves the registry or loses the
    /// binding while the call is in flight (dead, paused, partitioned: its answer may never come) is abandoned at
    /// once instead of hanging: a read is retried on the new owner; a write fails as "outcome unknown", since the old
    /// owner may have committed it before it was fenced (the new owner then replays it) or not.
    /// </summary>
    private ValueTask<T> OnShardAsync<T>(long collectionId, int shard, bool idempotent, Func<IStreamingNodeClient, CancellationToken, ValueTask<T>> call,
        CancellationToken cancellationToken) =>
        retry.RunAsync(async ct =>
        {
            var channels = await PChannelsAsync(collectionId, ct);
            if (shard < 0 || shard >= channels.Count)
                throw new MilvusException(ErrorCodes.ParameterInvalid, $"collection {collectionId} has no shard {shard}");
            string pchannel = channels[shard];
            var (nodeId, client) = Resolve(pchannel);
            using var moved = CancellationTokenSource.CreateLinkedTokenSource(ct);
            void Check()
            {
                if (!bindings.Entries.TryGetValue(bindingKeys.KeyOf(pchannel), out ChannelBinding? b) || b.NodeId != nodeId
                    || directory.Find(NodeRoles.StreamingNode, nodeId) is null)
                {
                    try
                    {
                        moved.Cancel();
                    }
                    catch (ObjectDisposedException)
                    {
                    }
                }
            }
            bindings.Changed += Check;
            directory.Changed += Check;
            try
            {
                Check();
                return await call(client, moved.Token);
            }
            catch (OperationCanceledException) when (moved.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                if (idempotent)
                    throw new RouteUnavailableException($"channel {pchannel} moved off streaming node {nodeId} during the call");
                throw new MilvusException(ErrorCodes.ServiceInternal,
                    $"write outcome unknown: channel {pchannel} moved off streaming node {nodeId} while the write was in flight; it may or may not have been applied",
                    new TimeoutException("abandoned the call to a streaming node that lost its channel"));
            }
            finally
            {
                bindings.Changed -= Check;
                directory.Changed -= Check;
            }
        }, idempotent, cancellationToken);

    public ValueTask FlushAsync(long collectionId, CancellationToken cancellationToken) =>
        retry.RunAsync(async ct =>
        {
            foreach (IStreamingNodeClient node in await OwnersAsync(collectionId, ct))
                await node.FlushAsync(collectionId, ct);
        }, idempotent: true, cancellationToken);

    public ValueTask SyncCollectionAsync(long collectionId, CancellationToken cancellationToken)
    {
        _pchannels.TryRemove(collectionId, out _);
        return retry.RunAsync(async ct =>
        {
            foreach (IStreamingNodeClient node in await OwnersAsync(collectionId, ct))
                await node.SyncCollectionAsync(collectionId, ct);
        }, idempotent: true, cancellationToken);
    }

    public async ValueTask DropCollectionAsync(long collectionId, CancellationToken cancellationToken)
    {
        IReadOnlyList<string>? channels = _pchannels.TryRemove(collectionId, out var known) ? known : null;
        await retry.RunAsync(async ct =>
        {
            // The catalog entry is already gone: use the channels seen before, else every streaming node.
            IEnumerable<IStreamingNodeClient> targets = channels is null
                ? directory.Members(NodeRoles.StreamingNode).Select(Client)
                : Owners(channels);
            foreach (IStreamingNodeClient node in targets)
                await node.DropCollectionAsync(collectionId, ct);
        }, idempotent: true, cancellationToken);
    }

    public ValueTask<long> CountRowsAsync(long collectionId, IReadOnlyList<long>? partitionIds, CancellationToken cancellationToken) =>
        retry.RunAsync(async ct =>
        {
            long total = 0;
            foreach (IStreamingNodeClient node in await OwnersAsync(collectionId, ct))
                total += await node.CountRowsAsync(collectionId, partitionIds, ct);
            return total;
        }, idempotent: true, cancellationToken);

    private async ValueTask<IReadOnlyList<string>> PChannelsAsync(long collectionId, CancellationToken cancellationToken)
    {
        if (_pchannels.TryGetValue(collectionId, out var known))
            return known;
        var info = await coordinator.GetCollectionAsync(collectionId, cancellationToken)
            ?? throw MilvusErrors.CollectionNotFound(collectionId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _pchannels[collectionId] = info.PChannels;
        return info.PChannels;
    }

    private IStreamingNodeClient ForChannel(string pchannel) => Resolve(pchannel).Client;

    private (string NodeId, IStreamingNodeClient Client) Resolve(string pchannel)
    {
        if (!bindings.Entries.TryGetValue(bindingKeys.KeyOf(pchannel), out ChannelBinding? binding))
            throw new RouteUnavailableException($"channel {pchannel} is not bound to a streaming node yet");
        NodeInfo node = directory.Find(NodeRoles.StreamingNode, binding.NodeId)
            ?? throw new RouteUnavailableException($"channel {pchannel} is bound to streaming node {binding.NodeId}, which is not live");
        return (node.NodeId, Client(node));
    }

    private async ValueTask<List<IStreamingNodeClient>> OwnersAsync(long collectionId, CancellationToken cancellationToken) =>
        Owners(await PChannelsAsync(collectionId, cancellationToken));

    private List<IStreamingNodeClient> Owners(IReadOnlyList<string> channels)
    {
        var owners = new List<IStreamingNodeClient>();
        foreach (string channel in channels)
        {
            IStreamingNodeClient client = ForChannel(channel);
            if (!owners.Contains(client))
                owners.Add(client);
        }
        return owners;
    }

    private IStreamingNodeClient Client(NodeInfo node) => _clients.GetOrAdd((node.NodeId, node.Address), _ => connect(node));
}
