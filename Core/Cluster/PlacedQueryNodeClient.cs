using System.Collections.Concurrent;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Query;

namespace VectorAspire.Core.Cluster;

/// <summary>
/// <see cref="IQueryNodeClient"/> for a shard delegator in a cluster: every sealed segment is placed on one live
/// QueryNode by rendezvous hashing of (node id, segment id) weighted by each node's memory — deterministic, spread in
/// proportion to memory, and when a node joins or leaves only the segments it gains or held move. Each call is split by placement and fanned out in parallel;
/// search and query results are reduced as the delegator reduces shards. <see cref="PlacementChanged"/> tells the
/// delegator to load its sealed segments again (and replay its deletes onto them) on their new nodes.
/// </summary>
public sealed class PlacedQueryNodeClient : IQueryNodeClient
{
    private readonly NodeDirectory _directory;
    private readonly Func<NodeInfo, IQueryNodeClient> _connect;
    private readonly ClusterRetry _retry;
    private readonly ConcurrentDictionary<(string NodeId, string Address), IQueryNodeClient> _clients = new();
    private readonly ConcurrentDictionary<long, CollectionInfo> _collections = new();
    private string _membership = "";
    private CancellationTokenSource _generation = new();

    public PlacedQueryNodeClient(NodeDirectory directory, Func<NodeInfo, IQueryNodeClient> connect, ClusterRetry retry)
    {
        _directory = directory;
        _connect = connect;
        _retry = retry;
        _membership = Fingerprint();
        directory.Changed += OnDirectoryChanged;
    }

    /// <summary>Raised (on the directory's watch thread) when the set of live QueryNodes changed.</summary>
    public event Action? PlacementChanged;

    private string Fingerprint() => string.Join(',', _directory.Members(NodeRoles.QueryNode).Select(n => n.NodeId + "@" + n.Address));

    private void OnDirectoryChanged()
    {
        string now = Fingerprint();
        if (Interlocked.Exchange(ref _membership, now) != now)
        {
            // Calls in flight to the old membership are abandoned and retried: a node that left may never answer.
            var old = Interlocked.Exchange(ref _generation, new CancellationTokenSource());
            old.Cancel();
            PlacementChanged?.Invoke();
        }
    }

    /// <summary>
    /// The live node that holds <paramref name="segmentId"/>: weighted rendezvous hashing, each node weighted by the
    /// memory it registered (a node with twice the memory gets about twice the segments; nodes that registered none
    /// count as 1 GiB). Only the segments of a node that leaves move, and a joining node takes its share from all.
    /// </summary>
    public static NodeInfo Place(IReadOnlyList<NodeInfo> members, long segmentId)
    {
        NodeInfo best = members[0];
        double bestScore = double.NegativeInfinity;
        foreach (NodeInfo node in members)
        {
            // u uniform in (0, 1) from the (node, segment) hash; weight / -ln(u) is the weighted rendezvous score.
            ulong h = Mix(Fnv(node.NodeId) ^ (ulong)segmentId);
            double u = ((h >> 11) + 0.5) / (1UL << 53);
            double weight = node.MemoryBytes > 0 ? node.MemoryBytes / (double)(1L << 30) : 1.0;
            double score = weight / -Math.Log(u);
            if (score > bestScore)
            {
                best = node;
                bestScore = score;
            }
        }
        return best;
    }

    private static ulong Fnv(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s)
        {
            h ^= c;
            h *= 1099511628211UL;
        }
        return h;
    }

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private IReadOnlyList<NodeInfo> Live()
    {
        var members = _directory.Members(NodeRoles.QueryNode);
        return members.Count == 0 ? throw new RouteUnavailableException("no query node is live") : members;
    }

    private IQueryNodeClient Client(NodeInfo node) => _clients.GetOrAdd((node.NodeId, node.Address), _ => _connect(node));

    /// <summary>Groups <paramref name="items"/> by the node their segment is placed on.</summary>
    private List<(IQueryNodeClient Node, List<T> Items)> Split<T>(IReadOnlyList<T> items, Func<T, long> segmentOf)
    {
        var members = Live();
        var groups = new Dictionary<string, (IQueryNodeClient Node, List<T> Items)>(StringComparer.Ordinal);
        foreach (T item in items)
        {
            NodeInfo node = Place(members, segmentOf(item));
            if (!groups.TryGetValue(node.NodeId, out var group))
                groups[node.NodeId] = group = (Client(node), []);
            group.Items.Add(item);
        }
        return [.. groups.Values];
    }

    /// <summary>Runs <paramref name="call"/> with retries; a membership change while it runs abandons and retries it.</summary>
    private ValueTask<T> Guarded<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken) =>
        _retry.RunAsync(async ct =>
        {
            var generation = Volatile.Read(ref _generation);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, generation.Token);
            try
            {
                return await call(linked.Token);
            }
            catch (OperationCanceledException) when (generation.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                throw new RouteUnavailableException("the set of query nodes changed during the call");
            }
        }, idempotent: true, cancellationToken);

    private async ValueTask Guarded(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        await Guarded<bool>(async ct =>
        {
            await call(ct);
            return true;
        }, cancellationToken);

    private ValueTask Each<T>(IReadOnlyList<T> items, Func<T, long> segmentOf, Func<IQueryNodeClient, List<T>, CancellationToken, ValueTask> call, CancellationToken ct) =>
        Guarded(async c =>
        {
            var groups = Split(items, segmentOf);
            await Task.WhenAll(groups.Select(g => call(g.Node, g.Items, c).AsTask()));
        }, ct);

    public ValueTask LoadSegmentsAsync(CollectionInfo collection, IReadOnlyList<SegmentInfo> segments, CancellationToken cancellationToken)
    {
        _collections[collection.CollectionId] = collection;
        return Each(segments, s => s.SegmentId, (n, part, ct) => n.LoadSegmentsAsync(collection, part, ct), cancellationToken);
    }

    public ValueTask SyncSegmentIndexesAsync(CollectionInfo collection, IReadOnlyList<SegmentIndexInfo> indexes, CancellationToken cancellationToken)
    {
        _collections[collection.CollectionId] = collection;
        // Every node gets the call (with its own part, possibly empty): syncing also drops indexes no longer listed.
        return Guarded(async c =>
        {
            var members = Live();
            await Task.WhenAll(members.Select(m =>
            {
                var part = indexes.Where(i => Place(members, i.SegmentId).NodeId == m.NodeId).ToList();
                return Client(m).SyncSegmentIndexesAsync(collection, part, c).AsTask();
            }));
        }, cancellationToken);
    }

    public ValueTask ReleaseSegmentsAsync(long collectionId, IReadOnlyList<long>? segmentIds, CancellationToken cancellationToken)
    {
        if (segmentIds is null)
            _collections.TryRemove(collectionId, out _);
        // Released everywhere: a copy left on a node the segment moved away from is dropped too.
        return Guarded(c => Task.WhenAll(Live().Select(m => Client(m).ReleaseSegmentsAsync(collectionId, segmentIds, c).AsTask())), cancellationToken);
    }

    public ValueTask ApplyDeletesAsync(long collectionId, IReadOnlyList<long> segmentIds, Column keys, ReadOnlyMemory<ulong> timestamps, CancellationToken cancellationToken) =>
        Each(segmentIds, s => s, (n, part, ct) => n.ApplyDeletesAsync(collectionId, part, keys, timestamps, ct), cancellationToken);

    public ValueTask<ShardSearchResult> SearchAsync(long collectionId, IReadOnlyList<long> segmentIds, SearchPlan plan, ulong readTimestamp, CancellationToken cancellationToken) =>
        Guarded(async c =>
        {
            var groups = Split(segmentIds, s => s);
            if (groups.Count == 1)
                return await groups[0].Node.SearchAsync(collectionId, groups[0].Items, plan, readTimestamp, c);
            var parts = await Task.WhenAll(groups.Select(g => g.Node.SearchAsync(collectionId, g.Items, plan, readTimestamp, c).AsTask()));
            return SegmentSearcher.Merge(parts, plan.Nq, plan.TopK, plan.Metric);
        }, cancellationToken);

    public ValueTask<ShardQueryResult> QueryAsync(long collectionId, IReadOnlyList<long> segmentIds, QueryPlan plan, ulong readTimestamp, CancellationToken cancellationToken) =>
        Guarded(async c =>
        {
            var groups = Split(segmentIds, s => s);
            if (groups.Count == 1)
                return await groups[0].Node.QueryAsync(collectionId, groups[0].Items, plan, readTimestamp, c);
            if (!_collections.TryGetValue(collectionId, out var info))
                throw new RouteUnavailableException($"collection {collectionId} is not loaded through this delegator yet");
            var parts = await Task.WhenAll(groups.Select(g => g.Node.QueryAsync(collectionId, g.Items, plan, readTimestamp, c).AsTask()));
            return SegmentQuerier.Merge(info.Schema, plan, parts);
        }, cancellationToken);

    public ValueTask<long> GetLoadedBytesAsync(CancellationToken cancellationToken) =>
        Guarded(async c =>
        {
            var sizes = await Task.WhenAll(Live().Select(m => Client(m).GetLoadedBytesAsync(c).AsTask()));
            return sizes.Sum();
        }, cancellationToken);
}
