using System.Text.Json;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Segments;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Query;

/// <summary>A validated vector search, ready to run on any segment of the collection.</summary>
public sealed record SearchPlan
{
    /// <summary>Partitions to search (never empty: the proxy resolves "all loaded partitions").</summary>
    public required IReadOnlyList<long> PartitionIds { get; init; }
    public required int VectorFieldIndex { get; init; }
    public required MetricType Metric { get; init; }
    /// <summary>Nq query vectors, row-major, as the client sent them.</summary>
    public required float[] Queries { get; init; }
    public required int Nq { get; init; }
    public required int Dim { get; init; }
    /// <summary>Hits to keep per query: offset + limit.</summary>
    public required int TopK { get; init; }
    public string? Filter { get; init; }
    public IReadOnlyDictionary<string, JsonElement>? FilterParams { get; init; }
    public float? Radius { get; init; }
    public float? RangeFilter { get; init; }
    /// <summary>Index search knobs (HNSW ef, IVF nprobe); 0 = the index's default.</summary>
    public Indexes.IndexSearchParams IndexParams { get; init; }
    /// <summary>Search only sealed segments (Milvus's ignore_growing).</summary>
    public bool IgnoreGrowing { get; init; }
}

/// <summary>A validated scalar query (filter, or primary keys), with the fields to return.</summary>
public sealed record QueryPlan
{
    public required IReadOnlyList<long> PartitionIds { get; init; }
    public string? Filter { get; init; }
    public IReadOnlyDictionary<string, JsonElement>? FilterParams { get; init; }
    /// <summary>When set, only rows with these keys (get by id, and search's second phase).</summary>
    public IReadOnlyList<PrimaryKey>? Keys { get; init; }
    /// <summary>Schema field indexes to return (the primary key is always returned).</summary>
    public required IReadOnlyList<int> OutputFieldIndexes { get; init; }
    /// <summary>Rows to return at most (offset + limit); -1 = no limit.</summary>
    public int Limit { get; init; } = -1;
    /// <summary>Only count matching rows.</summary>
    public bool CountOnly { get; init; }
}

public readonly record struct SearchHit(PrimaryKey Pk, float Score, ulong Timestamp);

/// <summary>Hits per query, each list best-first.</summary>
public sealed record ShardSearchResult(IReadOnlyList<SearchHit>[] Hits);

/// <summary>
/// Matching rows: <see cref="Rows"/> holds the primary key and output fields, in <see cref="FieldIndexes"/> order
/// (schema field indexes), sorted by primary key. For counts only <see cref="Count"/> is set.
/// </summary>
public sealed record ShardQueryResult(IReadOnlyList<int> FieldIndexes, IReadOnlyList<Column> Columns, IReadOnlyList<PrimaryKey> Keys, IReadOnlyList<ulong> Timestamps, long Count);
