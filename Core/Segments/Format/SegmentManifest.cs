using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Segments.Format;

public enum SegmentFileKind : ushort
{
    Column = 1,
    Timestamps = 2,
    Stats = 3,
    DeltaLog = 4,
}

/// <summary>
/// One file of a sealed segment. <paramref name="Key"/> is relative to the segment's directory;
/// <paramref name="FieldId"/> is the field of a column file and -1 otherwise; <paramref name="Crc"/> is the file's
/// header CRC-32C (it covers every section CRC, so it identifies the whole content), <paramref name="Size"/> its bytes.
/// </summary>
public sealed record SegmentFileEntry(SegmentFileKind Kind, long FieldId, DataType DataType, string Key, long Size, uint Crc);

/// <summary>
/// The small file that describes a sealed segment: what the catalog points at, read first on load. It names every
/// other file of the segment with its size and CRC, so a stale or swapped file is caught before it is parsed.
/// </summary>
public sealed record SegmentManifest
{
    public const long NoField = -1;

    public required long CollectionId { get; init; }
    public required long PartitionId { get; init; }
    public required long SegmentId { get; init; }
    /// <summary>The shard's virtual channel the rows came from.</summary>
    public required string VChannel { get; init; }
    public required long RowCount { get; init; }
    public required ulong MinTimestamp { get; init; }
    public required ulong MaxTimestamp { get; init; }
    public required long PkFieldId { get; init; }
    public required IReadOnlyList<SegmentFileEntry> Files { get; init; }

    /// <summary>The manifest format version this segment was written with.</summary>
    public ushort FormatVersion { get; init; } = SegmentManifestFile.FormatVersion;

    public SegmentFileEntry? FindColumn(long fieldId)
    {
        foreach (var f in Files)
        {
            if (f.Kind == SegmentFileKind.Column && f.FieldId == fieldId)
                return f;
        }
        return null;
    }

    /// <summary>Total bytes of the segment's data files (not counting the manifest).</summary>
    public long TotalFileBytes
    {
        get
        {
            long total = 0;
            foreach (var f in Files)
                total += f.Size;
            return total;
        }
    }
}
