using Google.Protobuf.WellKnownTypes;
using VectorAspire.Protos.Milvus;
using VectorAspire.Proxy.Grpc;
using PC = VectorAspire.Protos.Common;

namespace VectorAspire.Integration.Tests.Grpc;

public class GrpcErrorTests : ServerTests
{
    [Fact]
    public async Task UnknownCollectionIsCode100AndCollectionNotExists()
    {
        await using var server = await StartServerAsync();
        var c = new GrpcTestClient(server);
        var reply = await c.CallAsync<DescribeCollectionResponse>("DescribeCollection", new DescribeCollectionRequest { CollectionName = "missing" });
        Assert.Equal(100, reply.Status.Code);
        Assert.Equal(PC.ErrorCode.CollectionNotExists, reply.Status.ErrorCode);
        var (_, restMessage) = await server.FailAsync("collections/describe", new { collectionName = "missing" });
        Assert.Equal(restMessage, reply.Status.Reason);

        var load = await c.StatusAsync("LoadCollection", new LoadCollectionRequest { CollectionName = "missing" });
        Assert.Equal(100, load.Code);
        var insert = await c.CallAsync<MutationResult>("Insert", new InsertRequest { CollectionName = "missing", NumRows = 1 });
        Assert.Equal(100, insert.Status.Code);
    }

    [Fact]
    public async Task WrongDimMatchesRest()
    {
        await using var server = await StartServerAsync();
        var c = new GrpcTestClient(server);
        await GrpcWorkflowTests.CreateAsync(c, "dims");
        var insert = new InsertRequest { CollectionName = "dims", NumRows = 2 };
        insert.FieldsData.Add(GrpcWorkflowTests.Rows([1, 2], dim: 3));
        var reply = await c.CallAsync<MutationResult>("Insert", insert);
        var (restCode, restMessage) = await server.FailAsync("entities/insert", new
        {
            collectionName = "dims",
            data = new object[] { new { id = 1, vector = new[] { 1f, 2f, 3f }, title = "a", meta = new { }, tags = new[] { 1 } } },
        });
        Assert.Equal(restCode, reply.Status.Code);
        Assert.Equal(restMessage, reply.Status.Reason);
        Assert.Equal(PC.ErrorCode.IllegalArgument, reply.Status.ErrorCode);
    }

    [Fact]
    public async Task InvalidInsertValuesAreRejected()
    {
        await using var server = await StartServerAsync();
        var c = new GrpcTestClient(server);
        await GrpcWorkflowTests.CreateAsync(c, "bad");

        var tooLong = new InsertRequest { CollectionName = "bad", NumRows = 1 };
        tooLong.FieldsData.Add(GrpcWorkflowTests.Rows([1], titlePrefix: new string('x', 80)));
        var r1 = await c.CallAsync<MutationResult>("Insert", tooLong);
        Assert.Equal(1804, r1.Status.Code);
        Assert.Contains("max_length", r1.Status.Reason, StringComparison.Ordinal);

        var missing = new InsertRequest { CollectionName = "bad", NumRows = 1 };
        missing.FieldsData.Add(GrpcWorkflowTests.Rows([1]).Where(f => f.FieldName != "title"));
        var r2 = await c.CallAsync<MutationResult>("Insert", missing);
        Assert.Equal(1804, r2.Status.Code);
        Assert.Contains("'title' is missing", r2.Status.Reason, StringComparison.Ordinal);

        var badJson = new InsertRequest { CollectionName = "bad", NumRows = 1 };
        var rows = GrpcWorkflowTests.Rows([1]);
        rows.Single(f => f.FieldName == "meta").Scalars.JsonData.Data[0] = Google.Protobuf.ByteString.CopyFromUtf8("{oops");
        badJson.FieldsData.Add(rows);
        Assert.Equal(1804, (await c.CallAsync<MutationResult>("Insert", badJson)).Status.Code);
    }

    [Fact]
    public async Task SearchOnUnloadedCollectionIs101AndGroupByIsNotSupported()
    {
        await using var server = await StartServerAsync();
        var c = new GrpcTestClient(server);
        await GrpcWorkflowTests.CreateAsync(c, "cold");
        var search = new SearchRequest { CollectionName = "cold", PlaceholderGroup = GrpcWorkflowTests.Placeholder(GrpcWorkflowTests.Vec(1)), Nq = 1 };
        search.SearchParams.Add(new PC.KeyValuePair { Key = "topk", Value = "1" });
        var reply = await c.CallAsync<SearchResults>("Search", search);
        Assert.Equal(101, reply.Status.Code);
        Assert.NotEqual(PC.ErrorCode.Success, reply.Status.ErrorCode);

        search.SearchParams.Add(new PC.KeyValuePair { Key = "group_by_field", Value = "title" });
        var grouped = await c.CallAsync<SearchResults>("Search", search);
        Assert.Equal(10, grouped.Status.Code);
        Assert.Contains("not supported", grouped.Status.Reason, StringComparison.Ordinal);

        var progress = await c.CallAsync<GetLoadingProgressResponse>("GetLoadingProgress", new GetLoadingProgressRequest { CollectionName = "cold" });
        Assert.Equal(101, progress.Status.Code);
    }

    [Fact]
    public async Task UnsupportedMethodsAnswerAMilvusStatusError()
    {
        await using var server = await StartServerAsync();
        var c = new GrpcTestClient(server);
        // Returns common.Status itself.
        var status = await c.CallAsync<PC.Status>("CreateRole", new Empty());
        Assert.NotEqual(0, status.Code);
        Assert.NotEqual(PC.ErrorCode.Success, status.ErrorCode);
        Assert.Equal("method CreateRole is not supported by VectorAspire yet", status.Reason);
        // Returns a message with status = 1.
        var wrapped = await c.CallAsync<UnsupportedResponse>("ListImportTasks", new Empty());
        Assert.Equal("method ListImportTasks is not supported by VectorAspire yet", wrapped.Status.Reason);
        var alter = new AlterCollectionRequest { CollectionName = "x" };
        Assert.Equal(100, (await c.StatusAsync("AlterCollection", alter)).Code);
    }

    [Fact]
    public void EveryMilvusServiceMethodIsRegistered()
    {
        var registry = new CapturingRegistry();
        var service = new MilvusGrpcService(null!, Microsoft.Extensions.Logging.Abstractions.NullLogger<MilvusGrpcService>.Instance);
        service.Register(registry);
        var methods = MilvusGrpcService.Descriptor.Methods;
        Assert.Equal(135, methods.Count);
        foreach (var m in methods)
            Assert.True(registry.Has(MilvusGrpcService.ServiceName, m.Name), $"{m.Name} is not registered");
        Assert.Equal(methods.Count, registry.Keys.Count);
        Assert.False(registry.Has("milvus.proto.milvus.ClientTelemetryService", "ClientHeartbeat"));
        foreach (var name in new[] { "Connect", "DescribeCollection", "Insert", "Search", "Query", "GetLoadingProgress", "CreateIndex", "Flush" })
            Assert.Contains(name, service.ImplementedMethods);
    }
}
