using System.Globalization;
using System.Text;

namespace VectorAspire.Core.Expressions;

/// <summary>
/// Syntax tree of a filter expression. <see cref="ToString"/> prints a canonical, fully parenthesised form that
/// parses back to the same tree (used by golden tests and in error messages).
/// </summary>
public abstract class FilterNode
{
    protected FilterNode(int position)
    {
        Position = position;
    }

    /// <summary>0-based character offset of the node's first token in the expression text.</summary>
    public int Position { get; }

    public override string ToString()
    {
        var sb = new StringBuilder();
        Write(sb);
        return sb.ToString();
    }

    internal abstract void Write(StringBuilder sb);
}

public enum LiteralKind
{
    Int,
    Float,
    String,
    Bool,
}

public sealed class LiteralNode : FilterNode
{
    private LiteralNode(int position, LiteralKind kind, long intValue, double floatValue, string? stringValue, bool boolValue)
        : base(position)
    {
        Kind = kind;
        IntValue = intValue;
        FloatValue = floatValue;
        StringValue = stringValue;
        BoolValue = boolValue;
    }

    public static LiteralNode Int(int position, long value) => new(position, LiteralKind.Int, value, 0, null, false);

    public static LiteralNode Float(int position, double value) => new(position, LiteralKind.Float, 0, value, null, false);

    public static LiteralNode String(int position, string value) => new(position, LiteralKind.String, 0, 0, value, false);

    public static LiteralNode Bool(int position, bool value) => new(position, LiteralKind.Bool, 0, 0, null, value);

    public LiteralKind Kind { get; }
    public long IntValue { get; }
    public double FloatValue { get; }
    public string? StringValue { get; }
    public bool BoolValue { get; }

    internal override void Write(StringBuilder sb)
    {
        switch (Kind)
        {
            case LiteralKind.Int:
                sb.Append(IntValue.ToString(CultureInfo.InvariantCulture));
                break;
            case LiteralKind.Float:
                string f = FloatValue.ToString("R", CultureInfo.InvariantCulture);
                sb.Append(f);
                if (!f.Contains('.', StringComparison.Ordinal) && !f.Contains('E', StringComparison.Ordinal))
                    sb.Append(".0");
                break;
            case LiteralKind.Bool:
                sb.Append(BoolValue ? "true" : "false");
                break;
            default:
                WriteQuoted(sb, StringValue!);
                break;
        }
    }

    internal static void WriteQuoted(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case < ' ': sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)); break;
                default: sb.Append(c); break;
            }
        }
        sb.Append('"');
    }
}

public sealed class ArrayNode(int position, IReadOnlyList<FilterNode> items) : FilterNode(position)
{
    public IReadOnlyList<FilterNode> Items { get; } = items;

    internal override void Write(StringBuilder sb)
    {
        sb.Append('[');
        for (int i = 0; i < Items.Count; i++)
        {
            if (i > 0)
                sb.Append(", ");
            Items[i].Write(sb);
        }
        sb.Append(']');
    }
}

/// <summary>One step of a JSON path or array index: a string key, or (when Key is null) an element index.</summary>
public readonly record struct PathSegment(string? Key, int Index)
{
    public override string ToString() => Key is null ? $"[{Index}]" : $"[\"{Key}\"]";
}

/// <summary>A field reference, optionally followed by JSON keys / array indexes: <c>meta["a"][0]</c>.</summary>
public sealed class FieldNode(int position, string name, IReadOnlyList<PathSegment> path) : FilterNode(position)
{
    public string Name { get; } = name;
    public IReadOnlyList<PathSegment> Path { get; } = path;

    internal override void Write(StringBuilder sb)
    {
        sb.Append(Name);
        foreach (var p in Path)
        {
            if (p.Key is null)
            {
                sb.Append('[').Append(p.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
            else
            {
                sb.Append('[');
                LiteralNode.WriteQuoted(sb, p.Key);
                sb.Append(']');
            }
        }
    }
}

/// <summary>A template placeholder <c>{name}</c> filled from the request's expression parameters.</summary>
public sealed class TemplateNode(int position, string name) : FilterNode(position)
{
    public string Name { get; } = name;

    internal override void Write(StringBuilder sb) => sb.Append('{').Append(Name).Append('}');
}

public enum UnaryOp
{
    Not,
    Negate,
    Plus,
}

public sealed class UnaryNode(int position, UnaryOp op, FilterNode operand) : FilterNode(position)
{
    public UnaryOp Op { get; } = op;
    public FilterNode Operand { get; } = operand;

    internal override void Write(StringBuilder sb)
    {
        sb.Append(Op switch { UnaryOp.Not => "(not ", UnaryOp.Negate => "(-", _ => "(+" });
        Operand.Write(sb);
        sb.Append(')');
    }
}

public enum BinaryOp
{
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Like,
}

public sealed class BinaryNode(int position, BinaryOp op, FilterNode left, FilterNode right) : FilterNode(position)
{
    public BinaryOp Op { get; } = op;
    public FilterNode Left { get; } = left;
    public FilterNode Right { get; } = right;

    public static string Symbol(BinaryOp op) => op switch
    {
        BinaryOp.Or => "or",
        BinaryOp.And => "and",
        BinaryOp.Eq => "==",
        BinaryOp.Ne => "!=",
        BinaryOp.Lt => "<",
        BinaryOp.Le => "<=",
        BinaryOp.Gt => ">",
        BinaryOp.Ge => ">=",
        BinaryOp.Add => "+",
        BinaryOp.Sub => "-",
        BinaryOp.Mul => "*",
        BinaryOp.Div => "/",
        BinaryOp.Mod => "%",
        _ => "like",
    };

    public static bool IsComparison(BinaryOp op) => op is >= BinaryOp.Eq and <= BinaryOp.Ge;

    public static bool IsArithmetic(BinaryOp op) => op is >= BinaryOp.Add and <= BinaryOp.Mod;

    internal override void Write(StringBuilder sb)
    {
        sb.Append('(');
        Left.Write(sb);
        sb.Append(' ').Append(Symbol(Op)).Append(' ');
        Right.Write(sb);
        sb.Append(')');
    }
}

/// <summary>A chained range <c>lower op1 field op2 upper</c>; both operators point the same way.</summary>
public sealed class RangeNode(int position, FilterNode lower, BinaryOp lowerOp, FieldNode field, BinaryOp upperOp, FilterNode upper)
    : FilterNode(position)
{
    public FilterNode Lower { get; } = lower;
    public BinaryOp LowerOp { get; } = lowerOp;
    public FieldNode Field { get; } = field;
    public BinaryOp UpperOp { get; } = upperOp;
    public FilterNode Upper { get; } = upper;

    internal override void Write(StringBuilder sb)
    {
        sb.Append('(');
        Lower.Write(sb);
        sb.Append(' ').Append(BinaryNode.Symbol(LowerOp)).Append(' ');
        Field.Write(sb);
        sb.Append(' ').Append(BinaryNode.Symbol(UpperOp)).Append(' ');
        Upper.Write(sb);
        sb.Append(')');
    }
}

public sealed class InNode(int position, FilterNode value, FilterNode list, bool negated) : FilterNode(position)
{
    public FilterNode Value { get; } = value;
    public FilterNode List { get; } = list;
    public bool Negated { get; } = negated;

    internal override void Write(StringBuilder sb)
    {
        sb.Append('(');
        Value.Write(sb);
        sb.Append(Negated ? " not in " : " in ");
        List.Write(sb);
        sb.Append(')');
    }
}

/// <summary>A function call; <see cref="Function"/> is the name in lower case (Milvus accepts lower or upper).</summary>
public sealed class CallNode(int position, string function, IReadOnlyList<FilterNode> args) : FilterNode(position)
{
    public string Function { get; } = function;
    public IReadOnlyList<FilterNode> Args { get; } = args;

    internal override void Write(StringBuilder sb)
    {
        sb.Append(Function).Append('(');
        for (int i = 0; i < Args.Count; i++)
        {
            if (i > 0)
                sb.Append(", ");
            Args[i].Write(sb);
        }
        sb.Append(')');
    }
}

public sealed class IsNullNode(int position, FieldNode field, bool negated) : FilterNode(position)
{
    public FieldNode Field { get; } = field;
    public bool Negated { get; } = negated;

    internal override void Write(StringBuilder sb)
    {
        sb.Append('(');
        Field.Write(sb);
        sb.Append(Negated ? " is not null)" : " is null)");
    }
}

public sealed class ExistsNode(int position, FilterNode operand) : FilterNode(position)
{
    public FilterNode Operand { get; } = operand;

    internal override void Write(StringBuilder sb)
    {
        sb.Append("(exists ");
        Operand.Write(sb);
        sb.Append(')');
    }
}
