using Microsoft.Extensions.Options;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Indexes;
using VectorAspire.Core.Meta;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Time;

namespace VectorAspire.Coordinator;

/// <summary>
/// The Coordinator role: owns the catalog (collections, partitions, indexes, aliases, segments, checkpoints) in the
/// meta store, issues timestamps and ids, and tells the StreamingNode when a collection's shards change.
/// The whole catalog is cached in memory; every change is written to the meta store before the cache.
/// </summary>
public sealed partial class CoordinatorService : ICoordinatorClient
{
    public const string DefaultDb = "default";
    public const string DefaultPartition = "_default";
    private const string CollectionPrefix = "catalog/collections/";
    private const string NamePrefix = "catalog/names/";
    private const string AliasPrefix = "catalog/aliases/";
    private const string SegmentPrefix = "catalog/segments/";
    private const string DeltaPrefix = "catalog/deltas/";
    private const string CheckpointPrefix = "catalog/checkpoints/";

    private readonly IMetaStore _store;
    private readonly ITimestampOracle _tso;
    private readonly IdAllocator _ids;
    private readonly Lazy<IStreamingNodeClient> _streaming;
    private readonly IDataNodeClient _dataNode;
    private readonly IControlBus _bus;
    private readonly Microsoft.Extensions.Logging.ILogger<CoordinatorService> _logger;
    private readonly CoordinatorOptions _options;
    private readonly SemaphoreSlim _ddl = new(1, 1);
    private readonly Dictionary<long, CollectionInfo> _collections = [];
    private readonly Dictionary<(string Db, string Alias), AliasInfo> _aliases = [];
    private readonly Dictionary<string, DatabaseInfo> _databases = new(StringComparer.Ordinal);
    private bool _started;

    public CoordinatorService(IMetaStore store, ITimestampOracle tso, Lazy<IStreamingNodeClient> streaming, IDataNodeClient dataNode, IControlBus bus,
        IOptions<CoordinatorOptions> options, Microsoft.Extensions.Logging.ILogger<CoordinatorService> logger)
    {
        _store = store;
        _bus = bus;
        _dataNode = dataNode;
        _logger = logger;
        _tso = tso;
        _streaming = streaming;
        _options = options.Value;
        _ids = new IdAllocator(store, "coordinator/ids");
    }

    /// <summary>Loads the catalog from the meta store. Must run before any other call.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _ddl.WaitAsync(cancellationToken);
        try
        {
            _collections.Clear();
            foreach (var kv in await _store.ScanPrefixAsync(CollectionPrefix, cancellationToken))
            {
                var info = CatalogJson.ReadCollection(kv.Value);
                _collections[info.CollectionId] = info;
            }
            _aliases.Clear();
            foreach (var kv in await _store.ScanPrefixAsync(AliasPrefix, cancellationToken))
            {
                var alias = CatalogJson.ReadAlias(kv.Value);
                _aliases[(alias.DbName, alias.Alias)] = alias;
            }
            await LoadDatabasesAsync(cancellationToken);
            _started = true;
        }
        finally
        {
            _ddl.Release();
        }
        StartIndexBuilds();
    }

    public ValueTask<IReadOnlyList<CollectionInfo>> ListAllCollectionsAsync(CancellationToken cancellationToken)
    {
        RequireStarted();
        lock (_collections)
        {
            IReadOnlyList<CollectionInfo> all = [.. _collections.Values.OrderBy(c => c.CollectionId)];
            return ValueTask.FromResult(all);
        }
    }

    public ValueTask<ulong> AllocateTimestampAsync(int count, CancellationToken cancellationToken)
        => _tso.AllocateAsync(count, cancellationToken);

    public ValueTask<long> AllocateIdsAsync(int count, CancellationToken cancellationToken)
        => _ids.AllocateAsync(count, cancellationToken);

    public ValueTask<CollectionInfo?> FindCollectionAsync(string dbName, string nameOrAlias, CancellationToken cancellationToken)
    {
        RequireStarted();
        return ValueTask.FromResult(Find(NormalizeDb(dbName), nameOrAlias));
    }

    public ValueTask<CollectionInfo?> GetCollectionAsync(long collectionId, CancellationToken cancellationToken)
    {
        RequireStarted();
        lock (_collections)
            return ValueTask.FromResult(_collections.GetValueOrDefault(collectionId));
    }

    public ValueTask<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(string dbName, CancellationToken cancellationToken)
    {
        RequireStarted();
        string db = NormalizeDb(dbName);
        lock (_collections)
        {
            IReadOnlyList<CollectionInfo> list = [.. _collections.Values.Where(c => c.DbName == db).OrderBy(c => c.CollectionId)];
            return ValueTask.FromResult(list);
        }
    }

    public async ValueTask<CollectionInfo> CreateCollectionAsync(CreateCollectionRequest request, CancellationToken cancellationToken)
    {
        RequireStarted();
        string db = NormalizeDb(request.DbName);
        SchemaValidator.Validate(request.Schema);
        if (request.ShardsNum < 1 || request.ShardsNum > _options.MaxShards)
            throw MilvusErrors.Invalid($"shardsNum must be between 1 and {_options.MaxShards}, got {request.ShardsNum}");
        await _ddl.WaitAsync(cancellationToken);
        CollectionInfo info;
        try
        {
            if (Find(db, request.Schema.Name) is not null)
                throw MilvusErrors.Invalid($"collection '{request.Schema.Name}' already exists in database '{db}'; drop it first or choose another name");
            if (_aliases.ContainsKey((db, request.Schema.Name)))
                throw new MilvusException(ErrorCodes.AliasCollectionNameConflict, $"'{request.Schema.Name}' is already an alias in database '{db}'; collection and alias names must differ");
            lock (_collections)
            {
                if (_collections.Count >= _options.MaxCollections)
                    throw new MilvusException(ErrorCodes.CollectionNumLimitExceeded, $"exceeded the limit number of collections ({_options.MaxCollections})");
            }
            RequireRoomForCollection(db);
            long id = await _ids.AllocateAsync(1, cancellationToken);
            ulong ts = await _tso.AllocateAsync(1, cancellationToken);
            var schema = AssignFieldIds(request.Schema);
            int partitionCount = schema.PartitionKey is null ? 1
                : request.NumPartitions > 0 ? request.NumPartitions : _options.DefaultPartitionKeyPartitions;
            if (partitionCount > _options.MaxPartitionsPerCollection)
                throw MilvusErrors.Invalid($"partitionsNum must be at most {_options.MaxPartitionsPerCollection}, got {partitionCount}");
            long firstPartition = await _ids.AllocateAsync(partitionCount, cancellationToken);
            var partitions = new List<PartitionInfo>(partitionCount);
            for (int i = 0; i < partitionCount; i++)
                partitions.Add(new PartitionInfo(firstPartition + i, schema.PartitionKey is null ? DefaultPartition : $"{DefaultPartition}_{i}", ts));
            var pchannels = new List<string>();
            var vchannels = new List<string>();
            for (int i = 0; i < request.ShardsNum; i++)
            {
                string pchannel = $"dml_{(id + i) % _options.PChannelCount}";
                pchannels.Add(pchannel);
                vchannels.Add($"{pchannel}_{id}v{i}");
            }
            var indexes = new List<IndexInfo>();
            foreach (var index in request.Indexes)
                indexes.Add(IndexValidator.Validate(schema, index, indexes));
            info = new CollectionInfo
            {
                CollectionId = id,
                DbName = db,
                Name = schema.Name,
                Schema = schema,
                VChannels = vchannels,
                PChannels = pchannels,
                ConsistencyLevel = request.ConsistencyLevel,
                CreatedTimestamp = ts,
                Partitions = partitions,
                Indexes = indexes,
                Properties = request.Properties,
            };
            string nameKey = NameKey(db, info.Name);
            var result = await _store.TxnAsync(
                [TxnCompare.KeyAbsent(nameKey)],
                [TxnOp.Put(nameKey, BitConverter.GetBytes(id)), TxnOp.Put(CollectionPrefix + id, CatalogJson.Serialize(info))],
                [], cancellationToken);
            if (!result.Succeeded)
                throw MilvusErrors.Invalid($"collection '{info.Name}' already exists in database '{db}'");
            lock (_collections)
                _collections[id] = info;
        }
        finally
        {
            _ddl.Release();
        }
        await _streaming.Value.SyncCollectionAsync(info.CollectionId, cancellationToken);
        if (request.Load)
            await LoadAsync(db, info.Name, null, cancellationToken);
        return (await GetCollectionAsync(info.CollectionId, cancellationToken))!;
    }

    public async ValueTask DropCollectionAsync(string dbName, string name, CancellationToken cancellationToken)
    {
        RequireStarted();
        string db = NormalizeDb(dbName);
        long id;
        await _ddl.WaitAsync(cancellationToken);
        try
        {
            var info = FindByName(db, name) ?? throw MilvusErrors.CollectionNotFound(name);
            if (_aliases.Values.Any(a => a.CollectionId == info.CollectionId))
            {
                var names = string.Join(", ", _aliases.Values.Where(a => a.CollectionId == info.CollectionId).Select(a => a.Alias));
                throw MilvusErrors.Invalid($"collection '{name}' still has aliases ({names}); drop them before dropping the collection");
            }
            id = info.CollectionId;
            await _store.TxnAsync([], [TxnOp.Delete(NameKey(db, info.Name)), TxnOp.Delete(CollectionPrefix + id)], [], cancellationToken);
            lock (_collections)
                _collections.Remove(id);
        }
        finally
        {
            _ddl.Release();
        }
        // Data goes after the catalog entry: a crash in between leaves only unreachable files and keys.
        await _streaming.Value.DropCollectionAsync(id, cancellationToken);
        await _store.DeletePrefixAsync($"{SegmentPrefix}{id}/", cancellationToken);
        await _store.DeletePrefixAsync($"{DeltaPrefix}{id}/", cancellationToken);
        await _store.DeletePrefixAsync($"{CheckpointPrefix}{id}/", cancellationToken);
        await _store.DeletePrefixAsync($"{SegmentIndexPrefix}{id}/", cancellationToken);
        await _store.DeletePrefixAsync($"{IndexFailurePrefix}{id}/", cancellationToken);
    }

    public async ValueTask RenameCollectionAsync(string dbName, string oldName, string newName, string? newDbName, CancellationToken cancellationToken)
    {
        RequireStarted();
        string db = NormalizeDb(dbName);
        string newDb = string.IsNullOrEmpty(newDbName) ? db : NormalizeDb(newDbName);
        SchemaValidator.ValidateName(newName, "collection");
        await _ddl.WaitAsync(cancellationToken);
        try
        {
            var info = FindByName(db, oldName) ?? throw MilvusErrors.CollectionNotFound(oldName);
            if (FindByName(newDb, newName) is not null || _aliases.ContainsKey((newDb, newName)))
                throw MilvusErrors.Invalid($"duplicated new collection name '{newName}' in database '{newDb}'");
            if (newDb != db)
            {
                if (_aliases.Values.Any(a => a.CollectionId == info.CollectionId))
                    throw MilvusErrors.Invalid($"collection '{oldName}' has aliases; drop them before moving it to database '{newDb}'");
                RequireRoomForCollection(newDb);
            }
            var renamed = info with { Name = newName, DbName = newDb, Schema = info.Schema with { Name = newName } };
            await _store.TxnAsync([TxnCompare.KeyAbsent(NameKey(newDb, newName))],
                [TxnOp.Delete(NameKey(db, info.Name)), TxnOp.Put(NameKey(newDb, newName), BitConverter.GetBytes(info.CollectionId)),
                 TxnOp.Put(CollectionPrefix + info.CollectionId, CatalogJson.Serialize(renamed))], [], cancellationToken);
            lock (_collections)
                _collections[info.CollectionId] = renamed;
        }
        finally
        {
            _ddl.Release();
        }
    }

    private void RequireStarted()
    {
        if (!_started)
            throw new MilvusException(ErrorCodes.ServiceNotReady, "the coordinator is still starting; retry shortly");
    }

    /// <summary>The database name a request means (empty = default); throws when no such database exists.</summary>
    internal string NormalizeDb(string? dbName)
    {
        string db = string.IsNullOrEmpty(dbName) ? DefaultDb : dbName;
        lock (_collections)
        {
            if (!_databases.ContainsKey(db))
                throw MilvusErrors.DatabaseNotFound(db);
        }
        return db;
    }

    private CollectionInfo? Find(string db, string nameOrAlias)
    {
        var byName = FindByName(db, nameOrAlias);
        if (byName is not null)
            return byName;
        lock (_collections)
        {
            return _aliases.TryGetValue((db, nameOrAlias), out var alias) ? _collections.GetValueOrDefault(alias.CollectionId) : null;
        }
    }

    private CollectionInfo? FindByName(string db, string name)
    {
        lock (_collections)
        {
            foreach (var c in _collections.Values)
            {
                if (c.DbName == db && c.Name == name)
                    return c;
            }
        }
        return null;
    }

    private static string NameKey(string db, string name) => $"{NamePrefix}{db}/{name}";

    private static CollectionSchema AssignFieldIds(CollectionSchema schema)
    {
        var fields = new List<FieldSchema>(schema.Fields.Count + 1);
        long next = 100;
        foreach (var f in schema.Fields.Where(f => !f.IsDynamic))
            fields.Add(f with { FieldId = next++ });
        if (schema.EnableDynamicField)
        {
            fields.Add(new FieldSchema
            {
                FieldId = next,
                Name = CollectionSchema.DynamicFieldName,
                DataType = DataType.Json,
                IsDynamic = true,
                Description = "dynamic field",
            });
        }
        return schema with { Fields = fields };
    }

    /// <summary>Writes a changed collection record, then the cache, then tells the StreamingNode.</summary>
    private async ValueTask SaveAsync(CollectionInfo info, CancellationToken cancellationToken)
    {
        await _store.PutAsync(CollectionPrefix + info.CollectionId, CatalogJson.Serialize(info), 0, cancellationToken);
        lock (_collections)
            _collections[info.CollectionId] = info;
    }
}
