namespace VectorAspire.Core.Expressions;

/// <summary>
/// Recursive-descent parser for Milvus boolean filter expressions (planparserv2 Plan.g4). Precedence, loosest first:
/// or; and; == !=; &lt; &lt;= &gt; &gt;= (and chained ranges); in / not in; + -; * / %; unary + - not !; like;
/// exists and primaries. As in Milvus, unary <c>not</c> binds tighter than comparisons: write <c>not (a &gt; 1)</c>.
/// </summary>
public sealed class FilterParser
{
    /// <summary>Bounds parser recursion (parentheses, unary chains, calls) so hostile input cannot overflow the stack.</summary>
    public const int MaxNesting = 200;

    /// <summary>Bounds the tree depth (long and/or chains) that the binder and the evaluator recurse over.</summary>
    public const int MaxTreeDepth = 1000;

    private readonly List<FilterToken> _tokens;
    private int _pos;
    private int _nesting;

    private FilterParser(string text)
    {
        _tokens = FilterLexer.Tokenize(text);
    }

    public static FilterNode Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new FilterParser(text);
        if (parser.Current.Kind == TokenKind.End)
            throw new FilterSyntaxException("expected an expression at position 0 but the filter is empty", 0);
        var node = parser.ParseOr();
        if (parser.Current.Kind != TokenKind.End)
            throw parser.Expected("an operator or end of input");
        if (ExceedsDepth(node, 1))
            throw new FilterSyntaxException(
                $"the expression is nested more than {MaxTreeDepth} levels deep; use 'in [...]' instead of long or-chains", 0);
        return node;
    }

    private static bool ExceedsDepth(FilterNode node, int depth)
    {
        if (depth > MaxTreeDepth)
            return true;
        return node switch
        {
            BinaryNode b => ExceedsDepth(b.Left, depth + 1) || ExceedsDepth(b.Right, depth + 1),
            UnaryNode u => ExceedsDepth(u.Operand, depth + 1),
            _ => false,
        };
    }

    private void Enter()
    {
        if (++_nesting > MaxNesting)
            throw new FilterSyntaxException(
                $"the expression nests deeper than {MaxNesting} levels at position {Current.Start}", Current.Start);
    }

    private FilterToken Current => _tokens[_pos];

    private FilterToken Peek(int ahead) => _tokens[Math.Min(_pos + ahead, _tokens.Count - 1)];

    private FilterToken Advance() => _tokens[_pos++];

    private FilterSyntaxException Expected(string what)
    {
        var t = Current;
        string near = t.Kind == TokenKind.End ? "end of input" : $"'{t.Text}'";
        return new FilterSyntaxException($"expected {what} at position {t.Start} near {near}", t.Start);
    }

    private void Expect(TokenKind kind, string shown)
    {
        if (Current.Kind != kind)
            throw Expected($"'{shown}'");
        _pos++;
    }

    private FilterNode ParseOr()
    {
        var left = ParseAnd();
        while (Current.Kind == TokenKind.OrOr || Current.IsWord("or", "OR"))
        {
            var op = Advance();
            left = new BinaryNode(op.Start, BinaryOp.Or, left, ParseAnd());
        }
        return left;
    }

    private FilterNode ParseAnd()
    {
        var left = ParseEquality();
        while (Current.Kind == TokenKind.AndAnd || Current.IsWord("and", "AND"))
        {
            var op = Advance();
            left = new BinaryNode(op.Start, BinaryOp.And, left, ParseEquality());
        }
        return left;
    }

    private FilterNode ParseEquality()
    {
        var left = ParseRelational();
        while (Current.Kind is TokenKind.EqEq or TokenKind.NotEq)
        {
            var op = Advance();
            left = new BinaryNode(op.Start, op.Kind == TokenKind.EqEq ? BinaryOp.Eq : BinaryOp.Ne, left, ParseRelational());
        }
        return left;
    }

    private static BinaryOp? Relational(TokenKind kind) => kind switch
    {
        TokenKind.Lt => BinaryOp.Lt,
        TokenKind.Le => BinaryOp.Le,
        TokenKind.Gt => BinaryOp.Gt,
        TokenKind.Ge => BinaryOp.Ge,
        _ => null,
    };

    private static bool IsLess(BinaryOp op) => op is BinaryOp.Lt or BinaryOp.Le;

    private FilterNode ParseRelational()
    {
        var left = ParseIn();
        while (Relational(Current.Kind) is BinaryOp op)
        {
            var opToken = Advance();
            var right = ParseIn();
            // Milvus forms a range only around a bare field / JSON path with both operators pointing the same way.
            if (right is FieldNode field && Relational(Current.Kind) is BinaryOp op2 && IsLess(op) == IsLess(op2))
            {
                Advance();
                var upper = ParseIn();
                left = new RangeNode(left.Position, left, op, field, op2, upper);
            }
            else
            {
                left = new BinaryNode(opToken.Start, op, left, right);
            }
        }
        return left;
    }

    private FilterNode ParseIn()
    {
        var left = ParseAdditive();
        if (Current.IsWord("in", "IN"))
        {
            var op = Advance();
            return new InNode(op.Start, left, ParseAdditive(), negated: false);
        }
        if (Current.IsWord("not", "NOT") && Peek(1).IsWord("in", "IN"))
        {
            var op = Advance();
            Advance();
            return new InNode(op.Start, left, ParseAdditive(), negated: true);
        }
        return left;
    }

    private FilterNode ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = Advance();
            left = new BinaryNode(op.Start, op.Kind == TokenKind.Plus ? BinaryOp.Add : BinaryOp.Sub, left, ParseMultiplicative());
        }
        return left;
    }

    private FilterNode ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Current.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            var op = Advance();
            var kind = op.Kind switch { TokenKind.Star => BinaryOp.Mul, TokenKind.Slash => BinaryOp.Div, _ => BinaryOp.Mod };
            left = new BinaryNode(op.Start, kind, left, ParseUnary());
        }
        return left;
    }

    private FilterNode ParseUnary()
    {
        var t = Current;
        UnaryOp op;
        if (t.Kind == TokenKind.Minus)
        {
            // Fold "-literal" so that -9223372036854775808 stays an exact Int64.
            var next = Peek(1);
            if (next.Kind == TokenKind.Int)
            {
                _pos += 2;
                return LiteralNode.Int(t.Start, unchecked(-(long)next.IntMagnitude));
            }
            if (next.Kind == TokenKind.Float)
            {
                _pos += 2;
                return LiteralNode.Float(t.Start, -next.FloatValue);
            }
            op = UnaryOp.Negate;
        }
        else if (t.Kind == TokenKind.Plus)
        {
            op = UnaryOp.Plus;
        }
        else if (t.Kind == TokenKind.Bang || (t.IsWord("not", "NOT") && !Peek(1).IsWord("in", "IN")))
        {
            op = UnaryOp.Not;
        }
        else
        {
            return ParseLike();
        }
        Advance();
        Enter();
        var operand = ParseUnary();
        _nesting--;
        return new UnaryNode(t.Start, op, operand);
    }

    private FilterNode ParseLike()
    {
        var left = ParsePrimary();
        while (Current.IsWord("like", "LIKE"))
        {
            var op = Advance();
            left = new BinaryNode(op.Start, BinaryOp.Like, left, ParsePrimary());
        }
        return left;
    }

    private FilterNode ParsePrimary()
    {
        var t = Current;
        switch (t.Kind)
        {
            case TokenKind.Int:
                Advance();
                if (t.IntMagnitude > long.MaxValue)
                    throw new FilterSyntaxException($"integer literal '{t.Text}' at position {t.Start} is out of the Int64 range", t.Start);
                return LiteralNode.Int(t.Start, (long)t.IntMagnitude);
            case TokenKind.Float:
                Advance();
                return LiteralNode.Float(t.Start, t.FloatValue);
            case TokenKind.String:
                Advance();
                return LiteralNode.String(t.Start, t.StringValue!);
            case TokenKind.LParen:
                Enter();
                Advance();
                var inner = ParseOr();
                Expect(TokenKind.RParen, ")");
                _nesting--;
                return inner;
            case TokenKind.LBracket:
                return ParseArray();
            case TokenKind.LBrace:
                Advance();
                if (Current.Kind != TokenKind.Identifier)
                    throw Expected("a template name");
                var name = Advance();
                Expect(TokenKind.RBrace, "}");
                return new TemplateNode(t.Start, name.Text);
            case TokenKind.Identifier:
                return ParseIdentifier();
            default:
                throw Expected("an expression");
        }
    }

    private static readonly string[] s_reserved = ["and", "AND", "or", "OR", "not", "NOT", "in", "IN", "like", "LIKE", "is", "IS"];

    private FilterNode ParseIdentifier()
    {
        var t = Current;
        if (t.Text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            Advance();
            return LiteralNode.Bool(t.Start, t.Text[0] is 't' or 'T');
        }
        if (t.IsWord("exists", "EXISTS"))
        {
            Advance();
            return new ExistsNode(t.Start, ParsePrimary());
        }
        if (Array.IndexOf(s_reserved, t.Text) >= 0)
            throw Expected("an expression");
        Advance();
        if (Current.Kind == TokenKind.LParen)
            return ParseCall(t);

        var path = new List<PathSegment>();
        while (Current.Kind == TokenKind.LBracket)
        {
            Advance();
            var key = Current;
            if (key.Kind == TokenKind.String)
            {
                path.Add(new PathSegment(key.StringValue, 0));
            }
            else if (key.Kind == TokenKind.Int && key.IntMagnitude <= int.MaxValue)
            {
                path.Add(new PathSegment(null, (int)key.IntMagnitude));
            }
            else
            {
                throw Expected("a string key or a non-negative integer index");
            }
            Advance();
            Expect(TokenKind.RBracket, "]");
        }
        var field = new FieldNode(t.Start, t.Text, path);
        return ParseIsNull(field);
    }

    private FilterNode ParseIsNull(FieldNode field)
    {
        var t = Current;
        bool lower = t.Text == "is";
        if (!lower && t.Text != "IS")
            return field;
        Advance();
        bool negated = false;
        if (Current.Text == (lower ? "not" : "NOT"))
        {
            negated = true;
            Advance();
        }
        if (Current.Text != (lower ? "null" : "NULL"))
            throw Expected(lower ? "'null' or 'not null' after 'is'" : "'NULL' or 'NOT NULL' after 'IS'");
        Advance();
        return new IsNullNode(t.Start, field, negated);
    }

    private FilterNode ParseCall(FilterToken name)
    {
        Enter();
        Advance();
        var args = new List<FilterNode>();
        if (Current.Kind != TokenKind.RParen)
        {
            while (true)
            {
                args.Add(ParseOr());
                if (Current.Kind != TokenKind.Comma)
                    break;
                Advance();
            }
        }
        Expect(TokenKind.RParen, ")");
        _nesting--;
        string fn = name.Text == name.Text.ToUpperInvariant() ? name.Text.ToLowerInvariant() : name.Text;
        return new CallNode(name.Start, fn, args);
    }

    private ArrayNode ParseArray()
    {
        Enter();
        var open = Advance();
        var items = new List<FilterNode>();
        while (Current.Kind != TokenKind.RBracket)
        {
            items.Add(ParseOr());
            if (Current.Kind == TokenKind.Comma)
            {
                Advance();
                continue;
            }
            if (Current.Kind != TokenKind.RBracket)
                throw Expected("',' or ']'");
        }
        Advance();
        _nesting--;
        return new ArrayNode(open.Start, items);
    }
}
