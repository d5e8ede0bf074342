using VectorAspire.Core.Columns;
using VectorAspire.Core.Expressions;

namespace VectorAspire.Core.Tests.Expressions;

public sealed class FilterAllocationTests
{
    private static readonly Lazy<ColumnBlock> s_small = new(() => BuildBlock(1_000));
    private static readonly Lazy<ColumnBlock> s_large = new(() => BuildBlock(10_000));

    private static ColumnBlock BuildBlock(int rows)
    {
        var gen = new RandomFilterGenerator(new Random(42));
        var list = new List<object?[]>(rows);
        for (int i = 0; i < rows; i++)
            list.Add(gen.Row(i));
        return ExpressionTestData.Build(ExpressionTestData.Things, list);
    }

    [Theory]
    [InlineData("i64 > 3 and i32 != 2 or not (f < 0.5)")]
    [InlineData("1 < i16 <= 4 and d in [0.1, 2.5, 3]")]
    [InlineData("i32 * 2 + i8 % 3 == 4 or i64 / 2 > i16")]
    [InlineData("s like \"a%\" or s like \"%b%\" or s like \"_本%\" or s in [\"xyz\", \"ab\"] or s >= \"b\"")]
    [InlineData("meta[\"a\"] > 1 or meta[\"nested\"][\"x\"] == \"ab\" or meta[\"tags\"][0] like \"a%\"")]
    [InlineData("json_contains_all(tags, [\"a\", \"b\"]) or array_contains_any(arr_i, [1, 2]) or array_length(arr_s) == 2")]
    [InlineData("k1 in [1, \"a\", true] and exists color or k2 is null or arr_i[0] + 1 > 2 or meta[\"a\"] * 2 < 3")]
    [InlineData("b and i32 is not null and s is null or not (exists meta[\"b\"])")]
    public void EvaluateAllocatesNothingPerRow(string filter)
    {
        var bound = FilterCompiler.Compile(filter, ExpressionTestData.Things, null);
        long small = Measure(bound, s_small.Value);
        long large = Measure(bound, s_large.Value);
        // A fixed budget, independent of the row count (10x more rows must not cost more).
        Assert.True(large <= 256, $"Evaluate over 10k rows allocated {large} bytes: {filter}");
        Assert.True(large <= small + 64, $"allocation grew with rows ({small} -> {large} bytes): {filter}");
    }

    private static long Measure(BoundFilter filter, ColumnBlock block)
    {
        var bits = new ulong[(block.RowCount + 63) / 64];
        filter.Evaluate(block, bits); // warm up: JIT and the array pool's first rentals
        filter.Evaluate(block, bits);
        // The least of three runs: an allocation per row shows in every run, while a one-off (the shared array pool
        // refilling after a gen-2 GC trimmed it, which CI's parallel test load triggers) shows in one at most.
        long least = long.MaxValue;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            filter.Evaluate(block, bits);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }
}
