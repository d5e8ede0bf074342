using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using VectorAspire.Protos.Milvus;
using PC = VectorAspire.Protos.Common;
using PS = VectorAspire.Protos.Schema;

namespace VectorAspire.Integration.Tests.Grpc;

public class GrpcWorkflowTests : ServerTests
{
    internal static PS.CollectionSchema Schema(string name, bool autoId = false, bool dynamic = true)
    {
        var s = new PS.CollectionSchema { Name = name, EnableDynamicField = dynamic };
        s.Fields.Add(new PS.FieldSchema { Name = "id", DataType = PS.DataType.Int64, IsPrimaryKey = true, AutoID = autoId });
        var v = new PS.FieldSchema { Name = "vector", DataType = PS.DataType.FloatVector };
        v.TypeParams.Add(new PC.KeyValuePair { Key = "dim", Value = "4" });
        s.Fields.Add(v);
        var t = new PS.FieldSchema { Name = "title", DataType = PS.DataType.VarChar };
        t.TypeParams.Add(new PC.KeyValuePair { Key = "max_length", Value = "64" });
        s.Fields.Add(t);
        s.Fields.Add(new PS.FieldSchema { Name = "meta", DataType = PS.DataType.Json });
        var a = new PS.FieldSchema { Name = "tags", DataType = PS.DataType.Array, ElementType = PS.DataType.Int64 };
        a.TypeParams.Add(new PC.KeyValuePair { Key = "max_capacity", Value = "8" });
        s.Fields.Add(a);
        return s;
    }

    internal static float[] Vec(long i) => [i, i * 0.5f, 1, -i];

    /// <summary>Columnar rows as the SDKs send them: ids (unless null), vector, title, meta, tags and a dynamic "color".</summary>
    internal static List<PS.FieldData> Rows(IReadOnlyList<long> ids, bool includeIds = true, int dim = 4, string titlePrefix = "t")
    {
        var list = new List<PS.FieldData>();
        if (includeIds)
        {
            var pk = new PS.FieldData { Type = PS.DataType.Int64, FieldName = "id", Scalars = new PS.ScalarField { LongData = new PS.LongArray() } };
            pk.Scalars.LongData.Data.Add(ids);
            list.Add(pk);
        }
        var vec = new PS.FieldData { Type = PS.DataType.FloatVector, FieldName = "vector", Vectors = new PS.VectorField { Dim = dim, FloatVector = new PS.FloatArray() } };
        var title = new PS.FieldData { Type = PS.DataType.VarChar, FieldName = "title", Scalars = new PS.ScalarField { StringData = new PS.StringArray() } };
        var meta = new PS.FieldData { Type = PS.DataType.Json, FieldName = "meta", Scalars = new PS.ScalarField { JsonData = new PS.JSONArray() } };
        var tags = new PS.FieldData { Type = PS.DataType.Array, FieldName = "tags", Scalars = new PS.ScalarField { ArrayData = new PS.ArrayArray { ElementType = PS.DataType.Int64 } } };
        var dyn = new PS.FieldData { Type = PS.DataType.Json, FieldName = "$meta", IsDynamic = true, Scalars = new PS.ScalarField { JsonData = new PS.JSONArray() } };
        foreach (long i in ids)
        {
            vec.Vectors.FloatVector.Data.Add(Vec(i).Take(dim));
            title.Scalars.StringData.Data.Add($"{titlePrefix}{i}");
            meta.Scalars.JsonData.Data.Add(ByteString.CopyFromUtf8($"{{\"n\":{i}}}"));
            var el = new PS.ScalarField { LongData = new PS.LongArray() };
            el.LongData.Data.Add([i, i + 1]);
            tags.Scalars.ArrayData.Data.Add(el);
            dyn.Scalars.JsonData.Data.Add(ByteString.CopyFromUtf8(i % 2 == 0 ? "{\"color\":\"red\"}" : "{\"color\":\"blue\"}"));
        }
        list.AddRange([vec, title, meta, tags, dyn]);
        return list;
    }

    internal static ByteString Placeholder(params float[][] vectors)
    {
        var value = new PC.PlaceholderValue { Tag = "$0", Type = PC.PlaceholderType.FloatVector };
        foreach (var v in vectors)
        {
            var bytes = new byte[v.Length * 4];
            for (int i = 0; i < v.Length; i++)
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), v[i]);
            value.Values.Add(ByteString.CopyFrom(bytes));
        }
        var group = new PC.PlaceholderGroup();
        group.Placeholders.Add(value);
        return group.ToByteString();
    }

    internal static async Task CreateAsync(GrpcTestClient c, string name, bool autoId = false, bool load = false)
    {
        await c.OkAsync<PC.Status>("CreateCollection", new CreateCollectionRequest
        {
            CollectionName = name,
            Schema = Schema(name, autoId).ToByteString(),
            ShardsNum = 0,
            ConsistencyLevel = PC.ConsistencyLevel.Strong,
        });
        if (!load)
            return;
        var index = new CreateIndexRequest { CollectionName = name, FieldName = "vector" };
        index.ExtraParams.Add(new PC.KeyValuePair { Key = "metric_type", Value = "L2" });
        await c.OkAsync<PC.Status>("CreateIndex", index);
        await c.OkAsync<PC.Status>("LoadCollection", new LoadCollectionRequest { CollectionName = name });
    }

    private static PS.FieldData Field(IEnumerable<PS.FieldData> fields, string name)
        => fields.FirstOrDefault(f => f.FieldName == name) ?? throw new Xunit.Sdk.XunitException($"no field '{name}' in {string.Join(", ", fields.Select(f => f.FieldName))}");

    [Fact]
    public async Task FullWorkflow()
    {
        await using var server = await StartServerAsync();
        var c = new GrpcTestClient(server);

        var connect = await c.OkAsync<ConnectResponse>("Connect", new ConnectRequest { ClientInfo = new PC.ClientInfo { SdkType = "nodejs", SdkVersion = "3.0.6" } });
        Assert.NotEqual(0, connect.Identifier);
        Assert.False(string.IsNullOrEmpty((await c.OkAsync<GetVersionResponse>("GetVersion", new GetVersionRequest())).Version));
        Assert.True((await c.OkAsync<CheckHealthResponse>("CheckHealth", new CheckHealthRequest())).IsHealthy);

        await CreateAsync(c, "books");
        var described = await c.OkAsync<DescribeCollectionResponse>("DescribeCollection", new DescribeCollectionRequest { CollectionName = "books" });
        Assert.Equal(PC.ErrorCode.Success, described.Status.ErrorCode);
        Assert.NotEqual(0, described.CollectionID);
        Assert.Equal(1, described.ShardsNum);
        Assert.Single(described.VirtualChannelNames);
        Assert.Single(described.PhysicalChannelNames);
        Assert.Equal(PC.ConsistencyLevel.Strong, described.ConsistencyLevel);
        Assert.Equal(1, described.NumPartitions);
        Assert.True(described.Schema.EnableDynamicField);
        // Like Milvus, the hidden dynamic field ($meta) is not listed; enable_dynamic_field says it exists.
        Assert.Equal(["id", "vector", "title", "meta", "tags"], described.Schema.Fields.Select(f => f.Name));
        Assert.All(described.Schema.Fields, f => Assert.True(f.FieldID >= 100));
        Assert.Equal("4", described.Schema.Fields[1].TypeParams.Single(kv => kv.Key == "dim").Value);
        Assert.Equal(PS.DataType.Int64, described.Schema.Fields[4].ElementType);

        Assert.True((await c.OkAsync<BoolResponse>("HasCollection", new HasCollectionRequest { CollectionName = "books" })).Value);
        Assert.False((await c.OkAsync<BoolResponse>("HasCollection", new HasCollectionRequest { CollectionName = "nope" })).Value);
        Assert.Contains("books", (await c.OkAsync<ShowCollectionsResponse>("ShowCollections", new ShowCollectionsRequest())).CollectionNames);

        var insert = new InsertRequest { CollectionName = "books", NumRows = 10 };
        insert.FieldsData.Add(Rows([.. Enumerable.Range(1, 10).Select(i => (long)i)]));
        var inserted = await c.OkAsync<MutationResult>("Insert", insert);
        Assert.Equal(10, inserted.InsertCnt);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), inserted.IDs.IntId.Data);
        Assert.NotEqual(0UL, inserted.Timestamp);

        var index = new CreateIndexRequest { CollectionName = "books", FieldName = "vector", IndexName = "" };
        index.ExtraParams.Add(new PC.KeyValuePair { Key = "index_type", Value = "HNSW" });
        index.ExtraParams.Add(new PC.KeyValuePair { Key = "metric_type", Value = "L2" });
        index.ExtraParams.Add(new PC.KeyValuePair { Key = "params", Value = "{\"M\":8,\"efConstruction\":64}" });
        await c.OkAsync<PC.Status>("CreateIndex", index);
        var indexes = await c.OkAsync<DescribeIndexResponse>("DescribeIndex", new DescribeIndexRequest { CollectionName = "books" });
        var desc = Assert.Single(indexes.IndexDescriptions);
        Assert.Equal("vector", desc.FieldName);
        Assert.Equal(PC.IndexState.Finished, desc.State);
        Assert.Equal("HNSW", desc.Params.Single(p => p.Key == "index_type").Value);
        Assert.Equal("L2", desc.Params.Single(p => p.Key == "metric_type").Value);
        Assert.Contains("\"M\":8", desc.Params.Single(p => p.Key == "params").Value, StringComparison.Ordinal);
        Assert.Equal(10, desc.TotalRows);
        Assert.Equal(PC.IndexState.Finished, (await c.OkAsync<GetIndexStateResponse>("GetIndexState", new GetIndexStateRequest { CollectionName = "books", IndexName = "vector" })).State);

        Assert.Equal(PC.LoadState.NotLoad, (await c.OkAsync<GetLoadStateResponse>("GetLoadState", new GetLoadStateRequest { CollectionName = "books" })).State);
        await c.OkAsync<PC.Status>("LoadCollection", new LoadCollectionRequest { CollectionName = "books" });
        Assert.Equal(100, (await c.OkAsync<GetLoadingProgressResponse>("GetLoadingProgress", new GetLoadingProgressRequest { CollectionName = "books" })).Progress);
        Assert.Equal(PC.LoadState.Loaded, (await c.OkAsync<GetLoadStateResponse>("GetLoadState", new GetLoadStateRequest { CollectionName = "books" })).State);
        var stats = await c.OkAsync<GetCollectionStatisticsResponse>("GetCollectionStatistics", new GetCollectionStatisticsRequest { CollectionName = "books" });
        Assert.Equal("10", stats.Stats.Single(kv => kv.Key == "row_count").Value);

        // Search nq=2, metric_type empty (= the index's), filter, output fields incl. a dynamic key.
        var search = new SearchRequest
        {
            CollectionName = "books",
            Dsl = "id > 1",
            DslType = PC.DslType.BoolExprV1,
            PlaceholderGroup = Placeholder(Vec(3), Vec(7)),
            Nq = 2,
            ConsistencyLevel = PC.ConsistencyLevel.Strong,
        };
        search.OutputFields.Add(["title", "meta", "tags", "color"]);
        search.SearchParams.Add(new PC.KeyValuePair { Key = "anns_field", Value = "vector" });
        search.SearchParams.Add(new PC.KeyValuePair { Key = "topk", Value = "3" });
        search.SearchParams.Add(new PC.KeyValuePair { Key = "metric_type", Value = "" });
        search.SearchParams.Add(new PC.KeyValuePair { Key = "params", Value = "{\"ef\":32}" });
        search.SearchParams.Add(new PC.KeyValuePair { Key = "offset", Value = "0" });
        search.SearchParams.Add(new PC.KeyValuePair { Key = "ignore_growing", Value = "false" });
        search.SearchParams.Add(new PC.KeyValuePair { Key = "ef", Value = "32" });
        var results = (await c.OkAsync<SearchResults>("Search", search)).Results;
        Assert.Equal(2, results.NumQueries);
        Assert.Equal(3, results.TopK);
        Assert.Equal([3L, 3L], results.Topks);
        Assert.Equal("id", results.PrimaryFieldName);
        Assert.Equal(3, results.Ids.IntId.Data[0]);
        Assert.Equal(7, results.Ids.IntId.Data[3]);
        Assert.Equal(0f, results.Scores[0], 4);
        Assert.True(results.Scores[1] > 0);
        var pkColumn = Field(results.FieldsData, "id");
        Assert.Equal(results.Ids.IntId.Data, pkColumn.Scalars.LongData.Data);
        Assert.Contains("id", results.OutputFields);
        Assert.Equal("t3", Field(results.FieldsData, "title").Scalars.StringData.Data[0]);
        Assert.Equal("t7", Field(results.FieldsData, "title").Scalars.StringData.Data[3]);
        Assert.Equal("{\"n\":3}", Field(results.FieldsData, "meta").Scalars.JsonData.Data[0].ToStringUtf8());
        Assert.Equal([3L, 4L], Field(results.FieldsData, "tags").Scalars.ArrayData.Data[0].LongData.Data);
        var dyn = Field(results.FieldsData, "$meta");
        Assert.True(dyn.IsDynamic);
        Assert.Equal("{\"color\":\"blue\"}", dyn.Scalars.JsonData.Data[0].ToStringUtf8());
        Assert.Equal(6, Field(results.FieldsData, "title").Scalars.StringData.Data.Count);

        // count(*)
        var count = new QueryRequest { CollectionName = "books", Expr = "" };
        count.OutputFields.Add("count(*)");
        var counted = await c.OkAsync<QueryResults>("Query", count);
        Assert.Equal(10, Field(counted.FieldsData, "count(*)").Scalars.LongData.Data.Single());
        Assert.Equal(["count(*)"], counted.OutputFields);

        // get by ids, all fields
        var get = new QueryRequest { CollectionName = "books", Expr = "id in [2, 4]" };
        get.OutputFields.Add("*");
        var got = await c.OkAsync<QueryResults>("Query", get);
        Assert.Equal([2L, 4L], Field(got.FieldsData, "id").Scalars.LongData.Data);
        Assert.Equal(["t2", "t4"], Field(got.FieldsData, "title").Scalars.StringData.Data);
        Assert.Equal(8, Field(got.FieldsData, "vector").Vectors.FloatVector.Data.Count);
        Assert.Equal(4, Field(got.FieldsData, "vector").Vectors.Dim);
        Assert.Equal("{\"color\":\"red\"}", Field(got.FieldsData, "$meta").Scalars.JsonData.Data[0].ToStringUtf8());

        // query with limit and template values
        var templated = new QueryRequest { CollectionName = "books", Expr = "id >= {low}" };
        templated.ExprTemplateValues["low"] = new PS.TemplateValue { Int64Val = 8 };
        templated.OutputFields.Add("title");
        templated.QueryParams.Add(new PC.KeyValuePair { Key = "limit", Value = "2" });
        var limited = await c.OkAsync<QueryResults>("Query", templated);
        Assert.Equal([8L, 9L], Field(limited.FieldsData, "id").Scalars.LongData.Data);

        // upsert
        var upsert = new UpsertRequest { CollectionName = "books", NumRows = 1 };
        upsert.FieldsData.Add(Rows([2], titlePrefix: "changed"));
        Assert.Equal(1, (await c.OkAsync<MutationResult>("Upsert", upsert)).UpsertCnt);
        var after = new QueryRequest { CollectionName = "books", Expr = "id == 2" };
        after.OutputFields.Add("title");
        Assert.Equal("changed2", Field((await c.OkAsync<QueryResults>("Query", after)).FieldsData, "title").Scalars.StringData.Data.Single());

        // delete
        var deleted = await c.OkAsync<MutationResult>("Delete", new DeleteRequest { CollectionName = "books", Expr = "id in [1, 3]" });
        Assert.Equal(2, deleted.DeleteCnt);
        Assert.Equal(8, Field((await c.OkAsync<QueryResults>("Query", count)).FieldsData, "count(*)").Scalars.LongData.Data.Single());

        // flush
        var flush = new FlushRequest();
        flush.CollectionNames.Add("books");
        var flushed = await c.OkAsync<FlushResponse>("Flush", flush);
        Assert.True(flushed.CollFlushTs["books"] > 0);
        Assert.True((await c.OkAsync<GetFlushStateResponse>("GetFlushState", new GetFlushStateRequest { CollectionName = "books", FlushTs = flushed.CollFlushTs["books"] })).Flushed);

        // partitions
        await c.OkAsync<PC.Status>("CreatePartition", new CreatePartitionRequest { CollectionName = "books", PartitionName = "p1" });
        Assert.True((await c.OkAsync<BoolResponse>("HasPartition", new HasPartitionRequest { CollectionName = "books", PartitionName = "p1" })).Value);
        var parts = await c.OkAsync<ShowPartitionsResponse>("ShowPartitions", new ShowPartitionsRequest { CollectionName = "books" });
        Assert.Equal(["_default", "p1"], parts.PartitionNames.OrderBy(n => n, StringComparer.Ordinal));
        var intoP1 = new InsertRequest { CollectionName = "books", PartitionName = "p1", NumRows = 1 };
        intoP1.FieldsData.Add(Rows([100]));
        await c.OkAsync<MutationResult>("Insert", intoP1);
        var pstats = await c.OkAsync<GetPartitionStatisticsResponse>("GetPartitionStatistics", new GetPartitionStatisticsRequest { CollectionName = "books", PartitionName = "p1" });
        Assert.Equal("1", pstats.Stats.Single(kv => kv.Key == "row_count").Value);
        var loadP1 = new LoadPartitionsRequest { CollectionName = "books" };
        loadP1.PartitionNames.Add("p1");
        await c.OkAsync<PC.Status>("LoadPartitions", loadP1);
        var inP1 = new QueryRequest { CollectionName = "books", Expr = "id > 0" };
        inP1.PartitionNames.Add("p1");
        Assert.Equal([100L], Field((await c.OkAsync<QueryResults>("Query", inP1)).FieldsData, "id").Scalars.LongData.Data);
        var releaseP1 = new ReleasePartitionsRequest { CollectionName = "books" };
        releaseP1.PartitionNames.Add("p1");
        await c.OkAsync<PC.Status>("ReleasePartitions", releaseP1);
        await c.OkAsync<PC.Status>("DropPartition", new DropPartitionRequest { CollectionName = "books", PartitionName = "p1" });
        Assert.False((await c.OkAsync<BoolResponse>("HasPartition", new HasPartitionRequest { CollectionName = "books", PartitionName = "p1" })).Value);

        // aliases
        await c.OkAsync<PC.Status>("CreateAlias", new CreateAliasRequest { CollectionName = "books", Alias = "library" });
        var alias = await c.OkAsync<DescribeAliasResponse>("DescribeAlias", new DescribeAliasRequest { Alias = "library" });
        Assert.Equal("books", alias.Collection);
        Assert.Equal(["library"], (await c.OkAsync<ListAliasesResponse>("ListAliases", new ListAliasesRequest { CollectionName = "books" })).Aliases);
        var viaAlias = await c.OkAsync<DescribeCollectionResponse>("DescribeCollection", new DescribeCollectionRequest { CollectionName = "library" });
        Assert.Equal("books", viaAlias.CollectionName);
        Assert.Equal(["library"], viaAlias.Aliases);
        await c.OkAsync<PC.Status>("DropAlias", new DropAliasRequest { Alias = "library" });
        var missingAlias = await c.CallAsync<DescribeAliasResponse>("DescribeAlias", new DescribeAliasRequest { Alias = "library" });
        Assert.Equal(1600, missingAlias.Status.Code);

        // release, then reads fail with 101
        await c.OkAsync<PC.Status>("ReleaseCollection", new ReleaseCollectionRequest { CollectionName = "books" });
        Assert.Equal(PC.LoadState.NotLoad, (await c.OkAsync<GetLoadStateResponse>("GetLoadState", new GetLoadStateRequest { CollectionName = "books" })).State);
        var notLoaded = await c.CallAsync<SearchResults>("Search", search);
        Assert.Equal(101, notLoaded.Status.Code);
        Assert.NotEqual(PC.ErrorCode.Success, notLoaded.Status.ErrorCode);

        // drop
        await c.OkAsync<PC.Status>("DropCollection", new DropCollectionRequest { CollectionName = "books" });
        var gone = await c.CallAsync<DescribeCollectionResponse>("DescribeCollection", new DescribeCollectionRequest { CollectionName = "books" });
        Assert.Equal(100, gone.Status.Code);
        Assert.Equal(PC.ErrorCode.CollectionNotExists, gone.Status.ErrorCode);
    }

    [Fact]
    public async Task AutoIdInsertAndVarCharResults()
    {
        await using var server = await StartServerAsync();
        var c = new GrpcTestClient(server);
        await CreateAsync(c, "auto", autoId: true, load: true);
        var insert = new InsertRequest { CollectionName = "auto", NumRows = 5 };
        insert.FieldsData.Add(Rows([1, 2, 3, 4, 5], includeIds: false));
        var inserted = await c.OkAsync<MutationResult>("Insert", insert);
        Assert.Equal(5, inserted.InsertCnt);
        var ids = inserted.IDs.IntId.Data;
        Assert.Equal(5, ids.Distinct().Count());
        Assert.All(ids, id => Assert.NotEqual(0, id));

        // Sending the auto-generated key is an error, as in REST.
        var withIds = new InsertRequest { CollectionName = "auto", NumRows = 1 };
        withIds.FieldsData.Add(Rows([1]));
        var refused = await c.CallAsync<MutationResult>("Insert", withIds);
        Assert.Equal(1804, refused.Status.Code);
        Assert.Contains("auto-generated", refused.Status.Reason, StringComparison.Ordinal);

        // Delete by primary keys works on an unloaded collection too (as in Milvus).
        await CreateAsync(c, "cold");
        var coldRows = new InsertRequest { CollectionName = "cold", NumRows = 3 };
        coldRows.FieldsData.Add(Rows([1, 2, 3]));
        await c.OkAsync<MutationResult>("Insert", coldRows);
        Assert.Equal(2, (await c.OkAsync<MutationResult>("Delete", new DeleteRequest { CollectionName = "cold", Expr = "id in [1, 3]" })).DeleteCnt);
        Assert.Equal(101, (await c.CallAsync<MutationResult>("Delete", new DeleteRequest { CollectionName = "cold", Expr = "id > 1" })).Status.Code);

        // Search without output fields still returns the primary key column.
        var search = new SearchRequest { CollectionName = "auto", PlaceholderGroup = Placeholder(Vec(2)), Nq = 1 };
        search.SearchParams.Add(new PC.KeyValuePair { Key = "topk", Value = "2" });
        var results = (await c.OkAsync<SearchResults>("Search", search)).Results;
        Assert.Equal(ids[1], results.Ids.IntId.Data[0]);
        Assert.Equal(results.Ids.IntId.Data, results.FieldsData.Single(f => f.FieldName == "id").Scalars.LongData.Data);

        // Query with use_default_consistency picks the collection level.
        var q = new QueryRequest { CollectionName = "auto", Expr = "title == \"t3\"", UseDefaultConsistency = true };
        q.OutputFields.Add("title");
        var got = await c.OkAsync<QueryResults>("Query", q);
        Assert.Equal([ids[2]], got.FieldsData.Single(f => f.FieldName == "id").Scalars.LongData.Data);
        Assert.Equal(Encoding.UTF8.GetBytes("t3"), Encoding.UTF8.GetBytes(got.FieldsData.Single(f => f.FieldName == "title").Scalars.StringData.Data[0]));
    }
}
