using VectorAspire.Core.Expressions;

namespace VectorAspire.Core.Tests.Expressions;

public sealed class FilterParserTests
{
    [Theory]
    [InlineData("a > 5", "(a > 5)")]
    [InlineData("a>=5&&b<=2", "((a >= 5) and (b <= 2))")]
    [InlineData("a == 1 or b == 2 and c == 3", "((a == 1) or ((b == 2) and (c == 3)))")]
    [InlineData("a == 1 OR b == 2 AND c == 3", "((a == 1) or ((b == 2) and (c == 3)))")]
    [InlineData("(a == 1 || b == 2) && c != 3", "(((a == 1) or (b == 2)) and (c != 3))")]
    [InlineData("not (a > 1)", "(not (a > 1))")]
    [InlineData("NOT (a > 1)", "(not (a > 1))")]
    [InlineData("!(a > 1)", "(not (a > 1))")]
    [InlineData("not a > 1", "((not a) > 1)")]
    [InlineData("1 < a < 5", "(1 < a < 5)")]
    [InlineData("1 <= a < 5", "(1 <= a < 5)")]
    [InlineData("10 >= b > 2", "(10 >= b > 2)")]
    [InlineData("1 < meta[\"x\"] <= 2.5", "(1 < meta[\"x\"] <= 2.5)")]
    [InlineData("a < b == true", "((a < b) == true)")]
    [InlineData("a + 2 > 5", "((a + 2) > 5)")]
    [InlineData("a * 2 == 10", "((a * 2) == 10)")]
    [InlineData("a % 3 == 0", "((a % 3) == 0)")]
    [InlineData("a + b * c - d / 2 > 1", "(((a + (b * c)) - (d / 2)) > 1)")]
    [InlineData("-a > 2", "((-a) > 2)")]
    [InlineData("a > -5", "(a > -5)")]
    [InlineData("a > -9223372036854775808", "(a > -9223372036854775808)")]
    [InlineData("a == 9223372036854775807", "(a == 9223372036854775807)")]
    [InlineData("a > 1.5e3", "(a > 1500.0)")]
    [InlineData("a > .5", "(a > 0.5)")]
    [InlineData("a == 0x1F", "(a == 31)")]
    [InlineData("a == 0b101", "(a == 5)")]
    [InlineData("a == 017", "(a == 15)")]
    [InlineData("a in [1, 2, 3]", "(a in [1, 2, 3])")]
    [InlineData("a IN [1,2,]", "(a in [1, 2])")]
    [InlineData("a not in []", "(a not in [])")]
    [InlineData("a NOT IN [\"x\"]", "(a not in [\"x\"])")]
    [InlineData("s like \"pre%\"", "(s like \"pre%\")")]
    [InlineData("s LIKE 'a_c'", "(s like \"a_c\")")]
    [InlineData("not s like \"x%\"", "(not (s like \"x%\"))")]
    [InlineData("s == 'it\\'s \"q\"'", "(s == \"it's \\\"q\\\"\")")]
    [InlineData("s == \"tab\\there\\n\"", "(s == \"tab\\there\\n\")")]
    [InlineData("s == \"\\u00e9\"", "(s == \"é\")")]
    [InlineData("s like r\"a\\%\"", "(s like \"a\\\\%\")")]
    [InlineData("flag == True", "(flag == true)")]
    [InlineData("flag == FALSE", "(flag == false)")]
    [InlineData("meta[\"a\"][\"b\"] > 3", "(meta[\"a\"][\"b\"] > 3)")]
    [InlineData("meta['tags'][0] == \"x\"", "(meta[\"tags\"][0] == \"x\")")]
    [InlineData("$meta[\"k\"] == 1", "($meta[\"k\"] == 1)")]
    [InlineData("arr[0] > 3", "(arr[0] > 3)")]
    [InlineData("array_contains(arr, 1)", "array_contains(arr, 1)")]
    [InlineData("ARRAY_CONTAINS_ALL(arr, [1, 2])", "array_contains_all(arr, [1, 2])")]
    [InlineData("json_contains_any(meta[\"t\"], [\"a\"])", "json_contains_any(meta[\"t\"], [\"a\"])")]
    [InlineData("array_length(arr) == 2", "(array_length(arr) == 2)")]
    [InlineData("a is null", "(a is null)")]
    [InlineData("a IS NOT NULL", "(a is not null)")]
    [InlineData("meta[\"k\"] is not null and b is null", "((meta[\"k\"] is not null) and (b is null))")]
    [InlineData("exists meta[\"k\"]", "(exists meta[\"k\"])")]
    [InlineData("EXISTS k and x > 1", "((exists k) and (x > 1))")]
    [InlineData("age > {min_age}", "(age > {min_age})")]
    [InlineData("id in {ids}", "(id in {ids})")]
    [InlineData("flag", "flag")]
    [InlineData("a == 1 and (b == 2 or not (c in [1]))", "((a == 1) and ((b == 2) or (not (c in [1]))))")]
    public void ParsesToCanonicalForm(string text, string expected)
    {
        var node = FilterParser.Parse(text);
        Assert.Equal(expected, node.ToString());
        // The canonical form is itself valid syntax and is a fixed point.
        Assert.Equal(expected, FilterParser.Parse(expected).ToString());
    }

    [Theory]
    [InlineData("(a > 1 and b", 12, "expected ')' at position 12 near end of input")]
    [InlineData("(a > 1 b == 2)", 7, "expected ')' at position 7 near 'b'")]
    [InlineData("a > ", 4, "expected an expression at position 4 near end of input")]
    [InlineData("a > 1 and", 9, "expected an expression")]
    [InlineData("a >> 1", 2, "unsupported character or operator '>>'")]
    [InlineData("a == \"abc", 5, "unterminated string literal starting at position 5")]
    [InlineData("a in [1, 2", 10, "expected ',' or ']' at position 10")]
    [InlineData("a is nul", 5, "expected 'null' or 'not null' after 'is' at position 5")]
    [InlineData("a Is Null", 2, "expected an operator or end of input at position 2 near 'Is'")]
    [InlineData("a == 9223372036854775808", 5, "out of the Int64 range")]
    [InlineData("a == 1 And b == 2", 7, "near 'And'")]
    [InlineData("", 0, "empty")]
    [InlineData("a > 1 )", 6, "expected an operator or end of input at position 6 near ')'")]
    [InlineData("meta[x] > 1", 5, "expected a string key or a non-negative integer index at position 5")]
    [InlineData("a == 12abc", 5, "expected a number")]
    [InlineData("a == 1 ; b", 7, "unsupported character")]
    [InlineData("{ } > 1", 2, "expected a template name at position 2")]
    public void ReportsSyntaxErrorPosition(string text, int position, string messagePart)
    {
        var ex = Assert.Throws<FilterSyntaxException>(() => FilterParser.Parse(text));
        Assert.Equal(position, ex.Position);
        Assert.Contains(messagePart, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsHostileNestingWithoutOverflowingTheStack()
    {
        var deep = new string('(', 100_000) + "a > 1" + new string(')', 100_000);
        var ex = Assert.Throws<FilterSyntaxException>(() => FilterParser.Parse(deep));
        Assert.Equal(FilterParser.MaxNesting, ex.Position);
        Assert.Throws<FilterSyntaxException>(() => FilterParser.Parse(string.Concat(Enumerable.Repeat("not ", 50_000)) + "b"));
        var chain = string.Join(" or ", Enumerable.Range(0, 5_000).Select(i => $"a == {i}"));
        Assert.Contains("use 'in [...]'", Assert.Throws<FilterSyntaxException>(() => FilterParser.Parse(chain)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ManySiblingsAreNotNesting()
    {
        var flat = string.Join(" and ", Enumerable.Range(0, 300).Select(i => $"not (a{i} == {i})"));
        Assert.StartsWith("(((", FilterParser.Parse(flat).ToString(), StringComparison.Ordinal);
        var longChain = string.Join(" or ", Enumerable.Range(0, 900).Select(i => $"a == {i}"));
        Assert.NotNull(FilterParser.Parse(longChain));
    }

    [Fact]
    public void IntegerLiteralsKeepFullInt64Precision()
    {
        var node = (BinaryNode)FilterParser.Parse("a == 9007199254740993");
        Assert.Equal(9007199254740993L, ((LiteralNode)node.Right).IntValue);
        node = (BinaryNode)FilterParser.Parse("a == -9223372036854775808");
        Assert.Equal(long.MinValue, ((LiteralNode)node.Right).IntValue);
    }

    [Fact]
    public void NodesRecordTheirSourcePosition()
    {
        var node = (BinaryNode)FilterParser.Parse("x == 1 and y  > 2");
        Assert.Equal(7, node.Position);
        Assert.Equal(11, ((BinaryNode)node.Right).Left.Position);
    }
}
