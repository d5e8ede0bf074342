using System.Globalization;
using VectorAspire.Core.Catalog;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Schema;
using VectorAspire.Core.Vectors;

namespace VectorAspire.Core.Indexes;

/// <summary>
/// Checks an index definition against the schema and Milvus's parameter ranges. FLAT and AUTOINDEX are searched
/// exactly today; HNSW and IVF_* definitions are validated and stored (their builds arrive with the index engine)
/// and searches on them are exact until then, so results are never worse than the index would give.
/// </summary>
public static class IndexValidator
{
    private static readonly string[] s_vectorIndexTypes = ["FLAT", "AUTOINDEX", "HNSW", "HNSW_SQ", "IVF_FLAT", "IVF_SQ8", "IVF_PQ"];

    public static IndexInfo Validate(CollectionSchema schema, IndexInfo index, IReadOnlyList<IndexInfo> existing)
    {
        var field = schema.FindField(index.FieldName)
            ?? throw new MilvusException(ErrorCodes.FieldNotFound, $"cannot create index: field '{index.FieldName}' does not exist in collection '{schema.Name}'");
        if (field.IsDynamic)
            throw new MilvusException(ErrorCodes.IndexNotSupported, "cannot create an index on the dynamic field");
        string indexName = string.IsNullOrEmpty(index.IndexName) ? field.Name : index.IndexName;
        SchemaValidator.ValidateName(indexName, "index");
        string type = string.IsNullOrEmpty(index.IndexType) ? "AUTOINDEX" : index.IndexType.ToUpperInvariant();
        if (!field.DataType.IsVector())
            throw new MilvusException(ErrorCodes.IndexNotSupported, $"index on scalar field '{field.Name}' ({field.DataType.Name()}) is not supported yet; scalar filters are evaluated without an index");
        if (Array.IndexOf(s_vectorIndexTypes, type) < 0)
            throw new MilvusException(ErrorCodes.IndexNotSupported, $"index type '{index.IndexType}' is not supported for {field.DataType.Name()}; use one of {string.Join(", ", s_vectorIndexTypes)}");
        if (string.IsNullOrEmpty(index.MetricType))
            throw new MilvusException(ErrorCodes.ParameterInvalid, $"metric type is required for index on vector field '{field.Name}' (L2, IP or COSINE)");
        var metric = MetricTypes.Parse(index.MetricType);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in index.Params)
        {
            if (k is "index_type" or "metric_type")
                continue;
            parameters[k] = v;
        }
        ValidateParams(type, parameters, field.Dim);
        var normalized = index with
        {
            IndexName = indexName,
            FieldId = field.FieldId,
            FieldName = field.Name,
            IndexType = type,
            MetricType = MetricTypes.Name(metric),
            Params = parameters,
        };
        foreach (var e in existing)
        {
            if (e.FieldId == field.FieldId)
            {
                if (e.IndexType == normalized.IndexType && e.MetricType == normalized.MetricType && e.IndexName == normalized.IndexName
                    && SameParams(e.Params, normalized.Params))
                    return e;
                throw new MilvusException(ErrorCodes.IndexDuplicate, $"at most one distinct index is allowed per field: field '{field.Name}' already has index '{e.IndexName}' ({e.IndexType}, {e.MetricType}); drop it first");
            }
            if (e.IndexName == indexName)
                throw new MilvusException(ErrorCodes.IndexDuplicate, $"index name '{indexName}' is already used by field '{e.FieldName}'");
        }
        return normalized;
    }

    private static void ValidateParams(string type, Dictionary<string, string> p, int dim)
    {
        switch (type)
        {
            case "FLAT":
            case "AUTOINDEX":
                RejectUnknown(type, p);
                break;
            case "HNSW":
                Range(p, "M", 2, 2048);
                Range(p, "efConstruction", 1, int.MaxValue);
                RejectUnknown(type, p, "M", "efConstruction");
                break;
            case "HNSW_SQ":
                Range(p, "M", 2, 2048);
                Range(p, "efConstruction", 1, int.MaxValue);
                OneOf(p, "sq_type", "SQ8");
                OneOf(p, "refine", "true", "false");
                OneOf(p, "refine_type", "FP32");
                RejectUnknown(type, p, "M", "efConstruction", "sq_type", "refine", "refine_type");
                break;
            case "IVF_FLAT":
            case "IVF_SQ8":
                Range(p, "nlist", 1, 65536);
                RejectUnknown(type, p, "nlist");
                break;
            case "IVF_PQ":
                Range(p, "nlist", 1, 65536);
                Range(p, "nbits", 1, 16);
                if (p.TryGetValue("m", out var m) && int.TryParse(m, NumberStyles.Integer, CultureInfo.InvariantCulture, out int mv) && (mv < 1 || dim % mv != 0))
                    throw Invalid($"IVF_PQ parameter m={mv} must divide the vector dimension {dim}");
                RejectUnknown(type, p, "nlist", "m", "nbits");
                break;
        }
    }

    private static void Range(Dictionary<string, string> p, string key, long min, long max)
    {
        if (!p.TryGetValue(key, out var raw))
            return;
        if (!long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) || v < min || v > max)
            throw Invalid($"index parameter {key}={raw} is out of range: it must be an integer in [{min}, {max}]");
    }

    /// <summary>Case-insensitive choice; the stored value is normalised to the listed spelling.</summary>
    private static void OneOf(Dictionary<string, string> p, string key, params string[] allowed)
    {
        if (!p.TryGetValue(key, out var raw))
            return;
        foreach (var a in allowed)
        {
            if (string.Equals(a, raw.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                p[key] = a;
                return;
            }
        }
        throw Invalid($"index parameter {key}={raw} is not supported: use {string.Join(" or ", allowed)}");
    }

    private static void RejectUnknown(string type, Dictionary<string, string> p, params string[] allowed)
    {
        foreach (var k in p.Keys)
        {
            if (Array.IndexOf(allowed, k) < 0)
                throw Invalid($"index parameter '{k}' is not supported for index type {type}" + (allowed.Length > 0 ? $" (supported: {string.Join(", ", allowed)})" : ""));
        }
    }

    private static bool SameParams(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b)
        => a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static MilvusException Invalid(string message) => new(ErrorCodes.ParameterInvalid, message);
}
