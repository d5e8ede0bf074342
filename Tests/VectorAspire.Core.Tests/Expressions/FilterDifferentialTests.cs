using System.Text;
using VectorAspire.Core.Expressions;

namespace VectorAspire.Core.Tests.Expressions;

public sealed class FilterDifferentialTests
{
    [Theory]
    [InlineData(1, 40)]
    [InlineData(2, 40)]
    [InlineData(3, 40)]
    [InlineData(4, 40)]
    public void EngineMatchesReferenceInterpreterOnRandomFilters(int seedBase, int blocks)
    {
        const int ExpressionsPerBlock = 30;
        var schema = ExpressionTestData.Things;
        for (int blockIndex = 0; blockIndex < blocks; blockIndex++)
        {
            int seed = seedBase * 100_000 + blockIndex;
            var rng = new Random(seed);
            var gen = new RandomFilterGenerator(rng);
            int rowCount = rng.Next(1, 200);
            var rows = new List<object?[]>();
            for (int i = 0; i < rowCount; i++)
                rows.Add(gen.Row(i));
            var block = ExpressionTestData.Build(schema, rows);
            var templates = gen.Templates();
            var reference = new ReferenceInterpreter(schema, templates);
            var bits = new ulong[(rowCount + 63) / 64];

            for (int e = 0; e < ExpressionsPerBlock; e++)
            {
                string text = gen.Expression(depth: 3);
                BoundFilter filter;
                FilterNode ast;
                try
                {
                    ast = FilterParser.Parse(text);
                    filter = FilterBinder.Bind(ast, schema, templates);
                }
                catch (Exception ex)
                {
                    Assert.Fail($"seed {seed}: '{text}' did not compile: {ex.Message}");
                    return;
                }
                Array.Fill(bits, ulong.MaxValue);
                try
                {
                    filter.Evaluate(block, bits);
                }
                catch (Exception ex)
                {
                    Assert.Fail($"seed {seed}: evaluating '{text}' threw {ex}");
                }
                var mismatches = new StringBuilder();
                for (int r = 0; r < rowCount; r++)
                {
                    bool engine = (bits[r >> 6] & (1UL << r)) != 0;
                    bool expected;
                    try
                    {
                        expected = reference.Matches(ast, rows[r]);
                    }
                    catch (Exception ex)
                    {
                        Assert.Fail($"seed {seed}: the reference failed on '{text}' row {r}: {ex}");
                        return;
                    }
                    if (engine != expected && mismatches.Length < 2000)
                        mismatches.Append($"  row {r}: engine={engine} reference={expected} values=[{Describe(rows[r])}]\n");
                }
                Assert.True(mismatches.Length == 0,
                    $"seed {seed}, expression #{e}: {text}\n  canonical: {ast}\n{mismatches}");
            }
        }
    }

    private static string Describe(object?[] row)
    {
        var fields = ExpressionTestData.Things.Fields;
        var sb = new StringBuilder();
        for (int i = 0; i < row.Length; i++)
        {
            if (fields[i].Name == "vec")
                continue;
            sb.Append(fields[i].Name).Append('=').Append(row[i] switch
            {
                null => "null",
                float f => f.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "f",
                double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                var o => o.ToString(),
            }).Append("; ");
        }
        return sb.ToString();
    }
}
