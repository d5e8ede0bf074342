using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using VectorAspire.Core.Expressions;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Tests.Expressions;

/// <summary>
/// A deliberately naive, row-at-a-time interpreter of the filter AST, written independently of the engine: values
/// are boxed records, JSON is parsed with JsonDocument, LIKE becomes a Regex, Int64-vs-double uses BigInteger.
/// Semantics it pins: a leaf is (data, valid) with valid = every referenced column non-null; and/or combine data
/// and OR valid; not = !data &amp; valid; values only compare with values of their own kind (numbers with numbers).
/// </summary>
internal sealed class ReferenceInterpreter(CollectionSchema schema, IReadOnlyDictionary<string, JsonElement>? templates)
{
    private abstract record V;
    private sealed record VInt(long X) : V;
    private sealed record VFloat(double X) : V;
    private sealed record VStr(string X) : V;
    private sealed record VBool(bool X) : V;
    private sealed record VJson(JsonElement X) : V;

    public bool Matches(FilterNode node, object?[] row)
    {
        var (d, v) = Pred(node, row);
        return d && v;
    }

    private (bool D, bool V) Pred(FilterNode node, object?[] row)
    {
        switch (node)
        {
            case BinaryNode { Op: BinaryOp.And } b:
                var (ld, lv) = Pred(b.Left, row);
                var (rd, rv) = Pred(b.Right, row);
                return (ld && rd, lv || rv);
            case BinaryNode { Op: BinaryOp.Or } b:
                var (ld2, lv2) = Pred(b.Left, row);
                var (rd2, rv2) = Pred(b.Right, row);
                return (ld2 || rd2, lv2 || rv2);
            case UnaryNode { Op: UnaryOp.Not } u:
                var (d, v) = Pred(u.Operand, row);
                return (!d && v, v);
            case IsNullNode n:
                return (IsNull(n.Field, row) != n.Negated, true);
            case LiteralNode { Kind: LiteralKind.Bool } lit:
                return (lit.BoolValue, true);
            case TemplateNode t:
                return (templates![t.Name].GetBoolean(), true);
            case InNode { Negated: true } i:
                bool valid = ColumnsValid(i, row);
                return (valid && !In(i, row), valid);
            default:
                bool ok = ColumnsValid(node, row);
                return (ok && Leaf(node, row), ok);
        }
    }

    private bool ColumnsValid(FilterNode node, object?[] row)
    {
        foreach (var f in FieldsIn(node))
        {
            if (row[ColumnOf(f.Name)] is null)
                return false;
        }
        return true;
    }

    private static IEnumerable<FieldNode> FieldsIn(FilterNode node)
    {
        switch (node)
        {
            case FieldNode f: yield return f; break;
            case BinaryNode b: foreach (var x in FieldsIn(b.Left).Concat(FieldsIn(b.Right))) yield return x; break;
            case UnaryNode u: foreach (var x in FieldsIn(u.Operand)) yield return x; break;
            case RangeNode r: yield return r.Field; break;
            case InNode i: foreach (var x in FieldsIn(i.Value)) yield return x; break;
            case CallNode c: foreach (var x in c.Args.SelectMany(FieldsIn)) yield return x; break;
            case ExistsNode e: foreach (var x in FieldsIn(e.Operand)) yield return x; break;
        }
    }

    private int ColumnOf(string name)
    {
        for (int i = 0; i < schema.Fields.Count; i++)
        {
            if (schema.Fields[i].Name == name)
                return i;
        }
        for (int i = 0; i < schema.Fields.Count; i++)
        {
            if (schema.Fields[i].IsDynamic)
                return i;
        }
        throw new InvalidOperationException(name);
    }

    private bool Leaf(FilterNode node, object?[] row)
    {
        switch (node)
        {
            case BinaryNode b when BinaryNode.IsComparison(b.Op):
                return Compare(b.Op, b.Left, b.Right, row);
            case BinaryNode { Op: BinaryOp.Like } b:
                return Val(b.Left, row) is VStr s && LikeRegex(((VStr)Val(b.Right, row)!).X).IsMatch(s.X);
            case RangeNode r:
                return Compare(r.LowerOp, r.Lower, r.Field, row) && Compare(r.UpperOp, r.Field, r.Upper, row);
            case InNode i:
                return In(i, row);
            case ExistsNode e:
                return Lookup((FieldNode)e.Operand, row, out _);
            case FieldNode f:
                return Val(f, row) is VBool { X: true };
            case CallNode c:
                if (Val(c.Args[0], row) is not VJson { X.ValueKind: JsonValueKind.Array } arr)
                    return false;
                var elements = arr.X.EnumerateArray().Select(ToV).ToList();
                var wanted = c.Function.EndsWith("_all", StringComparison.Ordinal) || c.Function.EndsWith("_any", StringComparison.Ordinal)
                    ? List(c.Args[1]) : [Val(c.Args[1], row)!];
                bool Has(V w) => elements.Any(e => Cmp(e, w) == 0);
                return c.Function.EndsWith("_all", StringComparison.Ordinal) ? wanted.All(Has) : wanted.Any(Has);
            default:
                throw new InvalidOperationException($"reference cannot evaluate {node}");
        }
    }

    private bool In(InNode i, object?[] row)
    {
        var v = Val(i.Value, row);
        if (v is null)
            return false;
        return List(i.List).Any(item => Cmp(v, RoundFor(i.Value, item)!) == 0);
    }

    private List<V> List(FilterNode node) => node switch
    {
        ArrayNode a => a.Items.Select(x => Val(x, [])!).ToList(),
        TemplateNode t => templates![t.Name].EnumerateArray().Select(ToV).ToList(),
        _ => throw new InvalidOperationException(),
    };

    private bool Compare(BinaryOp op, FilterNode l, FilterNode r, object?[] row)
    {
        var a = l is LiteralNode or TemplateNode ? RoundFor(r, Val(l, row)) : Val(l, row);
        var b = r is LiteralNode or TemplateNode ? RoundFor(l, Val(r, row)) : Val(r, row);
        if (a is VFloat { X: double.NaN } && b is VInt or VFloat || b is VFloat { X: double.NaN } && a is VInt or VFloat)
            return op == BinaryOp.Ne; // IEEE 754: NaN is unordered
        int? c = a is null || b is null ? null : Cmp(a, b);
        return c is int k && op switch
        {
            BinaryOp.Lt => k < 0,
            BinaryOp.Le => k <= 0,
            BinaryOp.Gt => k > 0,
            BinaryOp.Ge => k >= 0,
            BinaryOp.Eq => k == 0,
            _ => k != 0,
        };
    }

    /// <summary>A float constant meeting a declared Float field is rounded to float first (Milvus casts it).</summary>
    private V? RoundFor(FilterNode other, V? v) =>
        v is VFloat f && other is FieldNode { Path.Count: 0 } fn && schema.FindField(fn.Name)?.DataType == DataType.Float
            ? new VFloat((float)f.X) : v;

    private static int? Cmp(V a, V b) => (a, b) switch
    {
        (VInt x, VInt y) => x.X.CompareTo(y.X),
        (VInt x, VFloat y) => double.IsNaN(y.X) ? null : ExactCmp(x.X, y.X),
        (VFloat x, VInt y) => double.IsNaN(x.X) ? null : -ExactCmp(y.X, x.X),
        (VFloat x, VFloat y) => double.IsNaN(x.X) || double.IsNaN(y.X) ? null : x.X.CompareTo(y.X),
        (VStr x, VStr y) => Encoding.UTF8.GetBytes(x.X).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y.X)),
        (VBool x, VBool y) => x.X.CompareTo(y.X),
        _ => null,
    };

    private static int ExactCmp(long a, double d)
    {
        if (double.IsInfinity(d))
            return d > 0 ? -1 : 1;
        var floor = new BigInteger(Math.Floor(d));
        var big = new BigInteger(a);
        if (big < floor)
            return -1;
        if (big > floor)
            return 1;
        return d == Math.Floor(d) ? 0 : -1;
    }

    private V? Val(FilterNode node, object?[] row)
    {
        switch (node)
        {
            case LiteralNode lit:
                return lit.Kind switch
                {
                    LiteralKind.Int => new VInt(lit.IntValue),
                    LiteralKind.Float => new VFloat(lit.FloatValue),
                    LiteralKind.String => new VStr(lit.StringValue!),
                    _ => new VBool(lit.BoolValue),
                };
            case TemplateNode t:
                return ToV(templates![t.Name]);
            case FieldNode f:
                return Lookup(f, row, out var v) ? v : null;
            case UnaryNode { Op: UnaryOp.Negate } u:
                return Arith(BinaryOp.Sub, new VInt(0), NumVal(u.Operand, row));
            case BinaryNode b when BinaryNode.IsArithmetic(b.Op):
                return Arith(b.Op, NumVal(b.Left, row), NumVal(b.Right, row));
            case CallNode { Function: "array_length" } c:
                return Val(c.Args[0], row) is VJson { X.ValueKind: JsonValueKind.Array } a ? new VInt(a.X.GetArrayLength()) : null;
            default:
                throw new InvalidOperationException($"reference has no value for {node}");
        }
    }

    /// <summary>In arithmetic a JSON number (field or dynamic key, not an Array element) is a double.</summary>
    private V? NumVal(FilterNode node, object?[] row)
    {
        var v = Val(node, row);
        bool json = node is FieldNode f && (schema.FindField(f.Name) is not { } fs || fs.DataType == DataType.Json);
        return json && v is VInt i ? new VFloat(i.X) : json && v is VJson ? null : v;
    }

    private static long Wrap(BigInteger b) => unchecked((long)(ulong)(b & ulong.MaxValue));

    private static V? Arith(BinaryOp op, V? a, V? b)
    {
        if (a is VInt x && b is VInt y)
        {
            if (op is BinaryOp.Div or BinaryOp.Mod && y.X == 0)
                return null;
            return new VInt(op switch
            {
                BinaryOp.Add => unchecked(x.X + y.X),
                BinaryOp.Sub => unchecked(x.X - y.X),
                BinaryOp.Mul => unchecked(x.X * y.X),
                BinaryOp.Div => Wrap(new BigInteger(x.X) / y.X),
                _ => Wrap(new BigInteger(x.X) % y.X),
            });
        }
        double? p = a switch { VInt i => i.X, VFloat f => f.X, _ => null };
        double? q = b switch { VInt i => i.X, VFloat f => f.X, _ => null };
        if (p is null || q is null)
            return null;
        return new VFloat(op switch
        {
            BinaryOp.Add => p.Value + q.Value,
            BinaryOp.Sub => p.Value - q.Value,
            BinaryOp.Mul => p.Value * q.Value,
            BinaryOp.Div => p.Value / q.Value,
            _ => p.Value % q.Value,
        });
    }

    private bool IsNull(FieldNode f, object?[] row)
    {
        var field = schema.FindField(f.Name);
        if (field is not null && f.Path.Count == 0)
            return row[ColumnOf(f.Name)] is null;
        return !Lookup(f, row, out var v) || v is VJson { X.ValueKind: JsonValueKind.Null };
    }

    /// <summary>Finds the value a field reference names; false when the column is null or a JSON key is missing.</summary>
    private bool Lookup(FieldNode f, object?[] row, out V? value)
    {
        value = null;
        var field = schema.FindField(f.Name);
        var raw = row[ColumnOf(f.Name)];
        if (raw is null)
            return false;
        if (field is not null && field.DataType is not (DataType.Json or DataType.Array))
        {
            value = raw switch
            {
                sbyte x => new VInt(x),
                short x => new VInt(x),
                int x => new VInt(x),
                long x => new VInt(x),
                float x => new VFloat(x),
                double x => new VFloat(x),
                string x => new VStr(x),
                bool x => new VBool(x),
                _ => null,
            };
            return true;
        }
        using var doc = JsonDocument.Parse((string)raw);
        var e = doc.RootElement;
        var path = field is null || field.IsDynamic && f.Name != "$meta"
            ? new[] { new PathSegment(f.Name, 0) }.Concat(f.Path)
            : f.Path;
        foreach (var seg in path)
        {
            if (seg.Key is not null)
            {
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(seg.Key, out e))
                    return false;
            }
            else
            {
                if (e.ValueKind != JsonValueKind.Array || seg.Index >= e.GetArrayLength())
                    return false;
                e = e[seg.Index];
            }
        }
        value = ToV(e.Clone());
        return true;
    }

    private static V ToV(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number when e.TryGetInt64(out long l) => new VInt(l),
        JsonValueKind.Number => new VFloat(e.GetDouble()),
        JsonValueKind.String => new VStr(e.GetString()!),
        JsonValueKind.True => new VBool(true),
        JsonValueKind.False => new VBool(false),
        _ => new VJson(e.Clone()),
    };

    private static Regex LikeRegex(string pattern)
    {
        var sb = new StringBuilder(@"\A");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length && pattern[i + 1] is '%' or '_' or '\\')
                sb.Append(Regex.Escape(pattern[++i].ToString()));
            else if (c == '%')
                sb.Append(".*");
            else if (c == '_')
                sb.Append(@"(?:[\uD800-\uDBFF][\uDC00-\uDFFF]|.)");
            else
                sb.Append(Regex.Escape(c.ToString()));
        }
        sb.Append(@"\z");
        return new Regex(sb.ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant);
    }
}
