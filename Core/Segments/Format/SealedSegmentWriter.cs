using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Segments.Format;

/// <summary>Which segment a set of files belongs to.</summary>
public sealed record SegmentIdentity(long CollectionId, long PartitionId, long SegmentId, string VChannel);

/// <summary>
/// The files of one sealed segment, keyed by name relative to the segment's directory (the caller chooses the
/// prefix, e.g. <c>collections/{c}/partitions/{p}/segments/{s}/</c>). Includes the manifest.
/// </summary>
public sealed record SealedSegmentFiles(SegmentManifest Manifest, IReadOnlyDictionary<string, byte[]> Files);

/// <summary>Serializes a sealed segment (every column, row timestamps, stats, optional delta logs, manifest).</summary>
public static class SealedSegmentWriter
{
    public const string ManifestFileName = "manifest.vasm";
    public const string TimestampsFileName = "timestamps.vats";
    public const string StatsFileName = "stats.vast";

    public static string ColumnFileName(long fieldId) => $"columns/{fieldId}.vacf";

    public static string DeltaLogFileName(int index) => $"deltas/{index}.vadl";

    /// <summary>
    /// Produces every file of the segment for the published rows of <paramref name="block"/> (one column per schema
    /// field, in schema order); <paramref name="timestamps"/> holds each row's insert timestamp. The primary key is
    /// the schema's primary-key field. Write the manifest last: its presence means every other file is in place.
    /// </summary>
    public static SealedSegmentFiles Write(
        SegmentIdentity identity,
        ColumnBlock block,
        ReadOnlySpan<ulong> timestamps,
        IReadOnlyList<DeltaLog>? deltaLogs = null,
        SegmentStatsOptions? statsOptions = null)
    {
        var schema = block.Schema;
        int rows = block.RowCount;
        if (timestamps.Length != rows)
            throw new ArgumentException($"{timestamps.Length} timestamps for {rows} rows", nameof(timestamps));
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var entries = new List<SegmentFileEntry>(schema.Fields.Count + 3);

        void Add(SegmentFileKind kind, long fieldId, DataType dataType, string key, byte[] bytes)
        {
            files.Add(key, bytes);
            entries.Add(new SegmentFileEntry(kind, fieldId, dataType, key, bytes.Length, SectionFile.FooterHeaderCrc(bytes)));
        }

        for (int i = 0; i < schema.Fields.Count; i++)
        {
            var field = schema.Fields[i];
            var column = block.Columns[i];
            if (column.Count != rows)
                throw new ArgumentException($"column '{field.Name}' holds {column.Count} rows, the block publishes {rows}; seal only a block whose writes are complete", nameof(block));
            Add(SegmentFileKind.Column, field.FieldId, field.DataType, ColumnFileName(field.FieldId), ColumnFile.Write(column, field));
        }
        Add(SegmentFileKind.Timestamps, SegmentManifest.NoField, DataType.None, TimestampsFileName, TimestampFile.Write(timestamps));
        var stats = SegmentStats.Compute(block, statsOptions);
        Add(SegmentFileKind.Stats, SegmentManifest.NoField, DataType.None, StatsFileName, SegmentStatsFile.Write(stats));
        if (deltaLogs is not null)
        {
            for (int i = 0; i < deltaLogs.Count; i++)
                Add(SegmentFileKind.DeltaLog, SegmentManifest.NoField, deltaLogs[i].PkType, DeltaLogFileName(i), DeltaLogFile.Write(deltaLogs[i]));
        }

        var (minTs, maxTs) = TimestampFile.MinMax(timestamps);
        var manifest = new SegmentManifest
        {
            CollectionId = identity.CollectionId,
            PartitionId = identity.PartitionId,
            SegmentId = identity.SegmentId,
            VChannel = identity.VChannel,
            RowCount = rows,
            MinTimestamp = minTs,
            MaxTimestamp = maxTs,
            PkFieldId = stats.PkFieldId,
            Files = entries,
        };
        files.Add(ManifestFileName, SegmentManifestFile.Write(manifest));
        return new SealedSegmentFiles(manifest, files);
    }
}
