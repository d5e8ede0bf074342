using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments.Format;

namespace VectorAspire.Core.Tests.Segments;

public sealed class SealedSegmentRoundTripTests
{
    private static readonly SegmentIdentity s_identity = new(CollectionId: 4401, PartitionId: 4402, SegmentId: 4403, VChannel: "by-dev-rootcoord-dml_3_4401v0");

    private static (CollectionSchema Schema, ColumnBlock Block, ulong[] Timestamps) Segment(int rows, int seed, DataType pkType = DataType.Int64)
    {
        var rng = new Random(seed);
        var schema = SegmentTestData.AllTypesSchema(pkType);
        var block = SegmentTestData.MakeBlock(schema, rows, rng);
        var ts = new ulong[rows];
        for (int i = 0; i < rows; i++)
            ts[i] = (ulong)(450_000_000_000_000_000L + rng.Next(1_000_000));
        return (schema, block, ts);
    }

    private static Func<string, ValueTask<byte[]>> FetchFrom(IReadOnlyDictionary<string, byte[]> files) =>
        key => files.TryGetValue(key, out var b) ? ValueTask.FromResult(b) : throw new KeyNotFoundException(key);

    [Theory]
    [InlineData(0, DataType.Int64)]
    [InlineData(1, DataType.Int64)]
    [InlineData(1500, DataType.Int64)]
    [InlineData(700, DataType.VarChar)]
    public async Task WholeSegmentRoundTripsOverEveryDataType(int rows, DataType pkType)
    {
        var (schema, block, ts) = Segment(rows, seed: rows + 17, pkType);
        var deltas = pkType == DataType.Int64
            ? new[] { DeltaLog.FromInt64([1, 2, 3], [7, 8, 9]) }
            : new[] { DeltaLog.FromVarChar(["a", "b"], [7, 8]) };
        var written = SealedSegmentWriter.Write(s_identity, block, ts, deltas);

        Assert.Contains(SealedSegmentWriter.ManifestFileName, written.Files.Keys);
        Assert.Equal(schema.Fields.Count + 4, written.Files.Count);

        var read = await SealedSegmentReader.ReadAsync(schema, FetchFrom(written.Files), CancellationToken.None);
        Assert.Equal(rows, read.Block.RowCount);
        for (int i = 0; i < schema.Fields.Count; i++)
            SegmentTestData.AssertColumnsEqual(block.Columns[i], read.Block.Columns[i]);
        Assert.Equal(ts, read.Timestamps);
        Assert.Equal(rows, read.Stats.RowCount);
        Assert.Equal(1, read.Stats.PkFieldId);
        Assert.Equal(s_identity, new SegmentIdentity(read.Manifest.CollectionId, read.Manifest.PartitionId, read.Manifest.SegmentId, read.Manifest.VChannel));
        Assert.Equal(written.Manifest.Files, read.Manifest.Files);
        Assert.Equal(rows == 0 ? 0UL : ts.Min(), read.Manifest.MinTimestamp);
        Assert.Equal(rows == 0 ? 0UL : ts.Max(), read.Manifest.MaxTimestamp);
        Assert.Single(read.DeltaLogs);
        Assert.Equal(pkType, read.DeltaLogs[0].PkType);

        var pk = read.Block.Columns[0];
        for (int r = 0; r < rows; r++)
        {
            Assert.True(pk is FixedColumn<long> l
                ? read.Stats.PkFilter!.MightContain(l.Get(r))
                : read.Stats.PkFilter!.MightContain(((VarColumn)pk).Get(r)));
        }
    }

    [Fact]
    public async Task ManifestRecordsEverySizeAndCrcAndIsAloneEnoughToPlanALoad()
    {
        var (_, block, ts) = Segment(50, seed: 5);
        var written = SealedSegmentWriter.Write(s_identity, block, ts);
        var manifest = SegmentManifestFile.Read(written.Files[SealedSegmentWriter.ManifestFileName]);
        foreach (var entry in manifest.Files)
        {
            Assert.Equal(written.Files[entry.Key].Length, entry.Size);
            Assert.NotEqual(0u, entry.Crc);
        }
        Assert.Equal(manifest.TotalFileBytes, written.Files.Where(f => f.Key != SealedSegmentWriter.ManifestFileName).Sum(f => (long)f.Value.Length));
        Assert.Equal(SealedSegmentWriter.ColumnFileName(10), manifest.FindColumn(10)!.Key);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task SwappedFileFromAnotherSegmentIsRejectedByTheManifest()
    {
        var (schema, block, ts) = Segment(40, seed: 1);
        var a = SealedSegmentWriter.Write(s_identity, block, ts);
        var (_, block2, ts2) = Segment(40, seed: 2);
        var b = SealedSegmentWriter.Write(s_identity, block2, ts2);
        var mixed = new Dictionary<string, byte[]>(a.Files) { [SealedSegmentWriter.ColumnFileName(12)] = b.Files[SealedSegmentWriter.ColumnFileName(12)] };
        var ex = await Assert.ThrowsAsync<SegmentFormatException>(async () => await SealedSegmentReader.ReadAsync(schema, FetchFrom(mixed)));
        Assert.Contains("columns/12.vacf", ex.Message);
    }

    [Fact]
    public async Task SchemaThatDoesNotMatchTheSegmentIsRejected()
    {
        var (schema, block, ts) = Segment(10, seed: 3);
        var written = SealedSegmentWriter.Write(s_identity, block, ts);
        var extra = schema with { Fields = [.. schema.Fields, new FieldSchema { FieldId = 999, Name = "added", DataType = DataType.Int32, Nullable = true }] };
        var ex = await Assert.ThrowsAsync<SegmentFormatException>(async () => await SealedSegmentReader.ReadAsync(extra, FetchFrom(written.Files)));
        Assert.Contains("no column file for field 'added'", ex.Message);
        var retyped = schema with { Fields = [.. schema.Fields.Select(f => f.FieldId == 10 ? f with { DataType = DataType.Int8 } : f)] };
        await Assert.ThrowsAsync<SegmentFormatException>(async () => await SealedSegmentReader.ReadAsync(retyped, FetchFrom(written.Files)));
    }

    public static TheoryData<string> FileKeys() =>
    [
        SealedSegmentWriter.ManifestFileName,
        SealedSegmentWriter.TimestampsFileName,
        SealedSegmentWriter.StatsFileName,
        SealedSegmentWriter.DeltaLogFileName(0),
        SealedSegmentWriter.ColumnFileName(1),
        SealedSegmentWriter.ColumnFileName(10),
        SealedSegmentWriter.ColumnFileName(25),
        SealedSegmentWriter.ColumnFileName(27),
        SealedSegmentWriter.ColumnFileName(31),
        SealedSegmentWriter.ColumnFileName(33),
    ];

    [Theory]
    [MemberData(nameof(FileKeys))]
    public void EveryFlipAndTruncationOfAnySegmentFileFailsTheWholeLoad(string key)
    {
        var (schema, block, ts) = Segment(30, seed: 11);
        var written = SealedSegmentWriter.Write(s_identity, block, ts, [DeltaLog.FromInt64([4, 5], [1, 2])]);
        var files = new Dictionary<string, byte[]>(written.Files);
        var original = files[key];
        void Load(ReadOnlyMemory<byte> damaged)
        {
            files[key] = damaged.ToArray();
            SealedSegmentReader.ReadAsync(schema, FetchFrom(files)).AsTask().GetAwaiter().GetResult();
        }
        Corruption.EveryFlipIsDetected(original, Load, exhaustiveLimit: 6000, sample: 1500);
        Corruption.EveryTruncationIsDetected(original, Load, exhaustiveLimit: 6000, sample: 1500);
    }

    [Fact]
    public void ManifestAloneRejectsEveryFlipAndTruncation()
    {
        var (_, block, ts) = Segment(3, seed: 12);
        var bytes = SealedSegmentWriter.Write(s_identity, block, ts).Files[SealedSegmentWriter.ManifestFileName];
        Corruption.EveryFlipIsDetected(bytes, b => SegmentManifestFile.Read(b));
        Corruption.EveryTruncationIsDetected(bytes, b => SegmentManifestFile.Read(b));
    }

    [Fact]
    public void IncompleteBlockCannotBeSealed()
    {
        var schema = SegmentTestData.AllTypesSchema();
        var block = new ColumnBlock(schema, 10);
        ((FixedColumn<long>)block.Columns[0]).Append(1);
        Assert.Throws<ArgumentException>(() => SealedSegmentWriter.Write(s_identity, block, []));
    }
}
