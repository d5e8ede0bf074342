using System.Text;
using System.Text.Json;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Expressions;

/// <summary>
/// Resolves a parsed filter against a collection schema: field lookup (declared fields first, then keys of the
/// dynamic field), template substitution, type checking, and the choice of a column-at-a-time evaluator per leaf.
/// String constants are encoded to UTF-8 here, once.
/// </summary>
public sealed partial class FilterBinder
{
    private readonly CollectionSchema _schema;
    private readonly IReadOnlyDictionary<string, JsonElement>? _templateValues;

    private FilterBinder(CollectionSchema schema, IReadOnlyDictionary<string, JsonElement>? templateValues)
    {
        _schema = schema;
        _templateValues = templateValues;
    }

    public static BoundFilter Bind(FilterNode node, CollectionSchema schema, IReadOnlyDictionary<string, JsonElement>? templateValues)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(schema);
        var binder = new FilterBinder(schema, templateValues);
        return new BoundFilter(binder.BindPredicate(node), schema, node.ToString());
    }

    private FilterPredicate BindPredicate(FilterNode node)
    {
        switch (node)
        {
            case BinaryNode { Op: BinaryOp.And or BinaryOp.Or } b:
                return new LogicalPredicate(BindPredicate(b.Left), BindPredicate(b.Right), b.Op == BinaryOp.And);
            case UnaryNode { Op: UnaryOp.Not } u:
                return new NotPredicate(BindPredicate(u.Operand));
            case BinaryNode b when BinaryNode.IsComparison(b.Op):
                return BindCompare(b.Op, BindOperand(b.Left), BindOperand(b.Right));
            case BinaryNode { Op: BinaryOp.Like } b:
                return BindLike(b);
            case RangeNode r:
                var field = BindOperand(r.Field);
                return new LogicalPredicate(
                    BindCompare(r.LowerOp, BindOperand(r.Lower), field),
                    BindCompare(r.UpperOp, field, BindOperand(r.Upper)),
                    isAnd: true);
            case InNode i:
                var inPredicate = BindIn(i);
                return i.Negated ? new NotPredicate(inPredicate) : inPredicate;
            case CallNode c:
                return BindCall(c);
            case IsNullNode n:
                return BindIsNull(n);
            case ExistsNode e:
                if (e.Operand is FieldNode && BindOperand(e.Operand) is JsonOperand { ElementType: null } j && j.Path.Length > 0)
                    return new JsonExistsPredicate(j.Column, j.Path);
                throw new FilterBindException($"exists needs a JSON path such as meta[\"key\"] or a dynamic field key, got '{e.Operand}'");
            case LiteralNode { Kind: LiteralKind.Bool } lit:
                return new ConstantPredicate(lit.BoolValue);
            case TemplateNode t when FromTemplate(t) is ConstOperand { Kind: LiteralKind.Bool } tb:
                return new ConstantPredicate(tb.Bool);
            case FieldNode f when ResolveField(f) is BoolFieldOperand bf:
                return new BoolValuePredicate(bf.Column, acceptTrue: true, acceptFalse: false);
            case FieldNode f:
                throw new FilterBindException(
                    $"'{f}' is not a boolean condition; compare it with a value, e.g. {f} == ...");
            default:
                throw new FilterBindException($"'{node}' is not a boolean condition");
        }
    }

    private FilterPredicate BindCompare(BinaryOp op, Operand l, Operand r)
    {
        if (l is ConstOperand or ListOperand && r is not (ConstOperand or ListOperand))
        {
            (l, r) = (r, l);
            op = CompareOps.Flip(op);
        }
        string sym = BinaryNode.Symbol(op);
        if (l is ConstOperand or ListOperand)
            throw new FilterBindException($"'{sym}' compares two constants ({l.Description} and {r.Description}); one side must be a field");
        if (r is ListOperand)
            throw new FilterBindException($"{r.Description} can only be used with in, not in, or the *_contains functions");
        bool ordering = op is not (BinaryOp.Eq or BinaryOp.Ne);

        switch (l)
        {
            case NumOperand n:
                if (r is ConstOperand { IsNumeric: true } c)
                    return NumConstant(n.Source, op, c);
                if (AsNumeric(r) is { } rs && r is not JsonOperand { ElementType: null })
                    return NumComparePredicate.WithSource(n.Source, op, rs);
                break;
            case StringFieldOperand s:
                if (r is ConstOperand { Kind: LiteralKind.String } sc)
                    return new StringComparePredicate(s.Column, op, Encoding.UTF8.GetBytes(sc.Str!));
                if (r is StringFieldOperand s2)
                    return new StringColumnsPredicate(s.Column, op, s2.Column);
                break;
            case BoolFieldOperand b:
                if (ordering && r is ConstOperand { Kind: LiteralKind.Bool } or BoolFieldOperand)
                    throw new FilterBindException($"'{sym}' cannot order booleans ({b.Description}); use == or !=");
                if (r is ConstOperand { Kind: LiteralKind.Bool } bc)
                {
                    bool wantTrue = bc.Bool == (op == BinaryOp.Eq);
                    return new BoolValuePredicate(b.Column, acceptTrue: wantTrue, acceptFalse: !wantTrue);
                }
                if (r is BoolFieldOperand b2)
                    return new BoolColumnsPredicate(b.Column, op, b2.Column);
                break;
            case JsonOperand j:
                if (r is ConstOperand jc)
                {
                    CheckElementConstant(j, jc);
                    if (ordering && jc.Kind == LiteralKind.Bool)
                        throw new FilterBindException($"'{sym}' cannot order booleans; use == or != with {j.Description}");
                    return new JsonComparePredicate(j.Column, j.Path, op, jc.ToJson());
                }
                if (j.ElementType is { } et && et.IsNumeric() && r is NumOperand rn)
                    return NumComparePredicate.WithSource(AsNumeric(j)!, op, rn.Source);
                if (j.ElementType is null)
                    throw new FilterBindException(
                        $"{j.Description} can only be compared with a constant, not with {r.Description}");
                break;
            case ArrayFieldOperand a:
                throw new FilterBindException(
                    $"{a.Description} cannot be compared as a whole; index an element ({a.Field.Name}[0]) or use array_contains");
        }
        throw new FilterBindException($"type mismatch: cannot compare {l.Description} with {r.Description} using '{sym}'");
    }

    private static LeafPredicate NumConstant(NumSource source, BinaryOp op, ConstOperand c)
    {
        double f = RoundForField(source, c);
        if (source is FieldNumSource field)
        {
            bool isInt = c.Kind == LiteralKind.Int;
            long i = c.Int;
            switch (field.Type)
            {
                case DataType.Int8 when isInt && i is >= sbyte.MinValue and <= sbyte.MaxValue:
                    return new FixedConstComparePredicate<sbyte>(field.Column, op, (sbyte)i);
                case DataType.Int16 when isInt && i is >= short.MinValue and <= short.MaxValue:
                    return new FixedConstComparePredicate<short>(field.Column, op, (short)i);
                case DataType.Int32 when isInt && i is >= int.MinValue and <= int.MaxValue:
                    return new FixedConstComparePredicate<int>(field.Column, op, (int)i);
                case DataType.Int64 when isInt:
                    return new FixedConstComparePredicate<long>(field.Column, op, i);
                case DataType.Float when !isInt || i is >= -(1L << 24) and <= 1L << 24:
                    return new FixedConstComparePredicate<float>(field.Column, op, isInt ? i : (float)f);
                case DataType.Double when !isInt || i is >= -(1L << 53) and <= 1L << 53:
                    return new FixedConstComparePredicate<double>(field.Column, op, isInt ? i : f);
            }
        }
        return NumComparePredicate.WithConstant(source, op, c.Kind == LiteralKind.Float, c.Int, f);
    }

    /// <summary>
    /// A Float (32-bit) field is compared with the constant rounded to float, as Milvus does, so that
    /// <c>f == 0.1</c> matches a stored 0.1f. Everything else compares at full precision.
    /// </summary>
    private static double RoundForField(NumSource source, ConstOperand c) =>
        source is FieldNumSource { Type: DataType.Float } && c.Kind == LiteralKind.Float ? (float)c.Float : c.Float;

    private static void CheckElementConstant(JsonOperand j, ConstOperand c)
    {
        if (j.ElementType is { } et)
            CheckElementConstant(et, c, j.Description);
    }

    private static void CheckElementConstant(DataType elementType, ConstOperand c, string what)
    {
        bool ok = c.Kind switch
        {
            LiteralKind.Int or LiteralKind.Float => elementType.IsNumeric(),
            LiteralKind.String => elementType.IsString(),
            _ => elementType == DataType.Bool,
        };
        if (!ok)
            throw new FilterBindException($"type mismatch: {what} holds {elementType.Name()} values and cannot match {c.Description}");
    }

    private FilterPredicate BindLike(BinaryNode b)
    {
        var pattern = BindOperand(b.Right);
        if (pattern is not ConstOperand { Kind: LiteralKind.String } p)
            throw new FilterBindException($"like needs a string pattern on its right, got {pattern.Description}");
        var like = new LikePattern(p.Str!);
        switch (BindOperand(b.Left))
        {
            case StringFieldOperand s:
                return new StringLikePredicate(s.Column, like);
            case JsonOperand j when j.ElementType is null || j.ElementType.Value.IsString():
                return new JsonLikePredicate(j.Column, j.Path, like);
            case var o:
                throw new FilterBindException($"like needs a VarChar field or a JSON path, but got {o.Description}");
        }
    }

    private FilterPredicate BindIn(InNode node)
    {
        var value = BindOperand(node.Value);
        if (BindOperand(node.List) is not ListOperand list)
            throw new FilterBindException($"'in' needs a list like [1, 2] or a template holding an array, got '{node.List}'");
        switch (value)
        {
            case NumOperand n:
                var ints = new List<long>();
                var floats = new List<double>();
                foreach (var c in list.Items)
                {
                    if (c.Kind == LiteralKind.Int)
                        ints.Add(c.Int);
                    else if (c.Kind == LiteralKind.Float)
                        floats.Add(RoundForField(n.Source, c));
                    else
                        throw InListMismatch(n, c);
                }
                return new NumInPredicate(n.Source, new NumericSet(ints, floats));
            case StringFieldOperand s:
                var bytes = new List<byte[]>();
                foreach (var c in list.Items)
                    bytes.Add(c.Kind == LiteralKind.String ? Encoding.UTF8.GetBytes(c.Str!) : throw InListMismatch(s, c));
                return new StringInPredicate(s.Column, new Utf8Set(bytes));
            case BoolFieldOperand b:
                bool anyTrue = false, anyFalse = false;
                foreach (var c in list.Items)
                {
                    if (c.Kind != LiteralKind.Bool)
                        throw InListMismatch(b, c);
                    anyTrue |= c.Bool;
                    anyFalse |= !c.Bool;
                }
                return new BoolValuePredicate(b.Column, anyTrue, anyFalse);
            case JsonOperand j:
                var consts = new JsonConst[list.Items.Count];
                for (int i = 0; i < consts.Length; i++)
                {
                    CheckElementConstant(j, list.Items[i]);
                    consts[i] = list.Items[i].ToJson();
                }
                return new JsonInPredicate(j.Column, j.Path, consts);
            default:
                throw new FilterBindException($"'in' cannot be applied to {value.Description}");
        }
    }

    private static FilterBindException InListMismatch(Operand value, ConstOperand item) =>
        new($"type mismatch: the 'in' list for {value.Description} contains {item.Description}");

    private FilterPredicate BindCall(CallNode c)
    {
        ContainsMode mode;
        switch (c.Function)
        {
            case "array_contains" or "json_contains": mode = ContainsMode.One; break;
            case "array_contains_all" or "json_contains_all": mode = ContainsMode.All; break;
            case "array_contains_any" or "json_contains_any": mode = ContainsMode.Any; break;
            case "array_length":
                throw new FilterBindException($"{c} is a number; compare it, e.g. {c} == 2");
            default:
                throw new FilterBindException(
                    $"unknown or unsupported function '{c.Function}'; supported: array_contains, array_contains_all, array_contains_any, array_length, json_contains, json_contains_all, json_contains_any");
        }
        if (c.Args.Count != 2)
            throw new FilterBindException($"{c.Function} takes 2 arguments, got {c.Args.Count}");
        var (column, path) = BindArrayTarget(c.Args[0], c.Function, out var elementType);
        var arg = BindOperand(c.Args[1]);
        List<ConstOperand> values;
        if (mode == ContainsMode.One)
        {
            if (arg is not ConstOperand one)
                throw new FilterBindException($"{c.Function} needs a scalar constant as its second argument, got {arg.Description}");
            values = [one];
        }
        else
        {
            if (arg is not ListOperand many)
                throw new FilterBindException($"{c.Function} needs a list like [1, 2] as its second argument, got {arg.Description}");
            values = many.Items;
        }
        var consts = new JsonConst[values.Count];
        for (int i = 0; i < consts.Length; i++)
        {
            if (elementType is { } et)
                CheckElementConstant(et, values[i], $"the array in {c.Function}");
            consts[i] = values[i].ToJson();
        }
        return new JsonContainsPredicate(column, path, mode, consts);
    }

    private FilterPredicate BindIsNull(IsNullNode n)
    {
        switch (ResolveField(n.Field))
        {
            case JsonOperand { Path.Length: > 0, ElementType: null } j:
                return new JsonIsNullPredicate(j.Column, j.Path, n.Negated);
            case JsonOperand { ElementType: not null }:
                throw new FilterBindException($"is null applies to a whole field, not to the array element {n.Field}");
            case JsonOperand j:
                return new IsNullPredicate(j.Column, n.Negated);
            case NumOperand { Source: FieldNumSource f }:
                return new IsNullPredicate(f.Column, n.Negated);
            case StringFieldOperand s:
                return new IsNullPredicate(s.Column, n.Negated);
            case BoolFieldOperand b:
                return new IsNullPredicate(b.Column, n.Negated);
            case ArrayFieldOperand a:
                return new IsNullPredicate(a.Column, n.Negated);
            case var o:
                throw new FilterBindException($"is null cannot be applied to {o.Description}");
        }
    }
}
