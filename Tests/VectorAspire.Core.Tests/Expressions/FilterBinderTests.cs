using System.Text.Json;
using VectorAspire.Core.Expressions;

namespace VectorAspire.Core.Tests.Expressions;

public sealed class FilterBinderTests
{
    private static FilterBindException BindError(string text, bool dynamic = true,
        IReadOnlyDictionary<string, JsonElement>? templates = null)
    {
        var schema = dynamic ? ExpressionTestData.Things : ExpressionTestData.NoDynamic;
        return Assert.Throws<FilterBindException>(() => FilterCompiler.Compile(text, schema, templates));
    }

    [Theory]
    [InlineData("nope > 1", "field 'nope' does not exist in collection 'plain', and the collection has no dynamic field")]
    [InlineData("s > 5", "cannot compare VarChar field 's' with the integer 5")]
    [InlineData("i64 == \"x\"", "cannot compare Int64 field 'i64' with the string \"x\"")]
    [InlineData("i64 like \"a%\"", "like needs a VarChar field or a JSON path, but got Int64 field 'i64'")]
    [InlineData("s like 5", "like needs a string pattern on its right, got the integer 5")]
    [InlineData("vec > 1", "vector field 'vec' cannot be used in a filter expression")]
    [InlineData("vec is null", "vector field 'vec' cannot be used in a filter expression")]
    [InlineData("i64 > {min}", "template value {min} is missing from the expression parameters")]
    [InlineData("i64[0] > 1", "field 'i64' is Int64, not JSON or Array, so it cannot be indexed")]
    [InlineData("arr_i[\"x\"] > 1", "Array field 'arr_i' takes exactly one integer index")]
    [InlineData("arr_i > 1", "Array field 'arr_i' cannot be compared as a whole")]
    [InlineData("arr_i[0] == \"x\"", "holds Int64 values and cannot match the string \"x\"")]
    [InlineData("array_contains(arr_s, 3)", "holds VarChar values and cannot match the integer 3")]
    [InlineData("array_contains(i64, 3)", "array_contains needs an Array field or a JSON path, but got Int64 field 'i64'")]
    [InlineData("array_contains_all(arr_i, 3)", "needs a list like [1, 2]")]
    [InlineData("array_length(arr_i)", "is a number; compare it")]
    [InlineData("frobnicate(arr_i)", "unknown or unsupported function 'frobnicate'")]
    [InlineData("b > true", "cannot order booleans")]
    [InlineData("i64 in [1, \"x\"]", "the 'in' list for Int64 field 'i64' contains the string \"x\"")]
    [InlineData("s in [\"a\", 1]", "the 'in' list for VarChar field 's' contains the integer 1")]
    [InlineData("i64 in 5", "'in' needs a list")]
    [InlineData("1 < 2", "compares two constants")]
    [InlineData("i64 + \"a\" > 1", "needs numbers, but the string \"a\" is not numeric")]
    [InlineData("i64 / 0 > 1", "integer division by zero")]
    [InlineData("i64", "'i64' is not a boolean condition")]
    [InlineData("not i64", "'i64' is not a boolean condition")]
    [InlineData("i64 + 1", "is not a boolean condition")]
    [InlineData("exists i64", "exists needs a JSON path")]
    [InlineData("meta[\"a\"] > s", "can only be compared with a constant")]
    [InlineData("meta[\"a\"] > true", "cannot order booleans")]
    [InlineData("s == [1]", "can only be used with in, not in")]
    [InlineData("not i32 in [1, 2]", "not binds tighter than comparisons")]
    [InlineData("not i32 == 1", "not binds tighter than comparisons")]
    public void RejectsWithClearMessage(string text, string messagePart)
    {
        var ex = BindError(text, dynamic: !text.StartsWith("nope", StringComparison.Ordinal));
        Assert.Contains(messagePart, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownFieldWithDynamicFieldBindsToDynamicKey()
    {
        var f = FilterCompiler.Compile("nope > 1", ExpressionTestData.Things, null);
        Assert.Equal("(nope > 1)", f.Text);
    }

    [Fact]
    public void TemplateOfUnsupportedKindIsRejected()
    {
        var t = new Dictionary<string, JsonElement> { ["x"] = JsonDocument.Parse("{\"a\":1}").RootElement };
        var ex = BindError("i64 > {x}", templates: t);
        Assert.Contains("template value {x} is a JSON object", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TemplateListMustMatchFieldType()
    {
        var t = new Dictionary<string, JsonElement> { ["ids"] = JsonDocument.Parse("[1, \"two\"]").RootElement };
        var ex = BindError("i64 in {ids}", templates: t);
        Assert.Contains("contains the template value {ids}", ex.Message, StringComparison.Ordinal);
    }
}
