namespace VectorAspire.Integration.Tests;

// Every test of these classes again, with the standalone server in loopback-cluster mode: each role-to-role call
// (Proxy -> Coordinator/StreamingNode, StreamingNode -> QueryNode/DataNode/Coordinator, ...) goes through the gRPC
// clients over HTTP/2 on 127.0.0.1. Passing them proves the internal codecs and error mapping.

public sealed class RestErrorOverGrpcTests : RestErrorTests
{
    protected override string? InternalTransport => TestServer.GrpcTransport;
}

public sealed class RestIndexOverGrpcTests : RestIndexTests
{
    protected override string? InternalTransport => TestServer.GrpcTransport;
}

public sealed class RestSchemaOverGrpcTests : RestSchemaTests
{
    protected override string? InternalTransport => TestServer.GrpcTransport;
}

public sealed class RestSearchFeatureOverGrpcTests : RestSearchFeatureTests
{
    protected override string? InternalTransport => TestServer.GrpcTransport;
}

public sealed class RestWorkflowOverGrpcTests : RestWorkflowTests
{
    protected override string? InternalTransport => TestServer.GrpcTransport;
}

public sealed class RestartOverGrpcTests : RestartTests
{
    protected override string? InternalTransport => TestServer.GrpcTransport;
}

public sealed class GrpcConsistencyOverGrpcTests : VectorAspire.Integration.Tests.Grpc.GrpcConsistencyTests
{
    protected override string? InternalTransport => TestServer.GrpcTransport;
}

public sealed class GrpcErrorOverGrpcTests : VectorAspire.Integration.Tests.Grpc.GrpcErrorTests
{
    protected override string? InternalTransport => TestServer.GrpcTransport;
}

public sealed class GrpcNullableOverGrpcTests : VectorAspire.Integration.Tests.Grpc.GrpcNullableTests
{
    protected override string? InternalTransport => TestServer.GrpcTransport;
}

public sealed class GrpcSearchParamOverGrpcTests : VectorAspire.Integration.Tests.Grpc.GrpcSearchParamTests
{
    protected override string? InternalTransport => TestServer.GrpcTransport;
}

public sealed class GrpcWorkflowOverGrpcTests : VectorAspire.Integration.Tests.Grpc.GrpcWorkflowTests
{
    protected override string? InternalTransport => TestServer.GrpcTransport;
}
public sealed class LoopbackClusterTests
{
    [Fact]
    public async Task GrpcTransportRegistersGrpcClientsForEveryRoleAndServesASearchThroughThem()
    {
        await using var server = await TestServer.StartAsync(internalTransport: TestServer.GrpcTransport);
        var services = server.Services;
        Assert.IsType<Cluster.GrpcCoordinatorClient>(services.GetService(typeof(Core.Contracts.ICoordinatorClient)));
        Assert.IsType<Cluster.GrpcStreamingNodeClient>(services.GetService(typeof(Core.Contracts.IStreamingNodeClient)));
        Assert.IsType<Cluster.GrpcQueryNodeClient>(services.GetService(typeof(Core.Contracts.IQueryNodeClient)));
        Assert.IsType<Cluster.GrpcDataNodeClient>(services.GetService(typeof(Core.Contracts.IDataNodeClient)));

        await server.OkAsync("collections/create", new { collectionName = "c", dimension = 4 });
        await server.OkAsync("entities/insert", new { collectionName = "c", data = new[] { new { id = 1, vector = new[] { 1f, 0, 0, 0 } }, new { id = 2, vector = new[] { 0f, 1, 0, 0 } } } });
        var hits = await server.OkAsync("entities/search", new { collectionName = "c", data = new[] { new[] { 0f, 1, 0, 0 } }, limit = 1 });
        Assert.Equal(2, hits![0]!["id"]!.GetValue<long>());
    }

    [Fact]
    public async Task MilvusErrorOfARemoteRoleArrivesWithItsCodeAndMessage()
    {
        await using var server = await TestServer.StartAsync(internalTransport: TestServer.GrpcTransport);
        var coordinator = (Core.Contracts.ICoordinatorClient)server.Services.GetService(typeof(Core.Contracts.ICoordinatorClient))!;
        var ex = await Assert.ThrowsAsync<Core.Errors.MilvusException>(() => coordinator.DropAliasAsync("default", "missing", CancellationToken.None).AsTask());
        var inProcess = server.Services.GetService(typeof(Coordinator.CoordinatorService)) as Core.Contracts.ICoordinatorClient;
        var expected = await Assert.ThrowsAsync<Core.Errors.MilvusException>(() => inProcess!.DropAliasAsync("default", "missing", CancellationToken.None).AsTask());
        Assert.Equal(expected.Code, ex.Code);
        Assert.Equal(expected.Message, ex.Message);
    }

    [Fact]
    public async Task CancelledRemoteCallThrowsOperationCanceled()
    {
        await using var server = await TestServer.StartAsync(internalTransport: TestServer.GrpcTransport);
        var coordinator = (Core.Contracts.ICoordinatorClient)server.Services.GetService(typeof(Core.Contracts.ICoordinatorClient))!;
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => coordinator.ListAllCollectionsAsync(cts.Token).AsTask());
    }
}

public sealed class RestDatabaseOverGrpcTests : RestDatabaseTests
{
    protected override string? InternalTransport => TestServer.GrpcTransport;
}

public sealed class GrpcDatabaseOverGrpcTests : VectorAspire.Integration.Tests.Grpc.GrpcDatabaseTests
{
    protected override string? InternalTransport => TestServer.GrpcTransport;
}

public sealed class AuthenticationOverGrpcTests : AuthenticationTests
{
    protected override string? InternalTransport => TestServer.GrpcTransport;
}
