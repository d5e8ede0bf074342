using System.Collections.Concurrent;
using System.Text;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Meta;

namespace VectorAspire.Core.Cluster;

/// <summary>
/// <see cref="ICoordinatorClient"/> for a cluster: every call goes to the current Coordinator leader (its id is the
/// value of the leadership key, its address comes from the registry), and follows the leadership when it moves.
/// Reads and allocations retry while there is no reachable leader; DDL and flush commits retry only when the failure
/// proves they were not applied (no leader known, the call was refused by a standby, the connection was refused).
/// </summary>
public sealed class LeaderCoordinatorClient : ICoordinatorClient, IAsyncDisposable
{
    private readonly MetaPrefixView<string> _leader;
    private readonly string _leaderKey;
    private readonly NodeDirectory _directory;
    private readonly Func<NodeInfo, ICoordinatorClient> _connect;
    private readonly ClusterRetry _retry;
    private readonly ConcurrentDictionary<(string NodeId, string Address), ICoordinatorClient> _clients = new();
    private readonly MetaPrefixView<CollectionInfo>? _collections;
    private readonly MetaPrefixView<AliasInfo>? _aliases;
    private readonly MetaPrefixView<DatabaseInfo>? _databases;
    private long _bypassCacheUntil;

    /// <summary>The catalog keys the Coordinator persists collections and aliases under (its layout).</summary>
    public const string CollectionsPrefix = "catalog/collections/";
    public const string AliasesPrefix = "catalog/aliases/";
    public const string DatabasesPrefix = "catalog/databases/";

    /// <param name="cacheCatalog">
    /// Serve collection lookups from a live copy of the catalog (a Proxy's metadata cache, refreshed by a meta-store
    /// watch) instead of a Coordinator round trip. Only positive, loaded entries are served from it: a miss, an
    /// unloaded collection, and every lookup for a few seconds after a DDL call made through this client ask the
    /// leader, so the cache never hides a collection or a load that the leader already reports.
    /// </param>
    public LeaderCoordinatorClient(IMetaStore store, string leaderKey, NodeDirectory directory, Func<NodeInfo, ICoordinatorClient> connect, ClusterRetry retry,
        bool cacheCatalog = false)
    {
        if (cacheCatalog)
        {
            _collections = new MetaPrefixView<CollectionInfo>(store, CollectionsPrefix, static (_, value) => CatalogJson.ReadCollection(value));
            _aliases = new MetaPrefixView<AliasInfo>(store, AliasesPrefix, static (_, value) => CatalogJson.ReadAlias(value));
            _databases = new MetaPrefixView<DatabaseInfo>(store, DatabasesPrefix, static (_, value) => CatalogJson.ReadDatabase(value));
        }
        _leaderKey = leaderKey;
        _leader = new MetaPrefixView<string>(store, leaderKey, (key, value) => key == leaderKey ? Encoding.UTF8.GetString(value) : null);
        _directory = directory;
        _connect = connect;
        _retry = retry;
    }

    /// <summary>Loads the leadership key and starts watching it.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _leader.StartAsync(cancellationToken);
        if (_collections is not null)
            await _collections.StartAsync(cancellationToken);
        if (_aliases is not null)
            await _aliases.StartAsync(cancellationToken);
        if (_databases is not null)
            await _databases.StartAsync(cancellationToken);
    }

    /// <summary>Lookup tables over one snapshot of the cached catalog, rebuilt when the snapshot changes.</summary>
    private sealed record CatalogIndex(object Collections, object Aliases, Dictionary<long, CollectionInfo> ById,
        Dictionary<(string Db, string Name), CollectionInfo> ByName, Dictionary<(string Db, string Alias), long> ByAlias);

    private CatalogIndex? _index;

    private CatalogIndex? Index()
    {
        if (_collections is null || _aliases is null || Environment.TickCount64 < Interlocked.Read(ref _bypassCacheUntil))
            return null;
        var collections = _collections.Entries;
        var aliases = _aliases.Entries;
        var index = Volatile.Read(ref _index);
        if (index is not null && ReferenceEquals(index.Collections, collections) && ReferenceEquals(index.Aliases, aliases))
            return index;
        var byId = new Dictionary<long, CollectionInfo>();
        var byName = new Dictionary<(string, string), CollectionInfo>();
        foreach (var info in collections.Values)
        {
            byId[info.CollectionId] = info;
            byName[(info.DbName, info.Name)] = info;
        }
        var byAlias = new Dictionary<(string, string), long>();
        foreach (var alias in aliases.Values)
            byAlias[(alias.DbName, alias.Alias)] = alias.CollectionId;
        index = new CatalogIndex(collections, aliases, byId, byName, byAlias);
        Volatile.Write(ref _index, index);
        return index;
    }

    private CollectionInfo? CachedById(long collectionId) =>
        Index() is { } index && index.ById.TryGetValue(collectionId, out var info) && info.IsLoaded ? info : null;

    private CollectionInfo? CachedByName(string dbName, string nameOrAlias)
    {
        if (Index() is not { } index)
            return null;
        string db = string.IsNullOrEmpty(dbName) ? "default" : dbName;
        if (index.ByName.TryGetValue((db, nameOrAlias), out var info))
            return info.IsLoaded ? info : null;
        return index.ByAlias.TryGetValue((db, nameOrAlias), out long id) && index.ById.TryGetValue(id, out info) && info.IsLoaded ? info : null;
    }

    /// <summary>
    /// A database from the watched catalog (its properties gate every read and write, so a round trip per request
    /// would cost every call); a miss, and lookups shortly after a DDL call made through this client, ask the leader.
    /// </summary>
    private DatabaseInfo? CachedDatabase(string name)
    {
        if (_databases is null || Environment.TickCount64 < Interlocked.Read(ref _bypassCacheUntil))
            return null;
        return _databases.Entries.TryGetValue(DatabasesPrefix + (string.IsNullOrEmpty(name) ? "default" : name), out var info) ? info : null;
    }

    /// <summary>The current leader's node id, or null while none is elected.</summary>
    public string? LeaderId => _leader.Entries.TryGetValue(_leaderKey, out string? id) ? id : null;

    /// <summary>Waits until a leader is elected and registered.</summary>
    public Task WaitForLeaderAsync(CancellationToken cancellationToken) =>
        _leader.WaitUntilAsync(e => e.TryGetValue(_leaderKey, out string? id) && _directory.Find(NodeRoles.Coordinator, id) is not null, cancellationToken);

    private ICoordinatorClient Leader()
    {
        string id = LeaderId ?? throw new RouteUnavailableException("no coordinator leader is elected");
        NodeInfo node = _directory.Find(NodeRoles.Coordinator, id)
            ?? throw new RouteUnavailableException($"coordinator leader {id} is not registered");
        return _clients.GetOrAdd((node.NodeId, node.Address), _ => _connect(node));
    }

    private ValueTask<T> Read<T>(Func<ICoordinatorClient, CancellationToken, ValueTask<T>> call, CancellationToken ct) =>
        _retry.RunAsync(c => call(Leader(), c), idempotent: true, ct);

    private async ValueTask<T> Write<T>(Func<ICoordinatorClient, CancellationToken, ValueTask<T>> call, CancellationToken ct)
    {
        try
        {
            return await _retry.RunAsync(c => call(Leader(), c), idempotent: false, ct);
        }
        finally
        {
            BypassCache();
        }
    }

    private async ValueTask Write(Func<ICoordinatorClient, CancellationToken, ValueTask> call, CancellationToken ct)
    {
        try
        {
            await _retry.RunAsync(c => call(Leader(), c), idempotent: false, ct);
        }
        finally
        {
            BypassCache();
        }
    }

    private async ValueTask Read(Func<ICoordinatorClient, CancellationToken, ValueTask> call, CancellationToken ct)
    {
        try
        {
            await _retry.RunAsync(c => call(Leader(), c), idempotent: true, ct);
        }
        finally
        {
            BypassCache(); // Load and Release change what the catalog says, like DDL
        }
    }

    /// <summary>After this client changed the catalog, lookups ask the leader until the watch has surely caught up.</summary>
    private void BypassCache()
    {
        if (_collections is not null)
            Interlocked.Exchange(ref _bypassCacheUntil, Environment.TickCount64 + 3000);
    }

    public ValueTask<DatabaseInfo> CreateDatabaseAsync(string name, IReadOnlyDictionary<string, string> properties, CancellationToken cancellationToken) =>
        Write((c, ct) => c.CreateDatabaseAsync(name, properties, ct), cancellationToken);

    public ValueTask DropDatabaseAsync(string name, CancellationToken cancellationToken) =>
        Write((c, ct) => c.DropDatabaseAsync(name, ct), cancellationToken);

    public ValueTask<IReadOnlyList<DatabaseInfo>> ListDatabasesAsync(CancellationToken cancellationToken) =>
        Read((c, ct) => c.ListDatabasesAsync(ct), cancellationToken);

    public ValueTask<DatabaseInfo?> FindDatabaseAsync(string name, CancellationToken cancellationToken) =>
        CachedDatabase(name) is { } hit ? ValueTask.FromResult<DatabaseInfo?>(hit)
            : Read((c, ct) => c.FindDatabaseAsync(name, ct), cancellationToken);

    public ValueTask<DatabaseInfo> AlterDatabaseAsync(string name, long? dbId, IReadOnlyDictionary<string, string> properties, IReadOnlyList<string> deleteKeys,
        CancellationToken cancellationToken) =>
        Write((c, ct) => c.AlterDatabaseAsync(name, dbId, properties, deleteKeys, ct), cancellationToken);

    public ValueTask<CollectionInfo> CreateCollectionAsync(CreateCollectionRequest request, CancellationToken cancellationToken) =>
        Write((c, ct) => c.CreateCollectionAsync(request, ct), cancellationToken);

    public ValueTask DropCollectionAsync(string dbName, string name, CancellationToken cancellationToken) =>
        Write((c, ct) => c.DropCollectionAsync(dbName, name, ct), cancellationToken);

    public ValueTask<CollectionInfo?> FindCollectionAsync(string dbName, string nameOrAlias, CancellationToken cancellationToken) =>
        CachedByName(dbName, nameOrAlias) is { } hit ? ValueTask.FromResult<CollectionInfo?>(hit)
            : Read((c, ct) => c.FindCollectionAsync(dbName, nameOrAlias, ct), cancellationToken);

    public ValueTask<CollectionInfo?> GetCollectionAsync(long collectionId, CancellationToken cancellationToken) =>
        CachedById(collectionId) is { } hit ? ValueTask.FromResult<CollectionInfo?>(hit)
            : Read((c, ct) => c.GetCollectionAsync(collectionId, ct), cancellationToken);

    public ValueTask<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(string dbName, CancellationToken cancellationToken) =>
        Read((c, ct) => c.ListCollectionsAsync(dbName, ct), cancellationToken);

    public ValueTask<IReadOnlyList<CollectionInfo>> ListAllCollectionsAsync(CancellationToken cancellationToken) =>
        Read((c, ct) => c.ListAllCollectionsAsync(ct), cancellationToken);

    public ValueTask RenameCollectionAsync(string dbName, string oldName, string newName, string? newDbName, CancellationToken cancellationToken) =>
        Write((c, ct) => c.RenameCollectionAsync(dbName, oldName, newName, newDbName, ct), cancellationToken);

    public ValueTask CreatePartitionAsync(string dbName, string collection, string partition, CancellationToken cancellationToken) =>
        Write((c, ct) => c.CreatePartitionAsync(dbName, collection, partition, ct), cancellationToken);

    public ValueTask DropPartitionAsync(string dbName, string collection, string partition, CancellationToken cancellationToken) =>
        Write((c, ct) => c.DropPartitionAsync(dbName, collection, partition, ct), cancellationToken);

    // Loading and releasing converge on a target state: repeating one changes nothing.
    public ValueTask LoadAsync(string dbName, string collection, IReadOnlyList<string>? partitions, CancellationToken cancellationToken) =>
        Read((c, ct) => c.LoadAsync(dbName, collection, partitions, ct), cancellationToken);

    public ValueTask ReleaseAsync(string dbName, string collection, IReadOnlyList<string>? partitions, CancellationToken cancellationToken) =>
        Read((c, ct) => c.ReleaseAsync(dbName, collection, partitions, ct), cancellationToken);

    public ValueTask CreateIndexAsync(string dbName, string collection, IndexInfo index, CancellationToken cancellationToken) =>
        Write((c, ct) => c.CreateIndexAsync(dbName, collection, index, ct), cancellationToken);

    public ValueTask DropIndexAsync(string dbName, string collection, string indexName, CancellationToken cancellationToken) =>
        Write((c, ct) => c.DropIndexAsync(dbName, collection, indexName, ct), cancellationToken);

    public ValueTask CreateAliasAsync(string dbName, string alias, string collection, CancellationToken cancellationToken) =>
        Write((c, ct) => c.CreateAliasAsync(dbName, alias, collection, ct), cancellationToken);

    public ValueTask AlterAliasAsync(string dbName, string alias, string collection, CancellationToken cancellationToken) =>
        Write((c, ct) => c.AlterAliasAsync(dbName, alias, collection, ct), cancellationToken);

    public ValueTask DropAliasAsync(string dbName, string alias, CancellationToken cancellationToken) =>
        Write((c, ct) => c.DropAliasAsync(dbName, alias, ct), cancellationToken);

    public ValueTask<AliasInfo?> DescribeAliasAsync(string dbName, string alias, CancellationToken cancellationToken) =>
        Read((c, ct) => c.DescribeAliasAsync(dbName, alias, ct), cancellationToken);

    public ValueTask<IReadOnlyList<AliasInfo>> ListAliasesAsync(string dbName, string? collection, CancellationToken cancellationToken) =>
        Read((c, ct) => c.ListAliasesAsync(dbName, collection, ct), cancellationToken);

    // A timestamp or id range that was allocated but never received is simply unused: retrying is safe.
    public ValueTask<ulong> AllocateTimestampAsync(int count, CancellationToken cancellationToken) =>
        Read((c, ct) => c.AllocateTimestampAsync(count, ct), cancellationToken);

    public ValueTask<long> AllocateIdsAsync(int count, CancellationToken cancellationToken) =>
        Read((c, ct) => c.AllocateIdsAsync(count, ct), cancellationToken);

    public ValueTask<ShardState> GetShardStateAsync(long collectionId, string vchannel, CancellationToken cancellationToken) =>
        Read((c, ct) => c.GetShardStateAsync(collectionId, vchannel, ct), cancellationToken);

    public ValueTask CommitFlushAsync(FlushCommit commit, CancellationToken cancellationToken) =>
        Write((c, ct) => c.CommitFlushAsync(commit, ct), cancellationToken);

    public ValueTask<IndexProgress> GetIndexProgressAsync(long collectionId, string indexName, CancellationToken cancellationToken) =>
        Read((c, ct) => c.GetIndexProgressAsync(collectionId, indexName, ct), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _leader.DisposeAsync();
        if (_collections is not null)
            await _collections.DisposeAsync();
        if (_aliases is not null)
            await _aliases.DisposeAsync();
        if (_databases is not null)
            await _databases.DisposeAsync();
    }
}
