using System.Text.Json;
using VectorAspire.Core.Columns;

namespace VectorAspire.Core.Expressions;

/// <summary>One step of a bound JSON path: an object key (pre-encoded UTF-8) or an array index.</summary>
internal readonly record struct JsonStep(byte[]? Key, int Index);

/// <summary>A literal to compare JSON values with; a JSON value only ever matches a literal of its own type.</summary>
internal readonly record struct JsonConst(LiteralKind Kind, long Int, double Float, byte[]? Utf8, bool Bool);

internal static class JsonNav
{
    /// <summary>Reads the first token and follows <paramref name="path"/>; on success the reader is on the value.</summary>
    public static bool Navigate(ref Utf8JsonReader r, JsonStep[] path)
    {
        if (!r.Read())
            return false;
        foreach (var step in path)
        {
            if (step.Key is not null)
            {
                if (r.TokenType != JsonTokenType.StartObject)
                    return false;
                bool found = false;
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    bool match = r.ValueTextEquals(step.Key);
                    r.Read();
                    if (match)
                    {
                        found = true;
                        break;
                    }
                    r.Skip();
                }
                if (!found)
                    return false;
            }
            else
            {
                if (r.TokenType != JsonTokenType.StartArray)
                    return false;
                bool found = false;
                int k = 0;
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    if (k++ == step.Index)
                    {
                        found = true;
                        break;
                    }
                    r.Skip();
                }
                if (!found)
                    return false;
            }
        }
        return true;
    }

    /// <summary>The unescaped UTF-8 of the current string token (a view of the input unless it had escapes).</summary>
    public static ReadOnlySpan<byte> StringBytes(ref Utf8JsonReader r, ref EvalContext ctx)
    {
        if (!r.ValueIsEscaped)
            return r.ValueSpan;
        byte[] buf = ctx.Scratch(r.ValueSpan.Length);
        int n = r.CopyString(buf);
        return buf.AsSpan(0, n);
    }

    /// <summary>Three-way compares the current value token with <paramref name="c"/>; false when the types differ.</summary>
    public static bool TryCompare(ref Utf8JsonReader r, in JsonConst c, ref EvalContext ctx, out int cmp)
    {
        cmp = 0;
        switch (r.TokenType)
        {
            case JsonTokenType.Number when c.Kind == LiteralKind.Int:
                if (r.TryGetInt64(out long li))
                    cmp = li.CompareTo(c.Int);
                else if (r.TryGetDouble(out double ld))
                    cmp = CompareOps.Compare(ld, c.Int);
                else
                    return false;
                return true;
            case JsonTokenType.Number when c.Kind == LiteralKind.Float:
                if (r.TryGetInt64(out long fi))
                    cmp = CompareOps.Compare(fi, c.Float);
                else if (r.TryGetDouble(out double fd))
                    cmp = fd.CompareTo(c.Float);
                else
                    return false;
                return true;
            case JsonTokenType.String when c.Kind == LiteralKind.String:
                cmp = StringBytes(ref r, ref ctx).SequenceCompareTo(c.Utf8);
                return true;
            case JsonTokenType.True or JsonTokenType.False when c.Kind == LiteralKind.Bool:
                cmp = (r.TokenType == JsonTokenType.True).CompareTo(c.Bool);
                return true;
            default:
                return false;
        }
    }

    public static bool EqualsAny(ref Utf8JsonReader r, JsonConst[] values, ref EvalContext ctx)
    {
        foreach (var c in values)
        {
            if (TryCompare(ref r, c, ref ctx, out int cmp) && cmp == 0)
                return true;
        }
        return false;
    }
}

/// <summary>
/// A predicate on the value at a JSON path of a JSON / Array / dynamic column, evaluated row by row with a
/// <see cref="Utf8JsonReader"/> (no allocation). Null rows and rows whose JSON is malformed never match.
/// </summary>
internal abstract class JsonLeafPredicate(int column, JsonStep[] path) : LeafPredicate([column])
{
    protected override void EvaluateData(ref EvalContext ctx, Span<ulong> data)
    {
        var col = (VarColumn)ctx.Block.Columns[column];
        for (int i = 0; i < ctx.Rows; i++)
        {
            if (col.IsNull(i))
                continue;
            var json = col.Get(i);
            if (json.IsEmpty)
                continue;
            bool match;
            try
            {
                var r = new Utf8JsonReader(json);
                match = JsonNav.Navigate(ref r, path) && Match(ref ctx, ref r);
            }
            catch (JsonException)
            {
                match = false;
            }
            if (match)
                data[i >> 6] |= 1UL << i;
        }
    }

    /// <summary>The reader is on the first token of the value at the path.</summary>
    protected abstract bool Match(ref EvalContext ctx, ref Utf8JsonReader r);
}

/// <summary>
/// JSON value vs literal. Types must agree for every operator, != included: <c>meta["a"] != 1</c> matches numbers
/// other than 1, not strings, and not rows where "a" is missing.
/// </summary>
internal sealed class JsonComparePredicate(int column, JsonStep[] path, BinaryOp op, JsonConst value)
    : JsonLeafPredicate(column, path)
{
    protected override bool Match(ref EvalContext ctx, ref Utf8JsonReader r) =>
        JsonNav.TryCompare(ref r, value, ref ctx, out int cmp) && CompareOps.Test(op, cmp);
}

internal sealed class JsonInPredicate(int column, JsonStep[] path, JsonConst[] values) : JsonLeafPredicate(column, path)
{
    protected override bool Match(ref EvalContext ctx, ref Utf8JsonReader r) => JsonNav.EqualsAny(ref r, values, ref ctx);
}

internal sealed class JsonLikePredicate(int column, JsonStep[] path, LikePattern pattern) : JsonLeafPredicate(column, path)
{
    protected override bool Match(ref EvalContext ctx, ref Utf8JsonReader r) =>
        r.TokenType == JsonTokenType.String && pattern.IsMatch(JsonNav.StringBytes(ref r, ref ctx));
}

internal sealed class JsonExistsPredicate(int column, JsonStep[] path) : JsonLeafPredicate(column, path)
{
    protected override bool Match(ref EvalContext ctx, ref Utf8JsonReader r) => true;
}

internal enum ContainsMode
{
    One,
    Any,
    All,
}

/// <summary>array_contains / json_contains (+ _all / _any): the value at the path is an array holding the constants.</summary>
internal sealed class JsonContainsPredicate(int column, JsonStep[] path, ContainsMode mode, JsonConst[] values)
    : JsonLeafPredicate(column, path)
{
    protected override bool Match(ref EvalContext ctx, ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartArray)
            return false;
        if (mode != ContainsMode.All)
        {
            while (r.Read() && r.TokenType != JsonTokenType.EndArray)
            {
                if (JsonNav.EqualsAny(ref r, values, ref ctx))
                    return true;
                r.Skip();
            }
            return false;
        }
        // The reader is a struct: copying it rewinds to the array start for each constant, without scratch space.
        var start = r;
        foreach (var c in values)
        {
            var e = start;
            bool found = false;
            while (e.Read() && e.TokenType != JsonTokenType.EndArray)
            {
                if (JsonNav.TryCompare(ref e, c, ref ctx, out int cmp) && cmp == 0)
                {
                    found = true;
                    break;
                }
                e.Skip();
            }
            if (!found)
                return false;
        }
        return true;
    }
}

/// <summary>
/// <c>meta["k"] is null</c>: the column is null, the path is missing, or the value is JSON null. Valid on every row.
/// </summary>
internal sealed class JsonIsNullPredicate(int column, JsonStep[] path, bool negated) : LeafPredicate([], alwaysValid: true)
{
    protected override void EvaluateData(ref EvalContext ctx, Span<ulong> data)
    {
        var col = (VarColumn)ctx.Block.Columns[column];
        for (int i = 0; i < ctx.Rows; i++)
        {
            bool isNull = true;
            if (!col.IsNull(i) && !col.Get(i).IsEmpty)
            {
                try
                {
                    var r = new Utf8JsonReader(col.Get(i));
                    isNull = !JsonNav.Navigate(ref r, path) || r.TokenType == JsonTokenType.Null;
                }
                catch (JsonException)
                {
                    isNull = true;
                }
            }
            if (isNull != negated)
                data[i >> 6] |= 1UL << i;
        }
    }
}

/// <summary>The number at a JSON path (as double, or as Int64 for integer array elements).</summary>
internal sealed class JsonNumSource(int column, JsonStep[] path, bool isFloat) : NumSource
{
    public override bool IsFloat => isFloat;

    public override void CollectColumns(List<int> columns) => columns.Add(column);

    public override void Fill(ref EvalContext ctx, Span<long> ints, Span<double> floats, Span<ulong> present)
    {
        present = present[..ctx.Words];
        var col = (VarColumn)ctx.Block.Columns[column];
        present.Clear();
        for (int i = 0; i < ctx.Rows; i++)
        {
            if (col.IsNull(i) || col.Get(i).IsEmpty)
                continue;
            try
            {
                var r = new Utf8JsonReader(col.Get(i));
                if (!JsonNav.Navigate(ref r, path) || r.TokenType != JsonTokenType.Number)
                    continue;
                bool ok = isFloat ? r.TryGetDouble(out floats[i]) : r.TryGetInt64(out ints[i]);
                if (ok)
                    present[i >> 6] |= 1UL << i;
            }
            catch (JsonException)
            {
            }
        }
    }
}

/// <summary>array_length(f): element count of the array at the path (rows without an array have no value).</summary>
internal sealed class ArrayLengthSource(int column, JsonStep[] path) : NumSource
{
    public override bool IsFloat => false;

    public override void CollectColumns(List<int> columns) => columns.Add(column);

    public override void Fill(ref EvalContext ctx, Span<long> ints, Span<double> floats, Span<ulong> present)
    {
        present = present[..ctx.Words];
        var col = (VarColumn)ctx.Block.Columns[column];
        present.Clear();
        for (int i = 0; i < ctx.Rows; i++)
        {
            if (col.IsNull(i) || col.Get(i).IsEmpty)
                continue;
            try
            {
                var r = new Utf8JsonReader(col.Get(i));
                if (!JsonNav.Navigate(ref r, path) || r.TokenType != JsonTokenType.StartArray)
                    continue;
                long n = 0;
                while (r.Read() && r.TokenType != JsonTokenType.EndArray)
                {
                    n++;
                    r.Skip();
                }
                ints[i] = n;
                present[i >> 6] |= 1UL << i;
            }
            catch (JsonException)
            {
            }
        }
    }
}
