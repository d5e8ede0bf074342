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
        retry.RunAsync(async ct => await (await ForShardAsync(write.CollectionId, write.Shard, ct)).WriteAsync(write, ct), idempotent: false, cancellationToken);

    public ValueTask<ShardSearchResult> SearchAsync(ShardSearchRequest request, CancellationToken cancellationToken) =>
        retry.RunAsync(async ct => await (await ForShardAsync(request.CollectionId, request.Shard, ct)).SearchAsync(request, ct), idempotent: true, cancellationToken);

    public ValueTask<ShardQueryResult> QueryAsync(ShardQueryRequest request, CancellationToken cancellationToken) =>
        retry.RunAsync(async ct => await (await ForShardAsync(request.CollectionId, request.Shard, ct)).QueryAsync(request, ct), idempotent: true, cancellationToken);

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

    private async ValueTask<IStreamingNodeClient> ForShardAsync(long collectionId, int shard, CancellationToken cancellationToken)
    {
        var channels = await PChannelsAsync(collectionId, cancellationToken);
        if (shard < 0 || shard >= channels.Count)
            throw new MilvusException(ErrorCodes.ParameterInvalid, $"collection {collectionId} has no shard {shard}");
        return ForChannel(channels[shard]);
    }

    private IStreamingNodeClient ForChannel(string pchannel)
    {
        if (!bindings.Entries.TryGetValue(bindingKeys.KeyOf(pchannel), out ChannelBinding? binding))
            throw new RouteUnavailableException($"channel {pchannel} is not bound to a streaming node yet");
        NodeInfo node = directory.Find(NodeRoles.StreamingNode, binding.NodeId)
            ?? throw new RouteUnavailableException($"channel {pchannel} is bound to streaming node {binding.NodeId}, which is not live");
        return Client(node);
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
