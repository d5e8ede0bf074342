using System.Buffers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Query;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Segments;
using PS = VectorAspire.Protos.Schema;

namespace VectorAspire.Proxy.Grpc;

/// <summary>
/// Columnar Milvus FieldData to and from the engine's columns. Insert data gets the same checks as REST rows
/// (RowParser): type, range, dim, max_length, max_capacity, missing and unknown fields, autoID, dynamic keys.
/// </summary>
public static class FieldDataConverter
{
    /// <summary>The row count of an insert: num_rows, or the length of the first field when num_rows is 0.</summary>
    public static int CountRows(IReadOnlyList<PS.FieldData> fields, uint numRows)
    {
        if (numRows > 0)
            return checked((int)numRows);
        foreach (var f in fields)
        {
            int n = f.ValidData.Count > 0 ? f.ValidData.Count : DataLength(f);
            if (n > 0)
                return n;
        }
        return 0;
    }

    private static int DataLength(PS.FieldData f)
    {
        switch (f.FieldCase)
        {
            case PS.FieldData.FieldOneofCase.Scalars:
                var s = f.Scalars;
                return s.DataCase switch
                {
                    PS.ScalarField.DataOneofCase.BoolData => s.BoolData.Data.Count,
                    PS.ScalarField.DataOneofCase.IntData => s.IntData.Data.Count,
                    PS.ScalarField.DataOneofCase.LongData => s.LongData.Data.Count,
                    PS.ScalarField.DataOneofCase.FloatData => s.FloatData.Data.Count,
                    PS.ScalarField.DataOneofCase.DoubleData => s.DoubleData.Data.Count,
                    PS.ScalarField.DataOneofCase.StringData => s.StringData.Data.Count,
                    PS.ScalarField.DataOneofCase.JsonData => s.JsonData.Data.Count,
                    PS.ScalarField.DataOneofCase.ArrayData => s.ArrayData.Data.Count,
                    PS.ScalarField.DataOneofCase.BytesData => s.BytesData.Data.Count,
                    _ => 0,
                };
            case PS.FieldData.FieldOneofCase.Vectors:
                var v = f.Vectors;
                if (v.DataCase == PS.VectorField.DataOneofCase.FloatVector && v.Dim > 0)
                    return (int)(v.FloatVector.Data.Count / v.Dim);
                return 0;
            default:
                return 0;
        }
    }

    /// <summary>Builds a column block over the full schema from columnar insert data.</summary>
    /// <param name="firstAutoId">First id for an auto-generated primary key (ignored otherwise).</param>
    /// <param name="requirePk">Upserts must carry the primary key even when it is auto-generated.</param>
    public static ColumnBlock ToBlock(CollectionInfo info, IReadOnlyList<PS.FieldData> data, int n, long firstAutoId, bool requirePk)
    {
        var schema = info.Schema;
        if (n <= 0)
            throw new MilvusException(ErrorCodes.ParameterInvalid, "the insert has no rows: send at least one row (num_rows > 0)");
        var byName = new Dictionary<string, PS.FieldData>(StringComparer.Ordinal);
        PS.FieldData? dynamicData = null;
        foreach (var fd in data)
        {
            if (fd.IsDynamic || fd.FieldName == CollectionSchema.DynamicFieldName)
            {
                dynamicData = fd;
                continue;
            }
            var field = schema.FindField(fd.FieldName);
            if (field is null)
            {
                throw schema.DynamicField is null
                    ? new MilvusException(ErrorCodes.InvalidInsertData, $"row 0: field '{fd.FieldName}' is not in the schema of collection '{info.Name}' and the collection has no dynamic field")
                    : new MilvusException(ErrorCodes.InvalidInsertData, $"field '{fd.FieldName}' is not in the schema of collection '{info.Name}'; send dynamic keys inside the dynamic field ($meta) data");
            }
            if (!byName.TryAdd(fd.FieldName, fd))
                throw new MilvusException(ErrorCodes.InvalidInsertData, $"field '{fd.FieldName}' appears more than once in fields_data");
        }
        var block = new ColumnBlock(schema, n);
        for (int f = 0; f < schema.Fields.Count; f++)
        {
            var field = schema.Fields[f];
            var column = block.Columns[f];
            if (field.IsDynamic)
            {
                FillDynamic(info, (VarColumn)column, dynamicData, n);
                continue;
            }
            byName.TryGetValue(field.Name, out var fd);
            if (field.IsPrimaryKey && field.AutoId && !requirePk)
            {
                if (fd is not null && DataLength(fd) > 0)
                    throw new MilvusException(ErrorCodes.InvalidInsertData, $"row 0: primary key '{field.Name}' is auto-generated (autoID); remove it from the rows");
                var ids = (FixedColumn<long>)column;
                for (int r = 0; r < n; r++)
                    ids.Append(firstAutoId + r);
                continue;
            }
            if (fd is null)
            {
                for (int r = 0; r < n; r++)
                    AppendMissing(column, field, r);
                continue;
            }
            FillColumn(column, field, fd, n);
        }
        if (dynamicData is not null && schema.DynamicField is null)
            throw new MilvusException(ErrorCodes.InvalidInsertData, $"collection '{info.Name}' has no dynamic field, but the insert carries dynamic data");
        block.PublishRows(n);
        return block;
    }

    private static void AppendMissing(Column column, FieldSchema field, int row)
    {
        if (field.DefaultValue is { } dv)
        {
            using var doc = JsonDocument.Parse(dv.ToJsonString());
            AppendJsonValue(column, field, doc.RootElement, row);
            return;
        }
        if (field.Nullable)
        {
            column.AppendNull();
            return;
        }
        throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {row}: field '{field.Name}' is missing (it is not nullable and has no default value)");
    }

    private static void FillColumn(Column column, FieldSchema field, PS.FieldData fd, int n)
    {
        var wireType = (DataType)(int)fd.Type;
        if (fd.Type != PS.DataType.None && wireType != field.DataType && !(field.DataType.IsString() && wireType.IsString()))
            throw new MilvusException(ErrorCodes.InvalidInsertData, $"field '{field.Name}' is {field.DataType.Name()} in the schema, but the data is {wireType.Name()}");
        int length = DataLength(fd);
        var valid = fd.ValidData;
        bool compact = false;
        if (valid.Count > 0)
        {
            if (valid.Count != n)
                throw new MilvusException(ErrorCodes.InvalidInsertData, $"field '{field.Name}' has {valid.Count} valid_data entries, expected {n} (num_rows)");
            int validCount = valid.Count(v => v);
            compact = length == validCount && length != n;
            if (!compact && length != n)
                throw new MilvusException(ErrorCodes.InvalidInsertData, $"field '{field.Name}' has {length} values, expected {n} (num_rows) or {validCount} (valid rows)");
        }
        else if (length != n)
        {
            if (field.DataType == DataType.FloatVector && fd.Vectors is { } vf && vf.Dim != field.Dim && vf.Dim > 0)
                throw new MilvusException(ErrorCodes.InvalidInsertData, $"row 0: the dim ({vf.Dim}) of field '{field.Name}' does not match the schema dim ({field.Dim})");
            if (field.DataType == DataType.FloatVector && fd.Vectors is { } vf2 && vf2.FloatVector is { } fv && fv.Data.Count % Math.Max(1, field.Dim) != 0)
                throw new MilvusException(ErrorCodes.InvalidInsertData, $"the float vector data of field '{field.Name}' has {fv.Data.Count} values, which is not a multiple of the schema dim ({field.Dim})");
            throw new MilvusException(ErrorCodes.InvalidInsertData, $"field '{field.Name}' has {length} rows, but the insert has {n} rows (num_rows)");
        }
        if (field.DataType == DataType.FloatVector && fd.Vectors is { } vd && vd.Dim != field.Dim)
            throw new MilvusException(ErrorCodes.InvalidInsertData, $"row 0: the dim ({vd.Dim}) of field '{field.Name}' does not match the schema dim ({field.Dim})");
        int src = 0;
        for (int r = 0; r < n; r++)
        {
            if (valid.Count > 0 && !valid[r])
            {
                if (!compact)
                    src++;
                AppendMissing(column, field, r);
                continue;
            }
            AppendWire(column, field, fd, src++, r);
        }
    }

    private static void AppendWire(Column column, FieldSchema field, PS.FieldData fd, int i, int row)
    {
        switch (field.DataType)
        {
            case DataType.Bool:
                ((FixedColumn<bool>)column).Append(Scalars(fd, field, PS.ScalarField.DataOneofCase.BoolData).BoolData.Data[i]);
                break;
            case DataType.Int8:
                ((FixedColumn<sbyte>)column).Append((sbyte)Range(Scalars(fd, field, PS.ScalarField.DataOneofCase.IntData).IntData.Data[i], field, row, sbyte.MinValue, sbyte.MaxValue));
                break;
            case DataType.Int16:
                ((FixedColumn<short>)column).Append((short)Range(Scalars(fd, field, PS.ScalarField.DataOneofCase.IntData).IntData.Data[i], field, row, short.MinValue, short.MaxValue));
                break;
            case DataType.Int32:
                ((FixedColumn<int>)column).Append(Scalars(fd, field, PS.ScalarField.DataOneofCase.IntData).IntData.Data[i]);
                break;
            case DataType.Int64:
                ((FixedColumn<long>)column).Append(Scalars(fd, field, PS.ScalarField.DataOneofCase.LongData).LongData.Data[i]);
                break;
            case DataType.Float:
                {
                    float f = Scalars(fd, field, PS.ScalarField.DataOneofCase.FloatData).FloatData.Data[i];
                    if (!float.IsFinite(f))
                        throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {row}: field '{field.Name}' value {f} is out of the Float range");
                    ((FixedColumn<float>)column).Append(f);
                    break;
                }
            case DataType.Double:
                ((FixedColumn<double>)column).Append(Scalars(fd, field, PS.ScalarField.DataOneofCase.DoubleData).DoubleData.Data[i]);
                break;
            case DataType.VarChar:
            case DataType.String:
                {
                    var utf8 = Encoding.UTF8.GetBytes(Scalars(fd, field, PS.ScalarField.DataOneofCase.StringData).StringData.Data[i]);
                    if (utf8.Length > field.MaxLength)
                        throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {row}: the length ({utf8.Length} bytes) of VarChar field '{field.Name}' exceeds max_length ({field.MaxLength})");
                    ((VarColumn)column).Append(utf8);
                    break;
                }
            case DataType.Json:
                {
                    var bytes = Scalars(fd, field, PS.ScalarField.DataOneofCase.JsonData).JsonData.Data[i].Span;
                    ValidateJson(bytes, field, row);
                    ((VarColumn)column).Append(bytes);
                    break;
                }
            case DataType.Array:
                {
                    var element = Scalars(fd, field, PS.ScalarField.DataOneofCase.ArrayData).ArrayData.Data[i];
                    ((VarColumn)column).Append(ArrayToJson(element, field, row));
                    break;
                }
            case DataType.FloatVector:
                {
                    var vf = fd.Vectors;
                    if (vf is null || vf.DataCase != PS.VectorField.DataOneofCase.FloatVector)
                        throw new MilvusException(ErrorCodes.InvalidInsertData, $"field '{field.Name}' (FloatVector) must carry float_vector data");
                    var values = vf.FloatVector.Data;
                    int dim = field.Dim;
                    var scratch = ArrayPool<float>.Shared.Rent(dim);
                    try
                    {
                        for (int k = 0; k < dim; k++)
                        {
                            float x = values[i * dim + k];
                            if (!float.IsFinite(x))
                                throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {row}: field '{field.Name}' element {k} is not a finite float");
                            scratch[k] = x;
                        }
                        ((VectorColumn)column).Append(scratch.AsSpan(0, dim));
                    }
                    finally
                    {
                        ArrayPool<float>.Shared.Return(scratch);
                    }
                    break;
                }
            default:
                throw new MilvusException(ErrorCodes.ParameterInvalid, $"data type {field.DataType.Name()} of field '{field.Name}' is not supported");
        }
    }

    private static PS.ScalarField Scalars(PS.FieldData fd, FieldSchema field, PS.ScalarField.DataOneofCase expected)
    {
        if (fd.Scalars is not { } s || s.DataCase != expected)
            throw new MilvusException(ErrorCodes.InvalidInsertData, $"field '{field.Name}' ({field.DataType.Name()}) must carry {expected} values");
        return s;
    }

    private static long Range(long v, FieldSchema field, int row, long min, long max)
    {
        if (v < min || v > max)
            throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {row}: value {v} is out of range for {field.DataType.Name()} field '{field.Name}' [{min}, {max}]");
        return v;
    }

    private static void ValidateJson(ReadOnlySpan<byte> bytes, FieldSchema field, int row)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            using var doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException ex)
        {
            throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {row}: field '{field.Name}' (JSON) is not valid JSON: {ex.Message}", ex);
        }
    }

    private static byte[] ArrayToJson(PS.ScalarField element, FieldSchema field, int row)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            int count = 0;
            switch (field.ElementType)
            {
                case DataType.Bool when element.DataCase == PS.ScalarField.DataOneofCase.BoolData:
                    foreach (var b in element.BoolData.Data)
                        w.WriteBooleanValue(b);
                    count = element.BoolData.Data.Count;
                    break;
                case DataType.Int8 or DataType.Int16 or DataType.Int32 when element.DataCase == PS.ScalarField.DataOneofCase.IntData:
                    {
                        long min = field.ElementType == DataType.Int8 ? sbyte.MinValue : field.ElementType == DataType.Int16 ? short.MinValue : int.MinValue;
                        long max = field.ElementType == DataType.Int8 ? sbyte.MaxValue : field.ElementType == DataType.Int16 ? short.MaxValue : int.MaxValue;
                        foreach (var x in element.IntData.Data)
                        {
                            if (x < min || x > max)
                                throw BadElement(field, row, x.ToString(System.Globalization.CultureInfo.InvariantCulture));
                            w.WriteNumberValue(x);
                        }
                        count = element.IntData.Data.Count;
                        break;
                    }
                case DataType.Int64 when element.DataCase == PS.ScalarField.DataOneofCase.LongData:
                    foreach (var x in element.LongData.Data)
                        w.WriteNumberValue(x);
                    count = element.LongData.Data.Count;
                    break;
                case DataType.Float when element.DataCase == PS.ScalarField.DataOneofCase.FloatData:
                    foreach (var x in element.FloatData.Data)
                    {
                        if (!float.IsFinite(x))
                            throw BadElement(field, row, x.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        w.WriteNumberValue(x);
                    }
                    count = element.FloatData.Data.Count;
                    break;
                case DataType.Double when element.DataCase == PS.ScalarField.DataOneofCase.DoubleData:
                    foreach (var x in element.DoubleData.Data)
                    {
                        if (!double.IsFinite(x))
                            throw BadElement(field, row, x.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        w.WriteNumberValue(x);
                    }
                    count = element.DoubleData.Data.Count;
                    break;
                case DataType.VarChar when element.DataCase == PS.ScalarField.DataOneofCase.StringData:
                    foreach (var s in element.StringData.Data)
                    {
                        if (Encoding.UTF8.GetByteCount(s) > field.MaxLength)
                            throw BadElement(field, row, JsonSerializer.Serialize(s));
                        w.WriteStringValue(s);
                    }
                    count = element.StringData.Data.Count;
                    break;
                case DataType.Bool or DataType.Int8 or DataType.Int16 or DataType.Int32 or DataType.Int64 or DataType.Float or DataType.Double or DataType.VarChar:
                    if (element.DataCase != PS.ScalarField.DataOneofCase.None)
                        throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {row}: array field '{field.Name}' must hold {field.ElementType.Name()} elements, got {element.DataCase}");
                    break;
                default:
                    throw new MilvusException(ErrorCodes.ParameterInvalid, $"array element type {field.ElementType.Name()} of field '{field.Name}' is not supported");
            }
            if (count > field.MaxCapacity)
                throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {row}: array field '{field.Name}' has {count} elements, more than max_capacity ({field.MaxCapacity})");
            w.WriteEndArray();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static MilvusException BadElement(FieldSchema field, int row, string shown)
        => new(ErrorCodes.InvalidInsertData, $"row {row}: array field '{field.Name}' has an element {shown} that is not a valid {field.ElementType.Name()}"
            + (field.ElementType == DataType.VarChar ? $" of at most {field.MaxLength} bytes" : ""));

    private static void FillDynamic(CollectionInfo info, VarColumn column, PS.FieldData? fd, int n)
    {
        if (fd is null)
        {
            for (int r = 0; r < n; r++)
                column.Append("{}"u8);
            return;
        }
        if (fd.Scalars is not { DataCase: PS.ScalarField.DataOneofCase.JsonData } s || s.JsonData.Data.Count != n)
            throw new MilvusException(ErrorCodes.InvalidInsertData, $"the dynamic field data of collection '{info.Name}' must hold one JSON object per row ({n} rows)");
        for (int r = 0; r < n; r++)
        {
            var bytes = s.JsonData.Data[r].Span;
            if (bytes.Length == 0)
            {
                column.Append("{}"u8);
                continue;
            }
            try
            {
                var reader = new Utf8JsonReader(bytes);
                using var doc = JsonDocument.ParseValue(ref reader);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {r}: the dynamic field data must be a JSON object");
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    if (p.Name == CollectionSchema.DynamicFieldName)
                        throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {r}: '$meta' cannot be set directly; put dynamic keys at the top level of the row");
                    if (info.Schema.FindField(p.Name) is not null)
                        throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {r}: dynamic key '{p.Name}' has the name of a schema field");
                }
            }
            catch (JsonException ex)
            {
                throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {r}: the dynamic field data is not valid JSON: {ex.Message}", ex);
            }
            column.Append(bytes);
        }
    }

    private static void AppendJsonValue(Column column, FieldSchema field, JsonElement value, int row)
    {
        switch (column)
        {
            case FixedColumn<bool> b: b.Append(value.GetBoolean()); break;
            case FixedColumn<sbyte> i8: i8.Append(value.GetSByte()); break;
            case FixedColumn<short> i16: i16.Append(value.GetInt16()); break;
            case FixedColumn<int> i32: i32.Append(value.GetInt32()); break;
            case FixedColumn<long> i64: i64.Append(value.GetInt64()); break;
            case FixedColumn<float> f: f.Append(value.GetSingle()); break;
            case FixedColumn<double> d: d.Append(value.GetDouble()); break;
            case VarColumn v when field.DataType.IsString(): v.Append(Encoding.UTF8.GetBytes(value.GetString()!)); break;
            case VarColumn v: v.Append(Encoding.UTF8.GetBytes(value.GetRawText())); break;
            default:
                throw new MilvusException(ErrorCodes.InvalidInsertData, $"row {row}: field '{field.Name}' has no usable default value");
        }
    }

    // ----------------------------------------------------------------------------------------------- output

    /// <summary>
    /// One FieldData per result column (primary key included). <paramref name="rows"/> picks rows of the result in
    /// output order; -1 = a row that is gone (a placeholder value, marked invalid when the field is nullable).
    /// </summary>
    public static List<PS.FieldData> FromResult(CollectionSchema schema, ShardQueryResult result, IReadOnlyList<int> rows, OutputSelection selection)
    {
        var list = new List<PS.FieldData>(result.FieldIndexes.Count);
        for (int c = 0; c < result.FieldIndexes.Count; c++)
            list.Add(FromColumn(schema.Fields[result.FieldIndexes[c]], result.Columns[c], rows, selection));
        return list;
    }

    public static PS.FieldData FromColumn(FieldSchema field, Column column, IReadOnlyList<int> rows, OutputSelection selection)
    {
        var fd = new PS.FieldData
        {
            Type = (PS.DataType)(int)field.DataType,
            FieldName = field.Name,
            FieldId = field.FieldId,
            IsDynamic = field.IsDynamic,
        };
        bool nullable = field.Nullable;
        if (nullable)
        {
            foreach (int r in rows)
                fd.ValidData.Add(r >= 0 && !column.IsNull(r));
        }
        switch (column)
        {
            case FixedColumn<bool> b:
                {
                    var a = new PS.BoolArray();
                    foreach (int r in rows)
                        a.Data.Add(r >= 0 && b.Get(r));
                    fd.Scalars = new PS.ScalarField { BoolData = a };
                    break;
                }
            case FixedColumn<sbyte> i8:
                fd.Scalars = new PS.ScalarField { IntData = Ints(rows, r => i8.Get(r)) };
                break;
            case FixedColumn<short> i16:
                fd.Scalars = new PS.ScalarField { IntData = Ints(rows, r => i16.Get(r)) };
                break;
            case FixedColumn<int> i32:
                fd.Scalars = new PS.ScalarField { IntData = Ints(rows, i32.Get) };
                break;
            case FixedColumn<long> i64:
                {
                    var a = new PS.LongArray();
                    foreach (int r in rows)
                        a.Data.Add(r >= 0 ? i64.Get(r) : 0);
                    fd.Scalars = new PS.ScalarField { LongData = a };
                    break;
                }
            case FixedColumn<float> f:
                {
                    var a = new PS.FloatArray();
                    foreach (int r in rows)
                        a.Data.Add(r >= 0 ? f.Get(r) : 0);
                    fd.Scalars = new PS.ScalarField { FloatData = a };
                    break;
                }
            case FixedColumn<double> d:
                {
                    var a = new PS.DoubleArray();
                    foreach (int r in rows)
                        a.Data.Add(r >= 0 ? d.Get(r) : 0);
                    fd.Scalars = new PS.ScalarField { DoubleData = a };
                    break;
                }
            case VarColumn v when field.IsDynamic:
                {
                    var a = new PS.JSONArray();
                    foreach (int r in rows)
                        a.Data.Add(r >= 0 && !v.IsNull(r) ? DynamicSubset(v.Get(r), selection) : ByteString.CopyFromUtf8("{}"));
                    fd.Scalars = new PS.ScalarField { JsonData = a };
                    break;
                }
            case VarColumn v when field.DataType == DataType.Json:
                {
                    var a = new PS.JSONArray();
                    foreach (int r in rows)
                        a.Data.Add(r >= 0 && !v.IsNull(r) ? ByteString.CopyFrom(v.Get(r)) : ByteString.Empty);
                    fd.Scalars = new PS.ScalarField { JsonData = a };
                    break;
                }
            case VarColumn v when field.DataType == DataType.Array:
                {
                    var a = new PS.ArrayArray { ElementType = (PS.DataType)(int)field.ElementType };
                    foreach (int r in rows)
                        a.Data.Add(r >= 0 && !v.IsNull(r) ? JsonToArray(v.Get(r), field.ElementType) : new PS.ScalarField());
                    fd.Scalars = new PS.ScalarField { ArrayData = a };
                    break;
                }
            case VarColumn v:
                {
                    var a = new PS.StringArray();
                    foreach (int r in rows)
                        a.Data.Add(r >= 0 && !v.IsNull(r) ? Encoding.UTF8.GetString(v.Get(r)) : "");
                    fd.Scalars = new PS.ScalarField { StringData = a };
                    break;
                }
            case VectorColumn vec:
                {
                    var a = new PS.FloatArray();
                    foreach (int r in rows)
                    {
                        if (r >= 0)
                        {
                            foreach (var x in vec.Row(r))
                                a.Data.Add(x);
                        }
                        else
                        {
                            for (int k = 0; k < vec.Dim; k++)
                                a.Data.Add(0);
                        }
                    }
                    fd.Vectors = new PS.VectorField { Dim = vec.Dim, FloatVector = a };
                    break;
                }
            default:
                throw new InvalidOperationException($"cannot convert a {column.GetType().Name}");
        }
        return fd;
    }

    private static PS.IntArray Ints(IReadOnlyList<int> rows, Func<int, int> get)
    {
        var a = new PS.IntArray();
        foreach (int r in rows)
            a.Data.Add(r >= 0 ? get(r) : 0);
        return a;
    }

    private static ByteString DynamicSubset(ReadOnlySpan<byte> json, OutputSelection selection)
    {
        if (selection.AllDynamic)
            return ByteString.CopyFrom(json);
        var reader = new Utf8JsonReader(json);
        using var doc = JsonDocument.ParseValue(ref reader);
        var buffer = new ArrayBufferWriter<byte>(json.Length);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in doc.RootElement.EnumerateObject())
                {
                    if (selection.DynamicKeys.Contains(p.Name))
                        p.WriteTo(w);
                }
            }
            w.WriteEndObject();
        }
        return ByteString.CopyFrom(buffer.WrittenSpan);
    }

    /// <summary>An Array field value (stored as JSON array text) as the per-row ScalarField Milvus sends.</summary>
    public static PS.ScalarField JsonToArray(ReadOnlySpan<byte> json, DataType elementType)
    {
        var reader = new Utf8JsonReader(json);
        using var doc = JsonDocument.ParseValue(ref reader);
        var items = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement.EnumerateArray().ToList() : [];
        var s = new PS.ScalarField();
        switch (elementType)
        {
            case DataType.Bool:
                s.BoolData = new PS.BoolArray();
                s.BoolData.Data.AddRange(items.Select(e => e.ValueKind == JsonValueKind.True));
                break;
            case DataType.Int8 or DataType.Int16 or DataType.Int32:
                s.IntData = new PS.IntArray();
                s.IntData.Data.AddRange(items.Select(e => e.GetInt32()));
                break;
            case DataType.Int64:
                s.LongData = new PS.LongArray();
                s.LongData.Data.AddRange(items.Select(e => e.GetInt64()));
                break;
            case DataType.Float:
                s.FloatData = new PS.FloatArray();
                s.FloatData.Data.AddRange(items.Select(e => e.GetSingle()));
                break;
            case DataType.Double:
                s.DoubleData = new PS.DoubleArray();
                s.DoubleData.Data.AddRange(items.Select(e => e.GetDouble()));
                break;
            default:
                s.StringData = new PS.StringArray();
                s.StringData.Data.AddRange(items.Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()));
                break;
        }
        return s;
    }

    /// <summary>Primary keys as Milvus IDs (int_id or str_id).</summary>
    public static PS.IDs ToIds(IEnumerable<PrimaryKey> keys, bool isString)
    {
        var ids = new PS.IDs();
        if (isString)
        {
            var a = new PS.StringArray();
            foreach (var k in keys)
                a.Data.Add(k.Str ?? "");
            ids.StrId = a;
        }
        else
        {
            var a = new PS.LongArray();
            foreach (var k in keys)
                a.Data.Add(k.Int);
            ids.IntId = a;
        }
        return ids;
    }

    /// <summary>A primary-key FieldData built from keys (search results without output fields).</summary>
    public static PS.FieldData PkField(FieldSchema pk, IEnumerable<PrimaryKey> keys)
    {
        var fd = new PS.FieldData { Type = (PS.DataType)(int)pk.DataType, FieldName = pk.Name, FieldId = pk.FieldId };
        if (pk.DataType == DataType.VarChar)
        {
            var a = new PS.StringArray();
            foreach (var k in keys)
                a.Data.Add(k.Str ?? "");
            fd.Scalars = new PS.ScalarField { StringData = a };
        }
        else
        {
            var a = new PS.LongArray();
            foreach (var k in keys)
                a.Data.Add(k.Int);
            fd.Scalars = new PS.ScalarField { LongData = a };
        }
        return fd;
    }
}
