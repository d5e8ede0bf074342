using VectorAspire.Core.Catalog;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Indexes;
using VectorAspire.Core.Schema;

namespace VectorAspire.Core.Tests.Indexes.Hnsw;

public sealed class HnswSqValidationTests
{
    private static readonly CollectionSchema s_schema = new()
    {
        Name = "t",
        Fields =
        [
            new FieldSchema { FieldId = 100, Name = "id", DataType = DataType.Int64, IsPrimaryKey = true },
            new FieldSchema { FieldId = 101, Name = "v", DataType = DataType.FloatVector, Dim = 8 },
        ],
    };

    private static IndexInfo Index(string type, params (string Key, string Value)[] p) => new()
    {
        IndexName = "",
        FieldId = 0,
        FieldName = "v",
        IndexType = type,
        MetricType = "L2",
        Params = p.ToDictionary(x => x.Key, x => x.Value),
    };

    [Fact]
    public void HnswSqAcceptsMilvusParameters()
    {
        var ok = IndexValidator.Validate(s_schema, Index("hnsw_sq", ("M", "16"), ("efConstruction", "200"), ("sq_type", "sq8"), ("refine", "True"), ("refine_type", "fp32")), []);
        Assert.Equal("HNSW_SQ", ok.IndexType);
        Assert.Equal("SQ8", ok.Params["sq_type"]);
        Assert.Equal("true", ok.Params["refine"]);
        Assert.Equal("FP32", ok.Params["refine_type"]);
    }

    [Theory]
    [InlineData("sq_type", "SQ6")]
    [InlineData("sq_type", "FP16")]
    [InlineData("refine", "yes")]
    [InlineData("refine_type", "FP16")]
    [InlineData("M", "1")]
    [InlineData("nlist", "8")]
    public void HnswSqRejectsUnsupportedParameters(string key, string value)
    {
        var ex = Assert.Throws<MilvusException>(() => IndexValidator.Validate(s_schema, Index("HNSW_SQ", (key, value)), []));
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }
}
