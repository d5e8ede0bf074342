using Google.Protobuf;
using VectorAspire.Protos.Milvus;
using PC = VectorAspire.Protos.Common;
using PS = VectorAspire.Protos.Schema;

namespace VectorAspire.Integration.Tests.Grpc;

public class GrpcNullableTests : ServerTests
{
    [Fact]
    public async Task NullableAndDefaultValuesRoundTrip()
    {
        await using var server = await StartServerAsync();
        var c = new GrpcTestClient(server);
        var schema = new PS.CollectionSchema { Name = "nulls" };
        schema.Fields.Add(new PS.FieldSchema { Name = "id", DataType = PS.DataType.Int64, IsPrimaryKey = true });
        var v = new PS.FieldSchema { Name = "vector", DataType = PS.DataType.FloatVector };
        v.TypeParams.Add(new PC.KeyValuePair { Key = "dim", Value = "2" });
        schema.Fields.Add(v);
        schema.Fields.Add(new PS.FieldSchema { Name = "score", DataType = PS.DataType.Int32, Nullable = true });
        var kind = new PS.FieldSchema { Name = "kind", DataType = PS.DataType.VarChar, DefaultValue = new PS.ValueField { StringData = "x" } };
        kind.TypeParams.Add(new PC.KeyValuePair { Key = "max_length", Value = "8" });
        schema.Fields.Add(kind);
        await c.OkAsync<PC.Status>("CreateCollection", new CreateCollectionRequest { CollectionName = "nulls", Schema = schema.ToByteString() });
        var described = await c.OkAsync<DescribeCollectionResponse>("DescribeCollection", new DescribeCollectionRequest { CollectionName = "nulls" });
        Assert.Equal("x", described.Schema.Fields.Single(f => f.Name == "kind").DefaultValue.StringData);
        Assert.True(described.Schema.Fields.Single(f => f.Name == "score").Nullable);
        Assert.False(described.Schema.EnableDynamicField);

        var index = new CreateIndexRequest { CollectionName = "nulls", FieldName = "vector" };
        index.ExtraParams.Add(new PC.KeyValuePair { Key = "metric_type", Value = "IP" });
        await c.OkAsync<PC.Status>("CreateIndex", index);
        await c.OkAsync<PC.Status>("LoadCollection", new LoadCollectionRequest { CollectionName = "nulls" });

        var insert = new InsertRequest { CollectionName = "nulls", NumRows = 3 };
        var ids = new PS.FieldData { Type = PS.DataType.Int64, FieldName = "id", Scalars = new PS.ScalarField { LongData = new PS.LongArray() } };
        ids.Scalars.LongData.Data.Add([1, 2, 3]);
        var vec = new PS.FieldData { Type = PS.DataType.FloatVector, FieldName = "vector", Vectors = new PS.VectorField { Dim = 2, FloatVector = new PS.FloatArray() } };
        vec.Vectors.FloatVector.Data.Add([1, 0, 0, 1, 1, 1]);
        // Compact form: only the valid rows carry a value.
        var score = new PS.FieldData { Type = PS.DataType.Int32, FieldName = "score", Scalars = new PS.ScalarField { IntData = new PS.IntArray() } };
        score.Scalars.IntData.Data.Add([5, 7]);
        score.ValidData.Add([true, false, true]);
        insert.FieldsData.Add([ids, vec, score]);
        await c.OkAsync<MutationResult>("Insert", insert);

        var q = new QueryRequest { CollectionName = "nulls", Expr = "id > 0" };
        q.OutputFields.Add(["score", "kind"]);
        var got = await c.OkAsync<QueryResults>("Query", q);
        var s = got.FieldsData.Single(f => f.FieldName == "score");
        Assert.Equal([true, false, true], s.ValidData);
        Assert.Equal(5, s.Scalars.IntData.Data[0]);
        Assert.Equal(7, s.Scalars.IntData.Data[2]);
        Assert.Equal(["x", "x", "x"], got.FieldsData.Single(f => f.FieldName == "kind").Scalars.StringData.Data);

        // Dynamic data on a collection without a dynamic field is refused.
        var dyn = new InsertRequest { CollectionName = "nulls", NumRows = 1 };
        dyn.FieldsData.Add(GrpcWorkflowTests.Rows([9]).Where(f => f.IsDynamic));
        Assert.Equal(1804, (await c.CallAsync<MutationResult>("Insert", dyn)).Status.Code);
    }
}
