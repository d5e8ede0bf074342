using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using VectorAspire.Core.Rpc;
using VectorAspire.Proxy.Grpc;
using PC = VectorAspire.Protos.Common;

namespace VectorAspire.Integration.Tests.Grpc;

/// <summary>Captures the handlers a service registers, so tests can call them directly (bytes in, message out).</summary>
public sealed class CapturingRegistry : IGrpcMethodRegistry
{
    private readonly Dictionary<string, Func<byte[], GrpcCallContext, ValueTask<IMessage>>> _handlers = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Keys => _handlers.Keys;

    public void MapUnary<TRequest, TResponse>(string service, string method, MessageParser<TRequest> parser,
        Func<TRequest, GrpcCallContext, ValueTask<TResponse>> handler)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        _handlers.Add($"{service}/{method}", async (bytes, ctx) => await handler(parser.ParseFrom(bytes), ctx));
    }

    public bool Has(string service, string method) => _handlers.ContainsKey($"{service}/{method}");

    public async Task<IMessage> InvokeAsync(string service, string method, byte[] request, GrpcCallContext ctx)
    {
        Assert.True(_handlers.TryGetValue($"{service}/{method}", out var h), $"{service}/{method} is not registered");
        return await h(request, ctx);
    }
}

/// <summary>Calls MilvusService handlers of an in-process server the way the wire would (serialized requests).</summary>
public sealed class GrpcTestClient
{
    private readonly CapturingRegistry _registry = new();

    public GrpcTestClient(TestServer server, string db = "default", string? authorization = null)
    {
        server.Services.GetRequiredService<MilvusGrpcService>().Register(_registry);
        var metadata = new Dictionary<string, string> { ["dbname"] = db };
        if (authorization is not null)
            metadata["authorization"] = authorization;
        Context = new GrpcCallContext(metadata, null, CancellationToken.None);
    }

    public CapturingRegistry Registry => _registry;

    public GrpcCallContext Context { get; }

    public async Task<TResponse> CallAsync<TResponse>(string method, IMessage request)
        where TResponse : IMessage<TResponse>, new()
    {
        var reply = await _registry.InvokeAsync(MilvusGrpcService.ServiceName, method, request.ToByteArray(), Context);
        // Round-trip the reply too, as the wire would.
        var parsed = new MessageParser<TResponse>(() => new TResponse()).ParseFrom(reply.ToByteArray());
        return parsed;
    }

    /// <summary>Calls and asserts a successful Status (direct or the response's status field 1).</summary>
    public async Task<TResponse> OkAsync<TResponse>(string method, IMessage request)
        where TResponse : IMessage<TResponse>, new()
    {
        var reply = await CallAsync<TResponse>(method, request);
        var status = reply as PC.Status ?? (PC.Status?)reply.Descriptor.FindFieldByName("status")?.Accessor.GetValue(reply);
        Assert.True(status is null || status.Code == 0, $"{method} failed: {status}");
        return reply;
    }

    public Task<PC.Status> StatusAsync(string method, IMessage request) => CallAsync<PC.Status>(method, request);
}
