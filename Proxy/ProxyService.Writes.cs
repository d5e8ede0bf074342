using VectorAspire.Core.Catalog;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Query;
using VectorAspire.Core.Segments;

namespace VectorAspire.Proxy;

public sealed partial class ProxyService
{
    public ValueTask<long> AllocateAutoIdsAsync(int count, CancellationToken cancellationToken)
        => coordinator.AllocateIdsAsync(Math.Max(1, count), cancellationToken);

    /// <summary>
    /// Inserts (or upserts) fully validated rows: every schema field present, auto ids already filled. Rows are
    /// split by shard (hash of the primary key) and partition (the named one, or the hash of the partition key).
    /// Returns once every shard has durably logged its part.
    /// </summary>
    public async ValueTask<ulong> InsertAsync(CollectionInfo info, string? partitionName, ColumnBlock rows, bool upsert, CancellationToken cancellationToken)
    {
        await RequireDatabaseAccessAsync(info.DbName, write: true, cancellationToken);
        var schema = info.Schema;
        var partitionKey = schema.PartitionKey;
        long fixedPartition = 0;
        if (partitionKey is not null)
        {
            if (!string.IsNullOrEmpty(partitionName))
                throw MilvusErrors.Invalid($"collection '{info.Name}' uses partition key '{partitionKey.Name}': do not specify a partition name, rows are routed by their '{partitionKey.Name}' value");
        }
        else
        {
            string name = string.IsNullOrEmpty(partitionName) ? "_default" : partitionName;
            fixedPartition = (info.FindPartition(name) ?? throw MilvusErrors.PartitionNotFound(name)).PartitionId;
        }
        int pkIndex = FieldIndex(schema, schema.PrimaryKey);
        int partitionKeyIndex = partitionKey is null ? -1 : FieldIndex(schema, partitionKey);
        int n = rows.RowCount;

        // Group rows by (shard, partition); an upsert keeps only the last row of a key repeated in one request.
        var groups = new Dictionary<(int Shard, long Partition), List<int>>();
        HashSet<PrimaryKey>? seen = upsert ? [] : null;
        for (int r = n - 1; r >= 0; r--)
        {
            var pk = KeyAt(rows, pkIndex, r);
            if (seen is not null && !seen.Add(pk))
                continue;
            int shard = pk.Shard(info.ShardsNum);
            long partition = partitionKeyIndex < 0 ? fixedPartition
                : info.Partitions[PrimaryKey.FromColumn(rows.Columns[partitionKeyIndex], r).Shard(info.Partitions.Count)].PartitionId;
            if (!groups.TryGetValue((shard, partition), out var list))
                groups[(shard, partition)] = list = [];
            list.Add(r);
        }

        var writes = new List<Task<ulong>>(groups.Count);
        foreach (var ((shard, partition), list) in groups)
        {
            list.Reverse();
            var block = list.Count == n ? rows : Slice(rows, list);
            writes.Add(streaming.WriteAsync(new ShardWrite
            {
                CollectionId = info.CollectionId,
                Shard = shard,
                Kind = upsert ? WriteKind.Upsert : WriteKind.Insert,
                PartitionId = partition,
                Rows = block,
                DeleteKeys = upsert ? block.Columns[pkIndex] : null,
            }, cancellationToken).AsTask());
        }
        ulong maxTs = 0;
        foreach (var w in writes)
            maxTs = Math.Max(maxTs, await w);
        RecordWrite(info.CollectionId, maxTs);
        return maxTs;
    }

    /// <summary>Deletes by primary keys (any partition when <paramref name="partitionName"/> is empty).</summary>
    public async ValueTask<int> DeleteKeysAsync(CollectionInfo info, string? partitionName, IReadOnlyList<PrimaryKey> keys, CancellationToken cancellationToken)
    {
        await RequireDatabaseAccessAsync(info.DbName, write: true, cancellationToken);
        long partitionId = 0;
        if (!string.IsNullOrEmpty(partitionName))
            partitionId = (info.FindPartition(partitionName) ?? throw MilvusErrors.PartitionNotFound(partitionName)).PartitionId;
        var pkType = info.Schema.PrimaryKey.DataType;
        var byShard = new Dictionary<int, List<PrimaryKey>>();
        foreach (var k in keys)
        {
            if (k.IsString != (pkType == Core.Schema.DataType.VarChar))
                throw MilvusErrors.Invalid($"primary key {k} does not match the primary key type {pkType} of collection '{info.Name}'");
            int shard = k.Shard(info.ShardsNum);
            if (!byShard.TryGetValue(shard, out var list))
                byShard[shard] = list = [];
            list.Add(k);
        }
        var writes = new List<Task<ulong>>();
        foreach (var (shard, list) in byShard)
        {
            var column = PrimaryKey.NewColumn(pkType, list.Count);
            foreach (var k in list)
                k.AppendTo(column);
            writes.Add(streaming.WriteAsync(new ShardWrite
            {
                CollectionId = info.CollectionId,
                Shard = shard,
                Kind = WriteKind.Delete,
                DeleteKeys = column,
                DeletePartitionId = partitionId,
            }, cancellationToken).AsTask());
        }
        ulong maxTs = 0;
        foreach (var w in writes)
            maxTs = Math.Max(maxTs, await w);
        if (writes.Count > 0)
            RecordWrite(info.CollectionId, maxTs);
        return keys.Count;
    }

    /// <summary>Deletes every row matching <paramref name="filter"/>: a strong-consistency query for the keys, then a delete.</summary>
    public async ValueTask<int> DeleteByFilterAsync(CollectionInfo info, string? partitionName, string filter, IReadOnlyDictionary<string, System.Text.Json.JsonElement>? parameters, CancellationToken cancellationToken)
    {
        await RequireDatabaseAccessAsync(info.DbName, write: true, cancellationToken);
        ValidateFilter(info, filter, parameters);
        if (!info.IsLoaded)
            throw new MilvusException(ErrorCodes.CollectionNotLoaded, $"collection not loaded[collection={info.Name}]: deleting by filter reads the collection, so load it first (or delete by primary keys)");
        var partitions = string.IsNullOrEmpty(partitionName) ? null : new[] { partitionName };
        var result = await QueryAsync(info, new QueryArgs { Filter = filter, FilterParams = parameters, PartitionNames = partitions, Consistency = ConsistencyLevel.Strong, Limit = -1 }, cancellationToken);
        return await DeleteKeysAsync(info, partitionName, result.Result.Keys, cancellationToken);
    }

    private static ColumnBlock Slice(ColumnBlock rows, List<int> indexes)
    {
        var block = new ColumnBlock(rows.Schema, indexes.Count);
        for (int f = 0; f < rows.Columns.Length; f++)
        {
            var dst = block.Columns[f];
            var src = rows.Columns[f];
            foreach (int r in indexes)
                ColumnCopy.AppendRow(dst, src, r);
        }
        block.PublishRows(indexes.Count);
        return block;
    }
}
