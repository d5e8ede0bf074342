using VectorAspire.Core.Catalog;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Indexes;
using VectorAspire.Core.Schema;

namespace VectorAspire.Coordinator;

public sealed partial class CoordinatorService
{
    public async ValueTask CreatePartitionAsync(string dbName, string collection, string partition, CancellationToken cancellationToken)
    {
        SchemaValidator.ValidateName(partition, "partition");
        CollectionInfo updated;
        await _ddl.WaitAsync(cancellationToken);
        try
        {
            var info = RequireCollection(dbName, collection);
            if (info.Schema.PartitionKey is not null)
                throw MilvusErrors.Invalid($"collection '{info.Name}' uses a partition key ('{info.Schema.PartitionKey.Name}'): partitions are managed automatically and cannot be created by hand");
            if (info.FindPartition(partition) is not null)
                throw MilvusErrors.Invalid($"partition '{partition}' already exists in collection '{info.Name}'");
            if (info.Partitions.Count >= _options.MaxPartitionsPerCollection)
                throw MilvusErrors.Invalid($"collection '{info.Name}' already has the maximum of {_options.MaxPartitionsPerCollection} partitions");
            long id = await _ids.AllocateAsync(1, cancellationToken);
            ulong ts = await _tso.AllocateAsync(1, cancellationToken);
            // As in Milvus, a partition created in a loaded collection is loaded with it.
            updated = info with
            {
                Partitions = [.. info.Partitions, new PartitionInfo(id, partition, ts)],
                LoadedPartitionIds = info.IsLoaded ? [.. info.LoadedPartitionIds, id] : info.LoadedPartitionIds,
            };
            await SaveAsync(updated, cancellationToken);
        }
        finally
        {
            _ddl.Release();
        }
        await _streaming.Value.SyncCollectionAsync(updated.CollectionId, cancellationToken);
    }

    public async ValueTask DropPartitionAsync(string dbName, string collection, string partition, CancellationToken cancellationToken)
    {
        CollectionInfo updated;
        await _ddl.WaitAsync(cancellationToken);
        try
        {
            var info = RequireCollection(dbName, collection);
            if (info.Schema.PartitionKey is not null)
                throw MilvusErrors.Invalid($"collection '{info.Name}' uses a partition key: its partitions cannot be dropped");
            var p = info.FindPartition(partition) ?? throw MilvusErrors.PartitionNotFound(partition);
            if (p.Name == DefaultPartition)
                throw MilvusErrors.Invalid("the default partition '_default' cannot be dropped");
            if (info.LoadedPartitionIds.Contains(p.PartitionId))
                throw MilvusErrors.Invalid($"partition '{partition}' is loaded; release it before dropping it");
            updated = info with { Partitions = [.. info.Partitions.Where(x => x.PartitionId != p.PartitionId)] };
            await SaveAsync(updated, cancellationToken);
        }
        finally
        {
            _ddl.Release();
        }
        await _streaming.Value.SyncCollectionAsync(updated.CollectionId, cancellationToken);
    }

    public async ValueTask LoadAsync(string dbName, string collection, IReadOnlyList<string>? partitions, CancellationToken cancellationToken)
    {
        CollectionInfo updated;
        await _ddl.WaitAsync(cancellationToken);
        try
        {
            var info = RequireCollection(dbName, collection);
            foreach (var vf in info.Schema.VectorFields)
            {
                if (!info.Indexes.Any(i => i.FieldId == vf.FieldId))
                    throw new MilvusException(ErrorCodes.IndexNotFound, $"index not found[collection={info.Name}]: vector field '{vf.Name}' has no index; create one (e.g. AUTOINDEX) before load");
            }
            var ids = new HashSet<long>(info.LoadedPartitionIds);
            if (partitions is null || partitions.Count == 0)
            {
                foreach (var p in info.Partitions)
                    ids.Add(p.PartitionId);
            }
            else
            {
                foreach (var name in partitions)
                    ids.Add((info.FindPartition(name) ?? throw MilvusErrors.PartitionNotFound(name)).PartitionId);
            }
            updated = info with { LoadedPartitionIds = [.. ids.Order()] };
            await SaveAsync(updated, cancellationToken);
        }
        finally
        {
            _ddl.Release();
        }
        await _streaming.Value.SyncCollectionAsync(updated.CollectionId, cancellationToken);
    }

    public async ValueTask ReleaseAsync(string dbName, string collection, IReadOnlyList<string>? partitions, CancellationToken cancellationToken)
    {
        CollectionInfo updated;
        await _ddl.WaitAsync(cancellationToken);
        try
        {
            var info = RequireCollection(dbName, collection);
            var ids = new HashSet<long>(info.LoadedPartitionIds);
            if (partitions is null || partitions.Count == 0)
            {
                ids.Clear();
            }
            else
            {
                foreach (var name in partitions)
                    ids.Remove((info.FindPartition(name) ?? throw MilvusErrors.PartitionNotFound(name)).PartitionId);
            }
            updated = info with { LoadedPartitionIds = [.. ids.Order()] };
            await SaveAsync(updated, cancellationToken);
        }
        finally
        {
            _ddl.Release();
        }
        await _streaming.Value.SyncCollectionAsync(updated.CollectionId, cancellationToken);
    }

    public async ValueTask CreateIndexAsync(string dbName, string collection, IndexInfo index, CancellationToken cancellationToken)
    {
        await _ddl.WaitAsync(cancellationToken);
        try
        {
            var info = RequireCollection(dbName, collection);
            var normalized = IndexValidator.Validate(info.Schema, index, info.Indexes);
            if (info.Indexes.Contains(normalized))
                return;
            await SaveAsync(info with { Indexes = [.. info.Indexes, normalized] }, cancellationToken);
        }
        finally
        {
            _ddl.Release();
        }
        KickIndexBuilds();
    }

    public async ValueTask DropIndexAsync(string dbName, string collection, string indexName, CancellationToken cancellationToken)
    {
        long collectionId;
        await _ddl.WaitAsync(cancellationToken);
        try
        {
            var info = RequireCollection(dbName, collection);
            var index = info.Indexes.FirstOrDefault(i => i.IndexName == indexName)
                ?? throw new MilvusException(ErrorCodes.IndexNotFound, $"index not found[indexName={indexName}] in collection '{info.Name}'");
            if (info.IsLoaded)
                throw MilvusErrors.Invalid($"index '{indexName}' cannot be dropped while collection '{info.Name}' is loaded; release it first");
            await SaveAsync(info with { Indexes = [.. info.Indexes.Where(i => i != index)] }, cancellationToken);
            collectionId = info.CollectionId;
        }
        finally
        {
            _ddl.Release();
        }
        await DropSegmentIndexesAsync(collectionId, indexName, cancellationToken);
    }

    private CollectionInfo RequireCollection(string dbName, string nameOrAlias)
        => Find(NormalizeDb(dbName), nameOrAlias) ?? throw MilvusErrors.CollectionNotFound(nameOrAlias);
}
