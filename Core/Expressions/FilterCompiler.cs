using System.Text.Json;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Expressions;

/// <summary>
/// Entry point for callers: Milvus boolean filter text → <see cref="BoundFilter"/>.
/// Supported (keywords in lower or upper case, as in Milvus's Plan.g4): literals (decimal/hex/octal/binary integers,
/// floats, "..." / '...' / r"..." strings, true/True/TRUE); == != &lt; &lt;= &gt; &gt;=; chained ranges
/// (1 &lt; a &lt; 5, 10 &gt;= b &gt; 2); in / not in [..]; like with % and _; and/&amp;&amp;, or/||, not/!;
/// + - * / % and unary minus; field-vs-field comparisons; JSON paths meta["a"][0]; dynamic-field keys (bare names
/// not in the schema, or $meta["k"]); Array indexing a[0]; array_contains(_all/_any), json_contains(_all/_any),
/// array_length; is null / is not null; exists; {name} templates filled from <c>templateValues</c>.
/// </summary>
public static class FilterCompiler
{
    /// <summary>Parses and binds a filter; throws <see cref="FilterSyntaxException"/> or <see cref="FilterBindException"/>.</summary>
    public static BoundFilter Compile(string text, CollectionSchema schema, IReadOnlyDictionary<string, JsonElement>? templateValues)
        => FilterBinder.Bind(FilterParser.Parse(text), schema, templateValues);
}
