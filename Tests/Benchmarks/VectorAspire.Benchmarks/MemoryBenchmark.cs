using System.Globalization;
using System.Text;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Indexes;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments;
using VectorAspire.Core.Segments.Format;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Benchmarks;

/// <summary>
/// Memory of loaded data against the raw column bytes (vectors + scalars + var data), for a growing segment filled
/// in insert batches and for the same rows sealed, written and loaded back. Reports both the segments' own
/// accounting (MemoryBytes) and the managed-heap growth measured by the GC.
/// With <c>--index HNSW</c> (or HNSW_SQ, IVF_FLAT, ...) it then builds that index on the sealed vectors, loads it from
/// its serialized bytes as the QueryNode does and reports managed heap + the index's (native) bytes with the raw
/// column still held (what every load did before the segment could release it) and after
/// <see cref="SealedSegment.SetIndex"/>, which releases the column when the index holds the exact vectors.
/// usage: memory [--rows N] [--dim D] [--index TYPE] [--metric L2|IP|COSINE] [--m M] [--ef-construction EF]
/// </summary>
internal static class MemoryBenchmark
{
    public static int Run(string[] args)
    {
        int rows = 100_000, dim = 128;
        string? indexType = null;
        var metric = MetricType.L2;
        var buildParams = new Dictionary<string, string> { ["M"] = "16", ["efConstruction"] = "100" };
        for (int i = 1; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--rows")
                rows = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            else if (args[i] == "--dim")
                dim = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            else if (args[i] == "--index")
                indexType = args[i + 1].ToUpperInvariant();
            else if (args[i] == "--metric")
                metric = MetricTypes.Parse(args[i + 1]);
            else if (args[i] == "--m")
                buildParams["M"] = args[i + 1];
            else if (args[i] == "--ef-construction")
                buildParams["efConstruction"] = args[i + 1];
        }
        var schema = new CollectionSchema
        {
            Name = "mem",
            Fields =
            [
                new FieldSchema { FieldId = 100, Name = "id", DataType = DataType.Int64, IsPrimaryKey = true },
                new FieldSchema { FieldId = 101, Name = "vector", DataType = DataType.FloatVector, Dim = dim },
                new FieldSchema { FieldId = 102, Name = "tag", DataType = DataType.VarChar, MaxLength = 32 },
                new FieldSchema { FieldId = 103, Name = "score", DataType = DataType.Float },
            ],
        };
        var rng = new Random(1);
        long raw = 0;
        long before = Heap();
        var growing = new GrowingSegment(1, 1, 1, "v", schema);
        var vec = new float[dim];
        const int Batch = 1000;
        for (int start = 0; start < rows; start += Batch)
        {
            int n = Math.Min(Batch, rows - start);
            var block = new ColumnBlock(schema, n);
            for (int i = 0; i < n; i++)
            {
                ((FixedColumn<long>)block.Columns[0]).Append(start + i);
                for (int d = 0; d < dim; d++)
                    vec[d] = (float)rng.NextDouble();
                ((VectorColumn)block.Columns[1]).Append(vec);
                ((VarColumn)block.Columns[2]).Append(Encoding.UTF8.GetBytes($"tag-{rng.Next(100000)}"));
                ((FixedColumn<float>)block.Columns[3]).Append((float)rng.NextDouble());
            }
            block.PublishRows(n);
            raw += ColumnCopy.EstimateBytes(block);
            growing.Append(block, (ulong)(start + 1));
        }
        long growingHeap = Heap() - before;
        Report("growing", rows, raw, growing.MemoryBytes, growingHeap);

        var (all, ts, _) = growing.Snapshot();
        var files = SealedSegmentWriter.Write(new SegmentIdentity(1, 1, 2, "v"), all, ts).Files;
        all = null!;
        ts = null!;
        growing = null!;
        long beforeSealed = Heap();
        var data = SealedSegmentReader.ReadAsync(schema, key => ValueTask.FromResult(files[key])).AsTask().GetAwaiter().GetResult();
        var sealedSegment = new SealedSegment(2, 1, 1, "v", schema, data.Block, data.Timestamps);
        data = null!;
        long sealedHeap = Heap() - beforeSealed;
        Report("sealed", rows, raw, sealedSegment.MemoryBytes, sealedHeap);
        GC.KeepAlive(files);
        if (indexType is not null)
            ReportIndexed(sealedSegment, indexType, metric, buildParams, beforeSealed);
        GC.KeepAlive(sealedSegment);
        return 0;
    }

    private static void ReportIndexed(SealedSegment segment, string indexType, MetricType metric, Dictionary<string, string> buildParams, long baseline)
    {
        const int VectorField = 1;
        var index = BuildAndLoad(segment, VectorField, indexType, metric, buildParams);
        ReportLoaded("column + index (before)", segment, index, Heap() - baseline);
        segment.SetIndex(VectorField, new LoadedIndex(indexType, index));
        ReportLoaded(((VectorColumn)segment.Block.Columns.Columns[VectorField]).IsIndexBacked ? "index only (after)" : "column kept (after)",
            segment, index, Heap() - baseline);
    }

    // Its own frame so that the serialized bytes are unreachable once it returns (Tier-0 code keeps locals alive to the
    // end of the method).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static IVectorIndex BuildAndLoad(SealedSegment segment, int field, string indexType, MetricType metric, Dictionary<string, string> buildParams)
    {
        var column = (VectorColumn)segment.Block.Columns.Columns[field];
        var watch = System.Diagnostics.Stopwatch.StartNew();
        byte[] bytes = VectorIndexFactory.Build(indexType, column.RawValues.AsMemory(0, column.Count * column.Dim), column.Count, column.Dim, metric,
            buildParams, Environment.ProcessorCount, CancellationToken.None).Serialize();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"built {indexType} {metric.ToMilvusName()} in {watch.Elapsed.TotalSeconds:F1} s, {bytes.Length / 1e6:F1} MB serialized"));
        var vectors = VectorIndexFactory.LoadReadsSegmentVectors(indexType) ? segment.VectorsForIndexLoad(field) : default;
        return VectorIndexFactory.Load(indexType, bytes, vectors);
    }

    /// <summary>Managed heap growth since the sealed load started, plus native bytes: HNSW keeps its node blocks in
    /// native memory (counted by its MemoryBytes; the few managed arrays it also counts are under 1%), the other
    /// indexes live on the managed heap, which already counts them.</summary>
    private static void ReportLoaded(string what, SealedSegment segment, IVectorIndex index, long heap)
    {
        long native = index is VectorAspire.Core.Indexes.Hnsw.HnswIndex ? index.MemoryBytes : 0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memory {what,-24}: managed heap {heap / 1e6:F1} MB + native {native / 1e6:F1} MB = {(heap + native) / 1e6:F1} MB; segment accounting columns {segment.MemoryBytes / 1e6:F1} MB + index {segment.IndexMemoryBytes / 1e6:F1} MB"));
    }

    private static long Heap()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(true);
    }

    private static void Report(string what, int rows, long raw, long accounted, long heap)
        => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memory {what,-8}: {rows} rows, raw column bytes {raw / 1e6:F1} MB; segment accounting {accounted / 1e6:F1} MB = {(double)accounted / raw:F3}x; managed heap growth {heap / 1e6:F1} MB = {(double)heap / raw:F3}x"));
}
