using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Segments.Format;

/// <summary>Everything a sealed segment's files hold, verified.</summary>
public sealed record SealedSegmentData(
    ColumnBlock Block,
    ulong[] Timestamps,
    SegmentStats Stats,
    SegmentManifest Manifest,
    IReadOnlyList<DeltaLog> DeltaLogs);

/// <summary>
/// Loads a sealed segment written by <see cref="SealedSegmentWriter"/>: reads the manifest, fetches every file it
/// lists concurrently, checks each against the manifest (size, CRC) and the schema, and verifies every checksum.
/// Any damage or disagreement throws <see cref="SegmentFormatException"/> naming the file.
/// </summary>
public static class SealedSegmentReader
{
    /// <param name="fetch">Returns the bytes of a file given its key relative to the segment's directory.</param>
    public static async ValueTask<SealedSegmentData> ReadAsync(
        CollectionSchema schema,
        Func<string, CancellationToken, ValueTask<byte[]>> fetch,
        CancellationToken cancellationToken)
    {
        var manifestBytes = await fetch(SealedSegmentWriter.ManifestFileName, cancellationToken).ConfigureAwait(false);
        var manifest = Parse(SealedSegmentWriter.ManifestFileName, () => SegmentManifestFile.Read(manifestBytes));
        var plan = Plan(schema, manifest);

        var columnTasks = new Task<Column>[schema.Fields.Count];
        for (int i = 0; i < columnTasks.Length; i++)
        {
            var field = schema.Fields[i];
            columnTasks[i] = Load(plan.Columns[i], fetch, b => ColumnFile.Read(b, field), cancellationToken);
        }
        var timestampsTask = Load(plan.Timestamps, fetch, b => TimestampFile.Read(b), cancellationToken);
        var statsTask = Load(plan.Stats, fetch, b => SegmentStatsFile.Read(b), cancellationToken);
        var deltaTasks = new Task<DeltaLog>[plan.DeltaLogs.Count];
        for (int i = 0; i < deltaTasks.Length; i++)
            deltaTasks[i] = Load(plan.DeltaLogs[i], fetch, b => DeltaLogFile.Read(b), cancellationToken);

        // One WhenAll over every load so a failure in one file never leaves another's exception unobserved.
        var all = new List<Task>(columnTasks.Length + deltaTasks.Length + 2) { timestampsTask, statsTask };
        all.AddRange(columnTasks);
        all.AddRange(deltaTasks);
        await Task.WhenAll(all).ConfigureAwait(false);
        var columns = Array.ConvertAll(columnTasks, t => t.Result);
        var timestamps = timestampsTask.Result;
        var stats = statsTask.Result;
        var deltaLogs = Array.ConvertAll(deltaTasks, t => t.Result);

        long rows = manifest.RowCount;
        for (int i = 0; i < columns.Length; i++)
        {
            if (columns[i].Count != rows)
                throw Mismatch(plan.Columns[i].Key, $"holds {columns[i].Count} rows, the manifest says {rows}");
        }
        if (timestamps.Length != rows)
            throw Mismatch(plan.Timestamps.Key, $"holds {timestamps.Length} timestamps, the manifest says {rows} rows");
        if (TimestampFile.MinMax(timestamps) != (manifest.MinTimestamp, manifest.MaxTimestamp))
            throw Mismatch(plan.Timestamps.Key, "min/max timestamp differ from the manifest");
        if (stats.RowCount != rows || stats.PkFieldId != manifest.PkFieldId || stats.Fields.Count != schema.Fields.Count)
            throw Mismatch(plan.Stats.Key, "row count, pk field or field count differ from the manifest and schema");
        if (schema.FindField(manifest.PkFieldId) is { } pk)
        {
            for (int i = 0; i < deltaLogs.Length; i++)
            {
                if (deltaLogs[i].PkType != PkStorageType(pk))
                    throw Mismatch(plan.DeltaLogs[i].Key, $"has {deltaLogs[i].PkType} keys, the primary key is {pk.DataType}");
            }
        }

        return new SealedSegmentData(new ColumnBlock(schema, columns, (int)rows), timestamps, stats, manifest, deltaLogs);
    }

    public static ValueTask<SealedSegmentData> ReadAsync(
        CollectionSchema schema,
        Func<string, ValueTask<byte[]>> fetch,
        CancellationToken cancellationToken = default) =>
        ReadAsync(schema, (key, _) => fetch(key), cancellationToken);

    private sealed record FilePlan(
        SegmentFileEntry[] Columns,
        SegmentFileEntry Timestamps,
        SegmentFileEntry Stats,
        List<SegmentFileEntry> DeltaLogs);

    /// <summary>Matches manifest entries to schema fields; every field needs exactly one column file.</summary>
    private static FilePlan Plan(CollectionSchema schema, SegmentManifest manifest)
    {
        var columns = new SegmentFileEntry?[schema.Fields.Count];
        SegmentFileEntry? timestamps = null, stats = null;
        var deltas = new List<SegmentFileEntry>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in manifest.Files)
        {
            if (!keys.Add(entry.Key) || entry.Key == SealedSegmentWriter.ManifestFileName)
                throw ManifestProblem($"lists file '{entry.Key}' twice");
            switch (entry.Kind)
            {
                case SegmentFileKind.Column:
                {
                    int index = IndexOf(schema, entry.FieldId);
                    if (index < 0)
                        throw ManifestProblem($"has a column file for field id {entry.FieldId}, which the schema does not have");
                    var field = schema.Fields[index];
                    if (entry.DataType != field.DataType)
                        throw ManifestProblem($"column file of field '{field.Name}' holds {entry.DataType}, the schema says {field.DataType}");
                    if (columns[index] is not null)
                        throw ManifestProblem($"lists two column files for field '{field.Name}'");
                    columns[index] = entry;
                    break;
                }
                case SegmentFileKind.Timestamps:
                    timestamps = timestamps is null ? entry : throw ManifestProblem("lists two timestamp files");
                    break;
                case SegmentFileKind.Stats:
                    stats = stats is null ? entry : throw ManifestProblem("lists two stats files");
                    break;
                case SegmentFileKind.DeltaLog:
                    deltas.Add(entry);
                    break;
            }
        }
        var resolved = new SegmentFileEntry[columns.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            // A field added to the schema after this segment was sealed has no column file; filling it with
            // nulls/defaults is the loader's decision, so it is reported rather than guessed here.
            resolved[i] = columns[i] ?? throw ManifestProblem($"has no column file for field '{schema.Fields[i].Name}' (id {schema.Fields[i].FieldId})");
        }
        var pkId = PrimaryKeyId(schema);
        if (manifest.PkFieldId != pkId)
            throw ManifestProblem($"names pk field id {manifest.PkFieldId}, the schema's primary key is {pkId}");
        return new FilePlan(
            resolved,
            timestamps ?? throw ManifestProblem("has no timestamp file"),
            stats ?? throw ManifestProblem("has no stats file"),
            deltas);
    }

    private static async Task<T> Load<T>(
        SegmentFileEntry entry,
        Func<string, CancellationToken, ValueTask<byte[]>> fetch,
        Func<ReadOnlyMemory<byte>, T> parse,
        CancellationToken cancellationToken)
    {
        var bytes = await fetch(entry.Key, cancellationToken).ConfigureAwait(false);
        if (bytes.Length != entry.Size)
            throw Mismatch(entry.Key, $"is {bytes.Length} bytes, the manifest says {entry.Size} (truncated, stale or replaced)");
        uint crc = SectionFile.FooterHeaderCrc(bytes);
        if (crc != entry.Crc)
            throw Mismatch(entry.Key, $"has CRC 0x{crc:X8}, the manifest says 0x{entry.Crc:X8} (stale or replaced)");
        return Parse(entry.Key, () => parse(bytes));
    }

    private static T Parse<T>(string key, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (SegmentFormatException ex)
        {
            throw new SegmentFormatException($"segment file '{key}': {ex.Message}", ex);
        }
    }

    private static DataType PkStorageType(FieldSchema pk) => pk.DataType == DataType.Int64 ? DataType.Int64 : DataType.VarChar;

    private static long PrimaryKeyId(CollectionSchema schema)
    {
        foreach (var f in schema.Fields)
        {
            if (f.IsPrimaryKey)
                return f.FieldId;
        }
        return SegmentStats.NoPrimaryKey;
    }

    private static int IndexOf(CollectionSchema schema, long fieldId)
    {
        for (int i = 0; i < schema.Fields.Count; i++)
        {
            if (schema.Fields[i].FieldId == fieldId)
                return i;
        }
        return -1;
    }

    private static SegmentFormatException ManifestProblem(string problem) =>
        new($"segment file '{SealedSegmentWriter.ManifestFileName}': the manifest {problem}");

    private static SegmentFormatException Mismatch(string key, string problem) => new($"segment file '{key}' {problem}");
}
