using System.Globalization;
using System.Text;
using System.Text.Json;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Expressions;

public sealed partial class FilterBinder
{
    /// <summary>A bound value-producing sub-expression (bind time only).</summary>
    private abstract record Operand(string Description);

    private sealed record ConstOperand(LiteralKind Kind, long Int, double Float, string? Str, bool Bool, string Description)
        : Operand(Description)
    {
        public bool IsNumeric => Kind is LiteralKind.Int or LiteralKind.Float;

        public JsonConst ToJson() => new(Kind, Int, Float, Str is null ? null : Encoding.UTF8.GetBytes(Str), Bool);
    }

    private sealed record ListOperand(List<ConstOperand> Items, string Description) : Operand(Description);

    private sealed record NumOperand(NumSource Source, string Description) : Operand(Description);

    private sealed record StringFieldOperand(int Column, string Description) : Operand(Description);

    private sealed record BoolFieldOperand(int Column, string Description) : Operand(Description);

    /// <summary>A JSON path (JSON field, dynamic key) or an Array element (ElementType set).</summary>
    private sealed record JsonOperand(int Column, JsonStep[] Path, DataType? ElementType, string Description)
        : Operand(Description);

    private sealed record ArrayFieldOperand(int Column, FieldSchema Field, string Description) : Operand(Description);

    private Operand BindOperand(FilterNode node)
    {
        switch (node)
        {
            case LiteralNode lit:
                return FromLiteral(lit);
            case TemplateNode t:
                return FromTemplate(t);
            case ArrayNode arr:
                var items = new List<ConstOperand>();
                foreach (var item in arr.Items)
                {
                    if (BindOperand(item) is not ConstOperand c)
                        throw new FilterBindException($"array literal {arr} may only hold scalar constants, not '{item}'");
                    items.Add(c);
                }
                return new ListOperand(items, $"the list {arr}");
            case FieldNode f:
                return ResolveField(f);
            case UnaryNode { Op: UnaryOp.Negate or UnaryOp.Plus } u:
                var operand = BindOperand(u.Operand);
                if (u.Op == UnaryOp.Plus)
                {
                    RequireNumeric(operand, u.ToString());
                    return operand;
                }
                if (operand is ConstOperand { IsNumeric: true } k)
                {
                    return k.Kind == LiteralKind.Int
                        ? new ConstOperand(LiteralKind.Int, unchecked(-k.Int), 0, null, false, $"the integer {unchecked(-k.Int)}")
                        : new ConstOperand(LiteralKind.Float, 0, -k.Float, null, false, $"the number {-k.Float}");
                }
                var src = RequireNumeric(operand, u.ToString());
                return new NumOperand(new ArithNumSource(new ConstNumSource(src.IsFloat, 0, 0.0), BinaryOp.Sub, src),
                    $"the expression {u}");
            case BinaryNode b when BinaryNode.IsArithmetic(b.Op):
                return BindArithmetic(b);
            case CallNode { Function: "array_length" } call:
                if (call.Args.Count != 1)
                    throw new FilterBindException($"array_length takes one argument, got {call.Args.Count}");
                var (col, path) = BindArrayTarget(call.Args[0], "array_length", out _);
                return new NumOperand(new ArrayLengthSource(col, path), $"{call}");
            case UnaryNode { Op: UnaryOp.Not } n:
                throw new FilterBindException(
                    $"'{n}' is not a value; as in Milvus, not binds tighter than comparisons, so write not (a == 1) instead of not a == 1");
            default:
                throw new FilterBindException($"'{node}' is not a value that can be compared");
        }
    }

    private static ConstOperand FromLiteral(LiteralNode lit) => lit.Kind switch
    {
        LiteralKind.Int => new(LiteralKind.Int, lit.IntValue, 0, null, false, $"the integer {lit}"),
        LiteralKind.Float => new(LiteralKind.Float, 0, lit.FloatValue, null, false, $"the number {lit}"),
        LiteralKind.String => new(LiteralKind.String, 0, 0, lit.StringValue, false, $"the string {lit}"),
        _ => new(LiteralKind.Bool, 0, 0, null, lit.BoolValue, $"the boolean {lit}"),
    };

    private Operand FromTemplate(TemplateNode t)
    {
        if (_templateValues is null || !_templateValues.TryGetValue(t.Name, out var value))
            throw new FilterBindException($"template value {{{t.Name}}} is missing from the expression parameters");
        if (value.ValueKind == JsonValueKind.Array)
        {
            var items = new List<ConstOperand>();
            foreach (var e in value.EnumerateArray())
                items.Add(FromJsonScalar(e, t.Name));
            return new ListOperand(items, $"the template list {{{t.Name}}}");
        }
        return FromJsonScalar(value, t.Name);
    }

    private static ConstOperand FromJsonScalar(JsonElement e, string name)
    {
        string d = $"the template value {{{name}}}";
        return e.ValueKind switch
        {
            JsonValueKind.Number when e.TryGetInt64(out long l) => new(LiteralKind.Int, l, 0, null, false, d),
            JsonValueKind.Number when e.TryGetDouble(out double f) => new(LiteralKind.Float, 0, f, null, false, d),
            JsonValueKind.Number => throw new FilterBindException($"template value {{{name}}} is out of the Double range"),
            JsonValueKind.String => new(LiteralKind.String, 0, 0, e.GetString(), false, d),
            JsonValueKind.True or JsonValueKind.False => new(LiteralKind.Bool, 0, 0, null, e.GetBoolean(), d),
            _ => throw new FilterBindException(
                $"template value {{{name}}} is a JSON {e.ValueKind.ToString().ToLowerInvariant()}; use a number, string, bool or an array of them"),
        };
    }

    private Operand ResolveField(FieldNode f)
    {
        var field = _schema.FindField(f.Name);
        JsonStep[] path;
        if (field is null)
        {
            var dyn = _schema.DynamicField;
            if (dyn is null)
                throw new FilterBindException(
                    $"field '{f.Name}' does not exist in collection '{_schema.Name}', and the collection has no dynamic field");
            path = new JsonStep[f.Path.Count + 1];
            path[0] = new JsonStep(Encoding.UTF8.GetBytes(f.Name), 0);
            for (int i = 0; i < f.Path.Count; i++)
                path[i + 1] = ToStep(f.Path[i]);
            return new JsonOperand(ColumnOf(dyn), path, null, $"the dynamic field key {f}");
        }
        int col = ColumnOf(field);
        if (field.DataType.IsVector())
            throw new FilterBindException($"vector field '{field.Name}' cannot be used in a filter expression");
        if (field.IsDynamic || field.DataType == DataType.Json)
        {
            path = new JsonStep[f.Path.Count];
            for (int i = 0; i < path.Length; i++)
                path[i] = ToStep(f.Path[i]);
            return new JsonOperand(col, path, null, f.Path.Count == 0 ? $"JSON field '{field.Name}'" : $"the JSON path {f}");
        }
        if (field.DataType == DataType.Array)
        {
            if (f.Path.Count == 0)
                return new ArrayFieldOperand(col, field, $"Array field '{field.Name}'");
            if (f.Path.Count != 1 || f.Path[0].Key is not null)
                throw new FilterBindException($"Array field '{field.Name}' takes exactly one integer index, like {field.Name}[0]; got {f}");
            return new JsonOperand(col, [ToStep(f.Path[0])], field.ElementType,
                $"the {field.ElementType.Name()} element {f}");
        }
        if (f.Path.Count > 0)
            throw new FilterBindException(
                $"field '{field.Name}' is {field.DataType.Name()}, not JSON or Array, so it cannot be indexed with [..] ({f})");
        string desc = $"{field.DataType.Name()} field '{field.Name}'";
        if (field.DataType.IsNumeric())
            return new NumOperand(new FieldNumSource(col, field.DataType), desc);
        if (field.DataType.IsString())
            return new StringFieldOperand(col, desc);
        if (field.DataType == DataType.Bool)
            return new BoolFieldOperand(col, desc);
        throw new FilterBindException($"field '{field.Name}' of type {field.DataType.Name()} cannot be used in a filter expression");
    }

    private static JsonStep ToStep(PathSegment s) =>
        s.Key is null ? new JsonStep(null, s.Index) : new JsonStep(Encoding.UTF8.GetBytes(s.Key), 0);

    private int ColumnOf(FieldSchema field)
    {
        for (int i = 0; i < _schema.Fields.Count; i++)
        {
            if (ReferenceEquals(_schema.Fields[i], field))
                return i;
        }
        throw new InvalidOperationException($"field '{field.Name}' is not in the schema");
    }

    /// <summary>A numeric source for arithmetic / numeric comparison, or null when the operand is not numeric.</summary>
    private static NumSource? AsNumeric(Operand o) => o switch
    {
        NumOperand n => n.Source,
        ConstOperand { Kind: LiteralKind.Int } c => new ConstNumSource(false, c.Int, 0),
        ConstOperand { Kind: LiteralKind.Float } c => new ConstNumSource(true, 0, c.Float),
        JsonOperand { ElementType: null } j => new JsonNumSource(j.Column, j.Path, isFloat: true),
        JsonOperand { ElementType: { } et } j when et.IsNumeric() => new JsonNumSource(j.Column, j.Path, isFloat: et.IsFloating()),
        _ => null,
    };

    private static NumSource RequireNumeric(Operand o, string context) =>
        AsNumeric(o) ?? throw new FilterBindException($"arithmetic in '{context}' needs numbers, but {o.Description} is not numeric");

    private Operand BindArithmetic(BinaryNode b)
    {
        var l = BindOperand(b.Left);
        var r = BindOperand(b.Right);
        if (l is ConstOperand { IsNumeric: true } lc && r is ConstOperand { IsNumeric: true } rc)
            return Fold(b, lc, rc);
        var ls = RequireNumeric(l, b.ToString());
        var rs = RequireNumeric(r, b.ToString());
        if (b.Op is BinaryOp.Div or BinaryOp.Mod && r is ConstOperand { Kind: LiteralKind.Int, Int: 0 } && !ls.IsFloat)
            throw new FilterBindException($"integer division by zero in '{b}'");
        return new NumOperand(new ArithNumSource(ls, b.Op, rs), $"the expression {b}");
    }

    private static ConstOperand Fold(BinaryNode b, ConstOperand l, ConstOperand r)
    {
        if (l.Kind == LiteralKind.Int && r.Kind == LiteralKind.Int)
        {
            if (b.Op is BinaryOp.Div or BinaryOp.Mod && r.Int == 0)
                throw new FilterBindException($"integer division by zero in '{b}'");
            long v = b.Op switch
            {
                BinaryOp.Add => unchecked(l.Int + r.Int),
                BinaryOp.Sub => unchecked(l.Int - r.Int),
                BinaryOp.Mul => unchecked(l.Int * r.Int),
                BinaryOp.Div => r.Int == -1 ? unchecked(-l.Int) : l.Int / r.Int,
                _ => r.Int == -1 ? 0 : l.Int % r.Int,
            };
            return new ConstOperand(LiteralKind.Int, v, 0, null, false, $"the integer {v}");
        }
        double a = l.Kind == LiteralKind.Int ? l.Int : l.Float;
        double c = r.Kind == LiteralKind.Int ? r.Int : r.Float;
        double d = b.Op switch
        {
            BinaryOp.Add => a + c,
            BinaryOp.Sub => a - c,
            BinaryOp.Mul => a * c,
            BinaryOp.Div => a / c,
            _ => a % c,
        };
        if (double.IsNaN(d))
            throw new FilterBindException($"the constant expression '{b}' is not a number (NaN)");
        return new ConstOperand(LiteralKind.Float, 0, d, null, false, $"the number {d.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>The array a contains / length function runs over: an Array field or a JSON path.</summary>
    private (int Column, JsonStep[] Path) BindArrayTarget(FilterNode node, string function, out DataType? elementType)
    {
        switch (BindOperand(node))
        {
            case ArrayFieldOperand a:
                elementType = a.Field.ElementType;
                return (a.Column, []);
            case JsonOperand { ElementType: null } j:
                elementType = null;
                return (j.Column, j.Path);
            case var o:
                throw new FilterBindException($"{function} needs an Array field or a JSON path, but got {o.Description}");
        }
    }
}
