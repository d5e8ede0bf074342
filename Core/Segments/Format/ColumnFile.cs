using System.Buffers.Binary;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Segments.Format;

/// <summary>
/// One field's column of a sealed segment, in the <see cref="SectionFile"/> container with magic "VACF", version 1.
/// <code>
/// meta (32 bytes)
/// 0   u16  data type (Milvus enum id)
/// 2   u16  flags: bit 0 = nullable; other bits zero
/// 4   u32  dim (vector types; 0 otherwise)
/// 8   i64  field id
/// 16  i64  row count
/// 24  u32  element width in bytes (fixed: sizeof value, vector: 4 per float, var: 4 per offset)
/// 28  u32  reserved, zero
/// sections
/// fixed, vector: [Validity][Values]          var (VarChar/String/JSON/Array): [Validity][Offsets][Data]
/// Validity: ceil(rows/64) u64 words, bit set = present, bits past the last row clear; empty when not nullable
/// Values:   rows (x dim) raw little-endian values; Bool is one byte 0 or 1; null rows hold zero
/// Offsets:  rows+1 i32, row i = Data[Offsets[i]..Offsets[i+1]), Offsets[0] = 0, non-decreasing
/// Data:     UTF-8 bytes of all rows back to back
/// </code>
/// </summary>
public static class ColumnFile
{
    /// <summary>"VACF" read as a little-endian u32.</summary>
    public const uint Magic = 0x46434156;
    public const ushort FormatVersion = 1;
    internal const int MetaLength = 32;
    internal const ushort NullableFlag = 1;

    /// <summary>Serializes the first <see cref="Column.Count"/> rows of <paramref name="column"/>.</summary>
    public static byte[] Write(Column column, FieldSchema field)
    {
        SectionCodec.RequireLittleEndianHost();
        if (column.DataType != field.DataType)
            throw new ArgumentException($"column holds {column.DataType}, field '{field.Name}' is {field.DataType}", nameof(column));
        if (column.IsNullable != field.Nullable)
            throw new ArgumentException($"column nullability ({column.IsNullable}) differs from field '{field.Name}' ({field.Nullable})", nameof(column));
        int rows = column.Count;
        long validityBytes = column.IsNullable ? ((rows + 63L) >> 6) * sizeof(ulong) : 0;
        return column switch
        {
            FixedColumn<bool> c => WriteFixed(c.Values, field, validityBytes, column),
            FixedColumn<sbyte> c => WriteFixed(c.Values, field, validityBytes, column),
            FixedColumn<short> c => WriteFixed(c.Values, field, validityBytes, column),
            FixedColumn<int> c => WriteFixed(c.Values, field, validityBytes, column),
            FixedColumn<long> c => WriteFixed(c.Values, field, validityBytes, column),
            FixedColumn<float> c => WriteFixed(c.Values, field, validityBytes, column),
            FixedColumn<double> c => WriteFixed(c.Values, field, validityBytes, column),
            VectorColumn c => WriteVector(c, field, validityBytes),
            VarColumn c => WriteVar(c, field, validityBytes),
            _ => throw new NotSupportedException($"column type {column.GetType().Name} has no file format"),
        };
    }

    /// <summary>Validates the whole file (every CRC, the layout, and agreement with <paramref name="field"/>) and
    /// returns a sealed column holding a copy of its data.</summary>
    public static Column Read(ReadOnlyMemory<byte> bytes, FieldSchema field)
    {
        SectionCodec.RequireLittleEndianHost();
        var file = new SectionFileReader(bytes, Magic, FormatVersion, MetaLength, $"column file of field {field.FieldId} '{field.Name}'");
        return Read(file, field);
    }

    /// <summary>
    /// Reads a column whose field is known only from the file's own meta (data type, nullability, dim, field id):
    /// columns sent between roles that do not hold the schema. Validates every CRC like <see cref="Read(ReadOnlyMemory{byte}, FieldSchema)"/>.
    /// </summary>
    public static Column Read(ReadOnlyMemory<byte> bytes)
    {
        SectionCodec.RequireLittleEndianHost();
        var file = new SectionFileReader(bytes, Magic, FormatVersion, MetaLength, "column file");
        var meta = file.Meta;
        var field = new FieldSchema
        {
            FieldId = BinaryPrimitives.ReadInt64LittleEndian(meta[8..]),
            Name = "column",
            DataType = (DataType)BinaryPrimitives.ReadUInt16LittleEndian(meta),
            Nullable = (BinaryPrimitives.ReadUInt16LittleEndian(meta[2..]) & NullableFlag) != 0,
            Dim = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(meta[4..]), int.MaxValue),
        };
        return Read(file, field);
    }

    /// <summary>Serializes a column with a field description taken from the column itself (field id 0).</summary>
    public static byte[] Write(Column column) => Write(column, new FieldSchema
    {
        FieldId = 0,
        Name = "column",
        DataType = column.DataType,
        Nullable = column.IsNullable,
        Dim = column is VectorColumn v ? v.Dim : 0,
    });

    private static Column Read(SectionFileReader file, FieldSchema field)
    {
        var meta = file.Meta;
        var dataType = (DataType)BinaryPrimitives.ReadUInt16LittleEndian(meta);
        ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(meta[2..]);
        uint dim = BinaryPrimitives.ReadUInt32LittleEndian(meta[4..]);
        long fieldId = BinaryPrimitives.ReadInt64LittleEndian(meta[8..]);
        long rowCount = BinaryPrimitives.ReadInt64LittleEndian(meta[16..]);
        uint width = BinaryPrimitives.ReadUInt32LittleEndian(meta[24..]);
        uint reserved = BinaryPrimitives.ReadUInt32LittleEndian(meta[28..]);

        if (dataType != field.DataType)
            throw file.Fail($"holds data type {dataType}, the field is {field.DataType}");
        if (fieldId != field.FieldId)
            throw file.Fail($"belongs to field id {fieldId}");
        if ((flags & ~NullableFlag) != 0 || reserved != 0)
            throw file.Fail($"unknown flags 0x{flags:X4} or non-zero reserved bytes");
        bool nullable = (flags & NullableFlag) != 0;
        if (nullable != field.Nullable)
            throw file.Fail($"nullable is {nullable}, the field says {field.Nullable}");
        uint expectedDim = field.DataType.IsVector() ? (uint)field.Dim : 0;
        if (dim != expectedDim)
            throw file.Fail($"dim is {dim}, the field says {expectedDim}");
        if (rowCount is < 0 or > int.MaxValue)
            throw file.Fail($"row count {rowCount} is out of range");
        uint expectedWidth = ElementWidth(field.DataType);
        if (width != expectedWidth)
            throw file.Fail($"element width is {width}, expected {expectedWidth} for {field.DataType}");

        int rows = (int)rowCount;
        bool isVar = IsVar(field.DataType);
        file.RequireSectionCount(isVar ? 3 : 2);
        ulong[]? validity = nullable
            ? SectionCodec.ReadValidity(file, file.Section(0, SectionKind.Validity), rows)
            : RequireEmpty(file, file.Section(0, SectionKind.Validity));

        switch (field.DataType)
        {
            case DataType.Bool:
            {
                var section = file.Section(1, SectionKind.Values);
                // Any byte other than 0/1 would be an invalid bool once reinterpreted.
                if (section.Span.ContainsAnyExcept((byte)0, (byte)1))
                    throw file.Fail("a Bool value is neither 0 nor 1");
                return ReadFixed<bool>(file, field, rows, validity);
            }
            case DataType.Int8: return ReadFixed<sbyte>(file, field, rows, validity);
            case DataType.Int16: return ReadFixed<short>(file, field, rows, validity);
            case DataType.Int32: return ReadFixed<int>(file, field, rows, validity);
            case DataType.Int64: return ReadFixed<long>(file, field, rows, validity);
            case DataType.Float: return ReadFixed<float>(file, field, rows, validity);
            case DataType.Double: return ReadFixed<double>(file, field, rows, validity);
            case DataType.FloatVector:
            {
                if (field.Dim < 1)
                    throw new ArgumentException($"field '{field.Name}' has dim {field.Dim}", nameof(field));
                var values = SectionCodec.ReadArray<float>(file, file.Section(1, SectionKind.Values), (long)rows * field.Dim, "values");
                return new VectorColumn(field.DataType, field.Dim, values, rows, validity);
            }
            case DataType.VarChar or DataType.String or DataType.Json or DataType.Array:
            {
                var offsets = SectionCodec.ReadArray<int>(file, file.Section(1, SectionKind.Offsets), (long)rows + 1, "offsets");
                var dataSection = file.Section(2, SectionKind.Data);
                SectionCodec.ValidateOffsets(file, offsets, dataSection.Length);
                var data = dataSection.ToArray();
                return new VarColumn(field.DataType, data, offsets, rows, validity);
            }
            default:
                throw new NotSupportedException($"data type {field.DataType} has no column file format");
        }
    }

    internal static bool IsVar(DataType t) => t is DataType.VarChar or DataType.String or DataType.Json or DataType.Array;

    private static uint ElementWidth(DataType t) => t switch
    {
        DataType.Bool or DataType.Int8 => 1,
        DataType.Int16 => 2,
        DataType.Int32 or DataType.Float or DataType.FloatVector => 4,
        DataType.Int64 or DataType.Double => 8,
        DataType.VarChar or DataType.String or DataType.Json or DataType.Array => sizeof(int),
        _ => throw new NotSupportedException($"data type {t} has no column file format"),
    };

    private static ulong[]? RequireEmpty(SectionFileReader file, ReadOnlyMemory<byte> section)
    {
        if (section.Length != 0)
            throw file.Fail("a non-nullable column has a validity section");
        return null;
    }

    private static Column ReadFixed<T>(SectionFileReader file, FieldSchema field, int rows, ulong[]? validity) where T : unmanaged
    {
        var values = SectionCodec.ReadArray<T>(file, file.Section(1, SectionKind.Values), rows, "values");
        return new FixedColumn<T>(field.DataType, values, rows, validity);
    }

    private static byte[] WriteFixed<T>(ReadOnlySpan<T> values, FieldSchema field, long validityBytes, Column column) where T : unmanaged
    {
        ReadOnlySpan<(SectionKind, long)> sections = [(SectionKind.Validity, validityBytes), (SectionKind.Values, SectionCodec.ByteLength<T>(values.Length))];
        var writer = new SectionFileWriter(Magic, FormatVersion, MetaLength, sections);
        WriteMeta(writer.Meta, field, column.Count, column.IsNullable);
        if (column.Validity is { } validity)
            SectionCodec.WriteValidity(validity, column.Count, writer.Section(0));
        SectionCodec.Write(values, writer.Section(1));
        return writer.Finish();
    }

    private static byte[] WriteVector(VectorColumn column, FieldSchema field, long validityBytes)
    {
        if (column.Dim != field.Dim)
            throw new ArgumentException($"column dim {column.Dim} differs from field '{field.Name}' dim {field.Dim}", nameof(column));
        var values = column.Values;
        ReadOnlySpan<(SectionKind, long)> sections = [(SectionKind.Validity, validityBytes), (SectionKind.Values, SectionCodec.ByteLength<float>(values.Length))];
        var writer = new SectionFileWriter(Magic, FormatVersion, MetaLength, sections);
        WriteMeta(writer.Meta, field, column.Count, column.IsNullable);
        if (column.Validity is { } validity)
            SectionCodec.WriteValidity(validity, column.Count, writer.Section(0));
        SectionCodec.Write(values, writer.Section(1));
        return writer.Finish();
    }

    private static byte[] WriteVar(VarColumn column, FieldSchema field, long validityBytes)
    {
        var offsets = column.Offsets;
        var data = column.Data;
        ReadOnlySpan<(SectionKind, long)> sections =
        [
            (SectionKind.Validity, validityBytes),
            (SectionKind.Offsets, SectionCodec.ByteLength<int>(offsets.Length)),
            (SectionKind.Data, data.Length),
        ];
        var writer = new SectionFileWriter(Magic, FormatVersion, MetaLength, sections);
        WriteMeta(writer.Meta, field, column.Count, column.IsNullable);
        if (column.Validity is { } validity)
            SectionCodec.WriteValidity(validity, column.Count, writer.Section(0));
        SectionCodec.Write(offsets, writer.Section(1));
        data.CopyTo(writer.Section(2));
        return writer.Finish();
    }

    private static void WriteMeta(Span<byte> meta, FieldSchema field, int rows, bool nullable)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(meta, (ushort)field.DataType);
        BinaryPrimitives.WriteUInt16LittleEndian(meta[2..], nullable ? NullableFlag : (ushort)0);
        BinaryPrimitives.WriteUInt32LittleEndian(meta[4..], field.DataType.IsVector() ? (uint)field.Dim : 0);
        BinaryPrimitives.WriteInt64LittleEndian(meta[8..], field.FieldId);
        BinaryPrimitives.WriteInt64LittleEndian(meta[16..], rows);
        BinaryPrimitives.WriteUInt32LittleEndian(meta[24..], ElementWidth(field.DataType));
        BinaryPrimitives.WriteUInt32LittleEndian(meta[28..], 0);
    }
}
