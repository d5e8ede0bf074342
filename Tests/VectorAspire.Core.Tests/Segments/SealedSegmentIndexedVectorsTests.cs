using VectorAspire.Core.Columns;
using VectorAspire.Core.Indexes;
using VectorAspire.Core.Query;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments;
using VectorAspire.Core.Vectors;
using Xunit.Abstractions;

namespace VectorAspire.Core.Tests.Segments;

/// <summary>
/// A sealed segment releases its raw vector column while a loaded index holds the exact vectors, serves every read
/// from the index meanwhile, and gets the column back when the index goes.
/// </summary>
public sealed class SealedSegmentIndexedVectorsTests(ITestOutputHelper output)
{
    private const int Rows = 700;
    private const int Dim = 16;
    private const int Seed = 20240611;
    private const int VectorField = 1;

    private static CollectionSchema Schema(bool nullableVectors = false) => new()
    {
        Name = "dedup",
        Fields =
        [
            new FieldSchema { FieldId = 100, Name = "id", DataType = DataType.Int64, IsPrimaryKey = true },
            new FieldSchema { FieldId = 101, Name = "v", DataType = DataType.FloatVector, Dim = Dim, Nullable = nullableVectors },
            new FieldSchema { FieldId = 102, Name = "n", DataType = DataType.Int32 },
        ],
    };

    /// <summary>A sealed segment of <see cref="Rows"/> seeded random rows (every 7th vector null when nullable).</summary>
    private SealedSegment NewSegment(bool nullableVectors = false)
    {
        output.WriteLine($"seed {Seed}");
        var schema = Schema(nullableVectors);
        var rng = new Random(Seed);
        var block = new ColumnBlock(schema, Rows);
        var v = new float[Dim];
        for (int i = 0; i < Rows; i++)
        {
            ((FixedColumn<long>)block.Columns[0]).Append(i);
            if (nullableVectors && i % 7 == 3)
            {
                block.Columns[VectorField].AppendNull();
            }
            else
            {
                for (int d = 0; d < Dim; d++)
                    v[d] = (float)((rng.NextDouble() * 2) - 1);
                ((VectorColumn)block.Columns[VectorField]).Append(v);
            }
            ((FixedColumn<int>)block.Columns[2]).Append(i % 10);
        }
        block.PublishRows(Rows);
        var ts = new ulong[Rows];
        ts.AsSpan().Fill(5);
        return new SealedSegment(1, 1, 1, "v", schema, block, ts);
    }

    private static VectorColumn Column(SealedSegment seg) => (VectorColumn)seg.Block.Columns.Columns[VectorField];

    private static Dictionary<string, string> BuildParams(string indexType) => indexType switch
    {
        "HNSW" => new() { ["M"] = "8", ["efConstruction"] = "64" },
        "HNSW_SQ" => new() { ["M"] = "8", ["efConstruction"] = "64", ["sq_type"] = "SQ8", ["refine"] = "true" },
        "HNSW_SQ_NOREFINE" => new() { ["M"] = "8", ["efConstruction"] = "64", ["sq_type"] = "SQ8" },
        "IVF_PQ" => new() { ["nlist"] = "8", ["m"] = "4", ["nbits"] = "8" },
        _ => new() { ["nlist"] = "8" },
    };

    /// <summary>Builds from the segment's vectors, serializes and loads back the way the QueryNode does.</summary>
    private static LoadedIndex LoadIndex(SealedSegment seg, string indexType, MetricType metric)
    {
        string type = indexType == "HNSW_SQ_NOREFINE" ? "HNSW_SQ" : indexType;
        var vectors = seg.VectorsForIndexLoad(VectorField);
        var built = VectorIndexFactory.Build(type, vectors, Rows, Dim, metric, BuildParams(indexType), 1, CancellationToken.None);
        var loaded = VectorIndexFactory.Load(type, built.Serialize(), VectorIndexFactory.LoadReadsSegmentVectors(type) ? seg.VectorsForIndexLoad(VectorField) : default);
        return new LoadedIndex($"{indexType}-{metric}", loaded);
    }

    /// <summary>Every row's vector through the query path (by scan), as raw bits; null rows as an empty array.</summary>
    private static int[][] QueryVectors(SealedSegment seg)
    {
        var plan = new QueryPlan { PartitionIds = [1], OutputFieldIndexes = [VectorField], Filter = "id >= 0" };
        var result = SegmentQuerier.Query(seg.Schema, [seg], plan, 10);
        Assert.Equal(Rows, result.Count);
        var column = (VectorColumn)result.Columns[1];
        var bits = new int[Rows][];
        for (int r = 0; r < Rows; r++)
            bits[(int)result.Keys[r].Int] = column.IsNull(r) ? [] : Bits(column.Row(r));
        return bits;
    }

    /// <summary>Vectors of a few keys through get-by-id.</summary>
    private static int[][] GetVectors(SealedSegment seg, long[] keys)
    {
        var plan = new QueryPlan { PartitionIds = [1], OutputFieldIndexes = [2, VectorField], Keys = [.. keys.Select(PrimaryKey.Of)] };
        var result = SegmentQuerier.Query(seg.Schema, [seg], plan, 10);
        var column = (VectorColumn)result.Columns[2];
        return [.. Enumerable.Range(0, result.Keys.Count).Select(r => column.IsNull(r) ? Array.Empty<int>() : Bits(column.Row(r)))];
    }

    private static int[] Bits(ReadOnlySpan<float> v)
    {
        var bits = new int[v.Length];
        for (int i = 0; i < v.Length; i++)
            bits[i] = BitConverter.SingleToInt32Bits(v[i]);
        return bits;
    }

    private static SearchPlan Plan(MetricType metric, float[] queries, string? filter = null, float? radius = null) => new()
    {
        PartitionIds = [1],
        VectorFieldIndex = VectorField,
        Metric = metric,
        Queries = queries,
        Nq = queries.Length / Dim,
        Dim = Dim,
        TopK = 10,
        Filter = filter,
        Radius = radius,
    };

    private static float[] Queries(int nq)
    {
        var rng = new Random(Seed + 1);
        var q = new float[nq * Dim];
        for (int i = 0; i < q.Length; i++)
            q[i] = (float)((rng.NextDouble() * 2) - 1);
        return q;
    }

    private static (long Pk, float Score)[][] Hits(ShardSearchResult result)
        => [.. result.Hits.Select(h => h.Select(x => (x.Pk.Int, x.Score)).ToArray())];

    [Theory]
    [InlineData("HNSW", MetricType.L2)]
    [InlineData("HNSW", MetricType.IP)]
    [InlineData("IVF_FLAT", MetricType.L2)]
    [InlineData("IVF_FLAT", MetricType.IP)]
    [InlineData("HNSW_SQ", MetricType.L2)]
    [InlineData("HNSW_SQ", MetricType.IP)]
    public void AnIndexHoldingExactVectorsReplacesTheColumnAndReadsBackBitIdentical(string indexType, MetricType metric)
    {
        var seg = NewSegment();
        var expected = QueryVectors(seg);
        long[] keys = [0, 5, 123, 699];
        var expectedGet = GetVectors(seg, keys);
        long memoryBefore = seg.MemoryBytes;

        var index = LoadIndex(seg, indexType, metric);
        Assert.True(index.Index.HasRawVectors);
        seg.SetIndex(VectorField, index);

        Assert.True(Column(seg).IsIndexBacked);
        Assert.Equal((long)Rows * Dim * sizeof(float), memoryBefore - seg.MemoryBytes);
        Assert.Equal(expected, QueryVectors(seg));
        Assert.Equal(expectedGet, GetVectors(seg, keys));

        Assert.True(seg.RemoveIndex(VectorField));
        Assert.False(Column(seg).IsIndexBacked);
        Assert.Equal(memoryBefore, seg.MemoryBytes);
        Assert.Equal(expected, QueryVectors(seg));
        Assert.Equal(expectedGet, GetVectors(seg, keys));
    }

    [Theory]
    [InlineData("HNSW", MetricType.Cosine)]
    [InlineData("IVF_FLAT", MetricType.Cosine)]
    [InlineData("HNSW_SQ", MetricType.Cosine)]
    [InlineData("HNSW_SQ_NOREFINE", MetricType.L2)]
    [InlineData("IVF_SQ8", MetricType.L2)]
    [InlineData("IVF_PQ", MetricType.IP)]
    [InlineData("FLAT", MetricType.L2)]
    public void AnIndexWithoutExactVectorsKeepsTheColumn(string indexType, MetricType metric)
    {
        var seg = NewSegment();
        var expected = QueryVectors(seg);
        long memoryBefore = seg.MemoryBytes;
        var index = LoadIndex(seg, indexType, metric);
        Assert.False(index.Index.HasRawVectors);
        Assert.Throws<NotSupportedException>(() => index.Index.CopyVectors(0, new float[Dim]));

        seg.SetIndex(VectorField, index);

        Assert.False(Column(seg).IsIndexBacked);
        Assert.Equal(memoryBefore, seg.MemoryBytes);
        Assert.Equal(expected, QueryVectors(seg));
    }

    [Fact]
    public void NullVectorsStayNullWhileTheIndexHoldsTheVectors()
    {
        var seg = NewSegment(nullableVectors: true);
        var expected = QueryVectors(seg);
        Assert.Empty(expected[3]);
        seg.SetIndex(VectorField, LoadIndex(seg, "HNSW", MetricType.L2));
        Assert.True(Column(seg).IsIndexBacked);
        Assert.Equal(expected, QueryVectors(seg));
    }

    [Fact]
    public void ReplacingTheIndexMovesTheVectorsBetweenColumnAndIndexWithoutChangingThem()
    {
        var seg = NewSegment();
        var expected = QueryVectors(seg);
        seg.SetIndex(VectorField, LoadIndex(seg, "HNSW", MetricType.L2));
        Assert.True(Column(seg).IsIndexBacked);

        // IVF_PQ re-ranks with the segment's vectors: the column comes back out of the HNSW index before PQ loads.
        seg.SetIndex(VectorField, LoadIndex(seg, "IVF_PQ", MetricType.L2));
        Assert.False(Column(seg).IsIndexBacked);
        Assert.Equal(expected, QueryVectors(seg));

        seg.SetIndex(VectorField, LoadIndex(seg, "IVF_FLAT", MetricType.IP));
        Assert.True(Column(seg).IsIndexBacked);
        seg.SetIndex(VectorField, LoadIndex(seg, "HNSW", MetricType.IP));
        Assert.True(Column(seg).IsIndexBacked);
        Assert.Equal(expected, QueryVectors(seg));
    }

    [Theory]
    [InlineData("HNSW", MetricType.IP, MetricType.L2)]
    [InlineData("IVF_FLAT", MetricType.L2, MetricType.Cosine)]
    [InlineData("HNSW_SQ", MetricType.L2, MetricType.IP)]
    public void ASearchWithAnotherMetricThanTheIndexRunsExactlyOverTheIndexedVectors(string indexType, MetricType indexMetric, MetricType searchMetric)
    {
        var plain = NewSegment();
        var indexed = NewSegment();
        indexed.SetIndex(VectorField, LoadIndex(indexed, indexType, indexMetric));
        Assert.True(Column(indexed).IsIndexBacked);
        var queries = Queries(3);

        foreach (var plan in new[]
        {
            Plan(searchMetric, queries),
            Plan(searchMetric, queries, filter: "n == 3"),
            Plan(searchMetric, queries, radius: searchMetric == MetricType.L2 ? 8f : 0.1f),
        })
        {
            var expected = Hits(SegmentSearcher.Search(plain.Schema, [plain], plan, 10));
            Assert.All(expected, h => Assert.NotEmpty(h));
            Assert.Equal(expected, Hits(SegmentSearcher.Search(indexed.Schema, [indexed], plan, 10)));
        }
    }

    [Fact]
    public void IvfFlatSparseFilterFallbackScoresFromItsOwnVectors()
    {
        var plain = NewSegment();
        var indexed = NewSegment();
        indexed.SetIndex(VectorField, LoadIndex(indexed, "IVF_FLAT", MetricType.L2));
        var queries = Queries(2);
        // Three eligible rows: far below the candidates a probe would see, so the index scores them exactly.
        var plan = Plan(MetricType.L2, queries, filter: "id in [7, 300, 650]");
        var exact = Hits(SegmentSearcher.Search(plain.Schema, [plain], plan, 10));
        var viaIndex = Hits(SegmentSearcher.Search(indexed.Schema, [indexed], plan, 10));
        Assert.Equal(exact, viaIndex);
        Assert.All(viaIndex, h => Assert.Equal(3, h.Length));
    }

    [Fact]
    public async Task ReadsRunningWhileIndexesAreLoadedAndDroppedNeverFail()
    {
        var seg = NewSegment();
        var expected = QueryVectors(seg);
        var queries = Queries(2);
        var exactPlan = Plan(MetricType.Cosine, queries);
        var expectedHits = Hits(SegmentSearcher.Search(seg.Schema, [seg], exactPlan, 10));
        var indexes = new[] { LoadIndex(seg, "HNSW", MetricType.L2), LoadIndex(seg, "IVF_FLAT", MetricType.IP), LoadIndex(seg, "IVF_SQ8", MetricType.L2) };

        using var stop = new CancellationTokenSource();
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            int rounds = 0;
            while (!stop.IsCancellationRequested || rounds == 0)
            {
                if (r == 0)
                    Assert.Equal(expected, QueryVectors(seg));
                else
                    Assert.Equal(expectedHits, Hits(SegmentSearcher.Search(seg.Schema, [seg], exactPlan, 10)));
                rounds++;
            }
            return rounds;
        })).ToArray();

        var deadline = DateTime.UtcNow.AddSeconds(2);
        int changes = 0;
        while (DateTime.UtcNow < deadline && !readers.Any(t => t.IsCompleted))
        {
            var index = indexes[changes % indexes.Length];
            seg.SetIndex(VectorField, index);
            if (changes % 2 == 1)
                seg.RemoveIndex(VectorField);
            changes++;
        }
        stop.Cancel();
        int[] rounds = await Task.WhenAll(readers);
        output.WriteLine($"{changes} index changes, reader rounds {string.Join(", ", rounds)}");
        Assert.All(rounds, n => Assert.True(n > 0));
        Assert.Equal(expected, QueryVectors(seg));
    }

    [Fact]
    public void CopyVectorsChecksItsRowRange()
    {
        var seg = NewSegment();
        var index = LoadIndex(seg, "HNSW", MetricType.L2).Index;
        var all = new float[Rows * Dim];
        index.CopyVectors(0, all);
        Assert.Equal(seg.VectorsForIndexLoad(VectorField).ToArray(), all);
        Assert.Throws<ArgumentOutOfRangeException>(() => index.CopyVectors(Rows - 1, new float[2 * Dim]));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.CopyVectors(-1, new float[Dim]));
        Assert.Throws<ArgumentException>(() => index.CopyVectors(0, new float[Dim + 1]));
    }
}
