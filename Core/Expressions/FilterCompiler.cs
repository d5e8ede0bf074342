using System.Text.Json;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Expressions;

public static class FilterCompiler
{
    /// <summary>Parses and binds a filter; throws <see cref="FilterSyntaxException"/> or <see cref="FilterBindException"/>.</summary>
    public static BoundFilter Compile(string text, CollectionSchema schema, IReadOnlyDictionary<string, JsonElement>? templateValues)
        => FilterBinder.Bind(FilterParser.Parse(text), schema, templateValues);
}
