using System.Text.Json;
using VectorAspire.Core.Columns;
using VectorAspire.Core.Expressions;
using static VectorAspire.Core.Tests.Expressions.ExpressionTestData;

namespace VectorAspire.Core.Tests.Expressions;

public sealed class FilterEvaluationTests
{
    private static List<int> Run(string filter, IReadOnlyList<object?[]> rows, IReadOnlyDictionary<string, JsonElement>? templates = null) =>
        Matches(FilterCompiler.Compile(filter, Things, templates), Build(Things, rows));

    private static object?[] R(params (string, object?)[] values) => Row(Things, values);

    [Fact]
    public void NullsNeverMatchComparisonsIncludingNotEqual()
    {
        var rows = new[] { R(("i32", 1)), R(("i32", null)), R(("i32", 5)) };
        Assert.Equal([2], Run("i32 > 1", rows));
        Assert.Equal([2], Run("i32 != 1", rows));
        Assert.Equal([0, 2], Run("i32 in [1, 5]", rows));
        Assert.Equal([2], Run("i32 not in [1]", rows));
        Assert.Equal([1], Run("i32 is null", rows));
        Assert.Equal([0, 2], Run("i32 IS NOT NULL", rows));
    }

    [Fact]
    public void NotExcludesNullRowsLikeMilvus()
    {
        // segcore: not = ~data & valid, and/or OR the valid sets.
        var rows = new[] { R(("i32", 1), ("i64", 1L)), R(("i32", null), ("i64", 1L)), R(("i32", null), ("i64", null)) };
        Assert.Equal([0], Run("not (i32 > 1)", rows));
        Assert.Equal([0, 1], Run("not (i32 > 1 and i64 > 5)", rows));
        Assert.Equal([0, 1], Run("not (i32 > 1 or i64 > 5)", rows));
        Assert.Equal([1, 2], Run("not (i32 is not null)", rows));
        Assert.Equal([0], Run("not not (i32 == 1)", rows));
    }

    [Fact]
    public void Int64ComparisonsAreExact()
    {
        var rows = new[] { R(("i64", 9007199254740992L)), R(("i64", 9007199254740993L)), R(("i64", long.MaxValue)), R(("i64", long.MinValue)) };
        Assert.Equal([1], Run("i64 == 9007199254740993", rows));
        Assert.Equal([1, 2], Run("i64 > 9007199254740992", rows));
        Assert.Equal([2], Run("i64 == 9223372036854775807", rows));
        Assert.Equal([3], Run("i64 == -9223372036854775808", rows));
        Assert.Equal([3], Run("i64 < -9.2e18", rows));
        Assert.Equal([0, 1, 2], Run("i64 >= 9.007199254740992e15", rows));
        Assert.Equal([1, 2], Run("i64 > 9.007199254740992e15", rows));
        Assert.Equal([1], Run("i64 in [9007199254740993, 1]", rows));
    }

    [Fact]
    public void IntegerFieldComparesNumericallyWithFloatLiteral()
    {
        var rows = new[] { R(("i32", 2)), R(("i32", 3)) };
        Assert.Equal([1], Run("i32 > 2.5", rows));
        Assert.Equal([1], Run("i32 == 3.0", rows));
        Assert.Equal([], Run("i32 == 2.5", rows));
        Assert.Equal([0, 1], Run("i32 != 2.5", rows));
        Assert.Equal([0], Run("i32 in [2.0, 7.5]", rows));
    }

    [Fact]
    public void FloatFieldComparesWithLiteralRoundedToFloat()
    {
        var rows = new[] { R(("f", 0.1f), ("d", 0.1)) };
        Assert.Equal([0], Run("f == 0.1", rows));
        Assert.Equal([0], Run("f in [0.1]", rows));
        Assert.Equal([0], Run("d == 0.1", rows));
    }

    [Fact]
    public void NaNIsUnorderedAsInIeee754()
    {
        var rows = new[] { R(("d", double.NaN), ("f", float.NaN), ("i32", 1)), R(("d", 1.0), ("f", 1f), ("i32", 1)) };
        Assert.Equal([1], Run("d <= 1", rows));
        Assert.Equal([1], Run("f >= 1", rows));
        Assert.Equal([0], Run("d != 1", rows));
        Assert.Equal([0], Run("f != i32", rows));
        Assert.Equal([1], Run("d == i32", rows));
        Assert.Equal([1], Run("d in [1]", rows));
        Assert.Equal([0], Run("d * 2 != 2", rows));
    }

    [Fact]
    public void ChainedRangesAndArithmetic()
    {
        var rows = Enumerable.Range(0, 10).Select(i => R(("i32", i), ("i64", (long)(10 - i)))).ToArray();
        Assert.Equal([2, 3, 4], Run("1 < i32 < 5", rows));
        Assert.Equal([3, 4, 5, 6, 7], Run("10 >= i64 > 2 and i32 >= 3", rows));
        Assert.Equal([0, 3, 6, 9], Run("i32 % 3 == 0", rows));
        Assert.Equal([5], Run("i32 * 2 == 10", rows));
        Assert.Equal([4, 5, 6, 7, 8, 9], Run("i32 + 2 > 5", rows));
        Assert.Equal([0, 1], Run("-i32 > -2", rows));
        Assert.Equal([6, 7, 8, 9], Run("i32 > i64", rows));
        Assert.Equal([5], Run("i32 - i64 == 0", rows));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], Run("i64 / (9 - i32) == 1", rows));
        Assert.Equal([8], Run("i64 / (9 - i32) >= 2", rows)); // row 9 divides by zero: no match
    }

    [Fact]
    public void StringComparisonsAreOrdinalUtf8AndLikeMatchesCodePoints()
    {
        var rows = new[] { R(("s", "prefix-x")), R(("s", "x-infix-x")), R(("s", "x-suffix")), R(("s", "日本語")), R(("s", "a%b")), R(("s", null)) };
        Assert.Equal([0], Run("s like \"pre%\"", rows));
        Assert.Equal([1], Run("s like \"%infix%\"", rows));
        Assert.Equal([2], Run("s like \"%suffix\"", rows));
        Assert.Equal([3], Run("s like \"日_語\"", rows));
        Assert.Equal([3], Run("s like \"_本%\"", rows));
        Assert.Equal([0, 1, 2], Run("s like \"%x%x%\" or s like \"%-%\"", rows));
        Assert.Equal([4], Run("s like \"a\\%b\"", rows));
        Assert.Equal([3], Run("s > \"z\"", rows));
        Assert.Equal([0, 1, 2, 3, 4], Run("not (s == \"zzz\")", rows));
        Assert.Equal([1, 4], Run("s in [\"a%b\", \"x-infix-x\"]", rows));
    }

    [Fact]
    public void JsonValuesMatchOnlyTheLiteralsType()
    {
        var rows = new[]
        {
            R(("meta", "{\"a\": 1}")), R(("meta", "{\"a\": \"1\"}")), R(("meta", "{\"a\": 1.5, \"b\": {\"c\": true}}")),
            R(("meta", "{\"b\": 2}")), R(("meta", null)), R(("meta", "{\"a\": \"a\\u0062\", \"tags\": [\"x\", \"y\"]}")),
        };
        Assert.Equal([0], Run("meta[\"a\"] == 1", rows));
        Assert.Equal([1], Run("meta[\"a\"] == \"1\"", rows));
        Assert.Equal([2], Run("meta[\"a\"] > 1", rows));
        Assert.Equal([0], Run("meta[\"a\"] != 1.5", rows));
        Assert.Equal([5], Run("meta[\"a\"] == \"ab\"", rows));
        Assert.Equal([5], Run("meta[\"a\"] like \"a%\"", rows));
        Assert.Equal([2], Run("meta[\"b\"][\"c\"] == true", rows));
        Assert.Equal([5], Run("meta[\"tags\"][1] == \"y\"", rows));
        Assert.Equal([1, 2, 3, 5], Run("not (meta[\"a\"] == 1)", rows));
        Assert.Equal([0, 1, 2, 5], Run("exists meta[\"a\"]", rows));
        Assert.Equal([3, 4], Run("meta[\"a\"] is null", rows));
        Assert.Equal([0, 1], Run("meta[\"a\"] in [1, \"1\"]", rows));
        Assert.Equal([5], Run("json_contains(meta[\"tags\"], \"y\")", rows));
        Assert.Equal([5], Run("array_length(meta[\"tags\"]) == 2", rows));
        Assert.Equal([2], Run("meta[\"a\"] * 2 == 3", rows));
    }

    [Fact]
    public void DynamicFieldKeysResolveToMeta()
    {
        var rows = new[] { R(("$meta", "{\"color\": \"red\", \"n\": 3}")), R(("$meta", "{\"color\": \"blue\"}")), R(("$meta", "{}")) };
        Assert.Equal([0], Run("color == \"red\"", rows));
        Assert.Equal([0], Run("$meta[\"n\"] >= 3", rows));
        Assert.Equal([0, 1], Run("exists color", rows));
        Assert.Equal([2], Run("color is null", rows));
        Assert.Equal([1], Run("color in [\"blue\", \"green\"] and not (exists n)", rows));
    }

    [Fact]
    public void ArrayFieldsSupportIndexContainsAndLength()
    {
        var rows = new[]
        {
            R(("arr_i", "[1, 2, 3]"), ("arr_s", "[\"a\", \"b\"]")), R(("arr_i", "[5]"), ("arr_s", null)),
            R(("arr_i", "[]"), ("arr_s", "[\"c\"]")),
        };
        Assert.Equal([1], Run("arr_i[0] > 3", rows));
        Assert.Equal([0], Run("arr_s[1] == \"b\"", rows));
        Assert.Equal([0], Run("array_contains(arr_i, 2)", rows));
        Assert.Equal([0], Run("array_contains_all(arr_i, [3, 1])", rows));
        Assert.Equal([0, 1], Run("ARRAY_CONTAINS_ANY(arr_i, [5, 1])", rows));
        Assert.Equal([2], Run("array_length(arr_i) == 0", rows));
        Assert.Equal([0], Run("array_length(arr_s) > 1", rows));
        Assert.Equal([1], Run("arr_s is null", rows));
        Assert.Equal([0], Run("arr_i[1] + 1 == 3", rows));
    }

    [Fact]
    public void TemplatesSupplyScalarsAndLists()
    {
        var t = new Dictionary<string, JsonElement>
        {
            ["min_age"] = JsonDocument.Parse("3").RootElement,
            ["ids"] = JsonDocument.Parse("[0, 2]").RootElement,
            ["name"] = JsonDocument.Parse("\"b\"").RootElement,
            ["yes"] = JsonDocument.Parse("true").RootElement,
        };
        var rows = Enumerable.Range(0, 5).Select(i => R(("id", (long)i), ("i32", i), ("s", i % 2 == 0 ? "a" : "b"))).ToArray();
        Assert.Equal([4], Run("i32 > {min_age}", rows, t));
        Assert.Equal([0, 2], Run("id in {ids}", rows, t));
        Assert.Equal([1, 3], Run("s == {name} and {yes}", rows, t));
    }

    [Fact]
    public void BoolFieldsAndConstants()
    {
        var rows = new[] { R(("b", true)), R(("b", false)), R(("b", null)) };
        Assert.Equal([0], Run("b", rows));
        Assert.Equal([1], Run("not b", rows));
        Assert.Equal([1], Run("b == False", rows));
        Assert.Equal([0], Run("b != false", rows));
        Assert.Equal([0, 1, 2], Run("true", rows));
        Assert.Equal([], Run("FALSE", rows));
        Assert.Equal([0, 1], Run("b in [true, false]", rows));
    }

    [Fact]
    public void BitsPastRowCountAreCleared()
    {
        var rows = Enumerable.Range(0, 70).Select(i => R(("i32", i))).ToArray();
        var block = Build(Things, rows);
        var bits = new ulong[4];
        Array.Fill(bits, ulong.MaxValue);
        FilterCompiler.Compile("not (i32 == 3)", Things, null).Evaluate(block, bits);
        Assert.Equal(69, bits.Sum(w => System.Numerics.BitOperations.PopCount(w)));
        Assert.Equal(0UL, bits[1] >> 6);
        Assert.Equal(0UL, bits[2] | bits[3]);
    }

    [Fact]
    public void MalformedJsonRowsNeverMatchAndDoNotThrow()
    {
        var rows = new[] { R(("meta", "{\"a\": 1")), R(("meta", "{\"a\": 1}")), R(("meta", "not json")), R(("arr_i", "[1, 2")) };
        Assert.Equal([1], Run("meta[\"a\"] == 1", rows));
        Assert.Equal([1], Run("exists meta[\"a\"]", rows));
        Assert.Equal([0, 2, 3], Run("meta[\"a\"] is null", rows));
        Assert.Equal([], Run("array_contains(arr_i, 2) and array_length(arr_i) == 2", rows));
    }

    [Fact]
    public void GrowingBlockEvaluatesOnlyPublishedRows()
    {
        var block = new ColumnBlock(Things, 256);
        var full = Build(Things, Enumerable.Range(0, 100).Select(i => R(("i32", i), ("s", "x"))).ToArray());
        for (int c = 0; c < Things.Fields.Count; c++)
        {
            for (int r = 0; r < 100; r++)
            {
                switch (block.Columns[c])
                {
                    case FixedColumn<int> fc: fc.Append(((FixedColumn<int>)full.Columns[c]).Get(r)); break;
                    case VarColumn vc: vc.Append(((VarColumn)full.Columns[c]).Get(r)); break;
                    case FixedColumn<long> lc: lc.Append(r); break;
                    case FixedColumn<bool> bc: bc.Append(true); break;
                    case FixedColumn<sbyte> sc: sc.Append(0); break;
                    case FixedColumn<short> hc: hc.Append(0); break;
                    case FixedColumn<float> fl: fl.Append(0); break;
                    case FixedColumn<double> dc: dc.Append(0); break;
                    case VectorColumn vec: vec.Append(new float[2]); break;
                }
            }
        }
        block.PublishRows(70);
        var bits = new ulong[4];
        FilterCompiler.Compile("i32 >= 60 and s == \"x\" and b", Things, null).Evaluate(block, bits);
        Assert.Equal(0xFUL << 60, bits[0]); // rows 60..63
        Assert.Equal(0x3FUL, bits[1]);      // rows 64..69; row 70+ is not published
        Assert.Equal(0UL, bits[2] | bits[3]);
    }

    [Fact]
    public void EmptyBlockMatchesNothing()
    {
        var block = new ColumnBlock(Things, 4);
        Span<ulong> bits = [ulong.MaxValue];
        FilterCompiler.Compile("i32 > 1", Things, null).Evaluate(block, bits);
        Assert.Equal(0UL, bits[0]);
    }
}
