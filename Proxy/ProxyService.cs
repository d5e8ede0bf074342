using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Expressions;
using VectorAspire.Core.Query;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments;
using VectorAspire.Core.Time;

namespace VectorAspire.Proxy;

/// <summary>
/// The Proxy role's logic, shared by every API surface (REST v2 now, gRPC later): resolves collections, checks
/// requests, routes rows to shards and partitions, picks guarantee timestamps from the consistency level, fans
/// reads out to shard delegators and reduces their results.
/// </summary>
public sealed partial class ProxyService(ICoordinatorClient coordinator, IStreamingNodeClient streaming, IOptions<ProxyOptions> options)
{
    private readonly ProxyOptions _options = options.Value;
    private readonly ConcurrentDictionary<long, ulong> _lastWriteTs = new();
    private ulong _recentTs;
    private long _recentTsAt;

    public ProxyOptions Options => _options;

    public ICoordinatorClient Coordinator => coordinator;

    public IStreamingNodeClient Streaming => streaming;

    public async ValueTask<CollectionInfo> RequireCollectionAsync(string? db, string? name, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(name))
            throw MilvusErrors.Missing("collectionName");
        return await coordinator.FindCollectionAsync(db ?? "default", name, cancellationToken)
            ?? throw MilvusErrors.CollectionNotFound(name);
    }

    /// <summary>
    /// Enforces the database's database.force.deny.writing / database.force.deny.reading with Milvus's error
    /// (quota exceeded, code 9). Writes are inserts, upserts and deletes; reads are searches and queries.
    /// </summary>
    public async ValueTask RequireDatabaseAccessAsync(string db, bool write, CancellationToken cancellationToken)
    {
        var info = await coordinator.FindDatabaseAsync(db, cancellationToken) ?? throw MilvusErrors.DatabaseNotFound(db);
        if (write ? DatabaseProperties.DeniesWriting(info) : DatabaseProperties.DeniesReading(info))
        {
            string key = write ? DatabaseProperties.ForceDenyWriting : DatabaseProperties.ForceDenyReading;
            throw new MilvusException(ErrorCodes.ServiceQuotaExceeded,
                $"quota exceeded[reason=access has been disabled by the administrator]: database '{info.Name}' has {key}=true; alter the database to set it to false");
        }
    }

    /// <summary>Partitions a read covers: the named ones (must be loaded) or every loaded partition.</summary>
    public static IReadOnlyList<long> ResolveReadPartitions(CollectionInfo info, IReadOnlyList<string>? names)
    {
        if (!info.IsLoaded)
            throw MilvusErrors.CollectionNotLoaded(info.Name);
        if (names is null || names.Count == 0)
            return info.LoadedPartitionIds;
        var ids = new List<long>();
        foreach (var n in names)
        {
            var p = info.FindPartition(n) ?? throw MilvusErrors.PartitionNotFound(n);
            if (!info.LoadedPartitionIds.Contains(p.PartitionId))
                throw new MilvusException(ErrorCodes.PartitionNotLoaded, $"partition not loaded[partition={n}]: load it (POST /v2/vectordb/partitions/load) before search or query");
            ids.Add(p.PartitionId);
        }
        return ids;
    }

    /// <summary>
    /// The guarantee timestamp for a read at <paramref name="level"/> (Milvus semantics): Strong = now, Bounded = now − 5 s,
    /// Eventually = no wait; Session and Customized use the client's <paramref name="clientTimestamp"/> when it sent one
    /// (Session falls back to the last write this proxy acknowledged for the collection). A client timestamp is capped
    /// at "now" so it can never move a channel's serviceable time past timestamps not issued yet.
    /// </summary>
    public async ValueTask<ulong> GuaranteeTimestampAsync(CollectionInfo info, ConsistencyLevel? level, CancellationToken cancellationToken, ulong clientTimestamp = 0)
    {
        switch (level ?? info.ConsistencyLevel)
        {
            case ConsistencyLevel.Strong:
                return await coordinator.AllocateTimestampAsync(1, cancellationToken);
            case ConsistencyLevel.Bounded:
                {
                    // "Now minus the staleness" needs no round trip when this proxy got a timestamp less than a second
                    // ago: that timestamp plus the time since, minus the staleness, is still below it (never a
                    // timestamp not issued yet), and no staler than asked.
                    long staleMs = (long)_options.BoundedStaleness.TotalMilliseconds;
                    long ageMs = (long)Stopwatch.GetElapsedTime(Interlocked.Read(ref _recentTsAt)).TotalMilliseconds;
                    ulong recent = Interlocked.Read(ref _recentTs);
                    if (recent != 0 && ageMs >= 0 && ageMs < 1000 && ageMs < staleMs)
                        return HybridTimestamp.SubtractMilliseconds(recent, staleMs - ageMs);
                    ulong now = await coordinator.AllocateTimestampAsync(1, cancellationToken);
                    Interlocked.Exchange(ref _recentTsAt, Stopwatch.GetTimestamp());
                    Interlocked.Exchange(ref _recentTs, now);
                    return HybridTimestamp.SubtractMilliseconds(now, staleMs);
                }
            case ConsistencyLevel.Session or ConsistencyLevel.Customized when clientTimestamp > 0:
                return Math.Min(clientTimestamp, await coordinator.AllocateTimestampAsync(1, cancellationToken));
            case ConsistencyLevel.Session:
                return _lastWriteTs.TryGetValue(info.CollectionId, out var ts) ? ts : 1;
            default:
                return 1;
        }
    }

    /// <summary>Checks a filter against the schema now, so a bad filter is reported before any shard runs it.</summary>
    public static void ValidateFilter(CollectionInfo info, string? filter, IReadOnlyDictionary<string, System.Text.Json.JsonElement>? parameters)
    {
        if (string.IsNullOrWhiteSpace(filter))
            return;
        try
        {
            FilterCompiler.Compile(filter, info.Schema, parameters);
        }
        catch (FilterSyntaxException ex)
        {
            throw new MilvusException(ErrorCodes.ParameterInvalid, $"failed to parse filter '{filter}': {ex.Message}", ex);
        }
        catch (FilterBindException ex)
        {
            throw new MilvusException(ErrorCodes.ParameterInvalid, $"invalid filter '{filter}': {ex.Message}", ex);
        }
    }

    private void RecordWrite(long collectionId, ulong ts)
        => _lastWriteTs.AddOrUpdate(collectionId, ts, (_, old) => Math.Max(old, ts));

    public static int FieldIndex(CollectionSchema schema, FieldSchema field)
    {
        for (int i = 0; i < schema.Fields.Count; i++)
        {
            if (schema.Fields[i].FieldId == field.FieldId)
                return i;
        }
        throw new InvalidOperationException($"field {field.Name} is not in the schema");
    }

    internal static PrimaryKey KeyAt(ColumnBlock block, int pkIndex, int row) => PrimaryKey.FromColumn(block.Columns[pkIndex], row);
}
