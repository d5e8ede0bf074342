using System.Globalization;
using System.Text;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments;
using VectorAspire.Core.Segments.Format;

namespace VectorAspire.Benchmarks;

/// <summary>
/// Memory of loaded data against the raw column bytes (vectors + scalars + var data), for a growing segment filled
/// in insert batches and for the same rows sealed, written and loaded back. Reports both the segments' own
/// accounting (MemoryBytes) and the managed-heap growth measured by the GC.
/// usage: memory [--rows N] [--dim D]
/// </summary>
internal static class MemoryBenchmark
{
    public static int Run(string[] args)
    {
        int rows = 100_000, dim = 128;
        for (int i = 1; i + 1 < args.Length; i += 2)
        {
            if (args[i] == "--rows")
                rows = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            else if (args[i] == "--dim")
                dim = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
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
        GC.KeepAlive(sealedSegment);
        GC.KeepAlive(files);
        return 0;
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
