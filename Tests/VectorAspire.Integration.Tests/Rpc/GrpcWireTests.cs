using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using VectorAspire.Core.Rpc;

namespace VectorAspire.Integration.Tests.Rpc;

/// <summary>gRPC over real HTTP/2 on the standalone server's single port, next to REST v2.</summary>
public sealed class GrpcWireTests : IAsyncLifetime
{
    private const string Service = "test.Echo";
    private readonly TaskCompletionSource<string> _marked = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TestServer _server = null!;
    private GrpcClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync();
        var registry = _server.Services.GetRequiredService<GrpcUnaryServer>();
        registry.MapUnary(Service, "Echo", StringValue.Parser, (req, ctx) => ValueTask.FromResult(new StringValue { Value = req.Value + "|" + ctx.Get("x-tag") }));
        registry.MapUnary(Service, "Slow", Int64Value.Parser, async (req, ctx) =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(req.Value), ctx.CancellationToken);
            return new Int64Value { Value = req.Value };
        });
        registry.MapUnary(Service, "Mark", StringValue.Parser, (req, _) =>
        {
            _marked.TrySetResult(req.Value);
            return ValueTask.FromResult(new StringValue { Value = req.Value });
        });
        registry.MapUnary(Service, "Size", BytesValue.Parser, (req, _) => ValueTask.FromResult(new Int64Value { Value = req.Value.Length }));
        _client = new GrpcClient(_server.BaseAddress);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task UnaryCallsRoundTripWithMetadataWhileRestRunsOnTheSamePort()
    {
        var grpc = Enumerable.Range(0, 50).Select(i => _client.CallAsync(Service, "Echo", new StringValue { Value = $"m{i}" }, StringValue.Parser,
            new Dictionary<string, string> { ["x-tag"] = "t" }, TimeSpan.FromSeconds(10)));
        var rest = Enumerable.Range(0, 20).Select(_ => _server.OkAsync("collections/list", new { }));
        var replies = await Task.WhenAll(grpc);
        await Task.WhenAll(rest);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"m{i}|t"), replies.Select(r => r.Value));
    }

    [Fact]
    public async Task AnUnknownMethodIsUnimplemented()
    {
        var ex = await Assert.ThrowsAsync<GrpcCallException>(() => _client.CallAsync(Service, "Nope", new StringValue(), StringValue.Parser));
        Assert.Equal(GrpcStatus.Unimplemented, ex.Status);
    }

    [Fact]
    public async Task TheDeadlineFromGrpcTimeoutIsEnforced()
    {
        var clock = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<GrpcCallException>(() => _client.CallAsync(Service, "Slow", new Int64Value { Value = 10_000 }, Int64Value.Parser, timeout: TimeSpan.FromMilliseconds(200)));
        Assert.Equal(GrpcStatus.DeadlineExceeded, ex.Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task GzipRequestsAndFortyMegabyteMessagesWork()
    {
        var echoed = await _client.CallAsync(Service, "Echo", new StringValue { Value = new string('z', 5000) }, StringValue.Parser, gzip: true);
        Assert.StartsWith("zzzz", echoed.Value);
        var big = new BytesValue { Value = Google.Protobuf.ByteString.CopyFrom(new byte[40 * 1024 * 1024]) };
        var size = await _client.CallAsync(Service, "Size", big, Int64Value.Parser, timeout: TimeSpan.FromSeconds(60));
        Assert.Equal(40 * 1024 * 1024, size.Value);
    }

    [Fact]
    public async Task TheServerAnswersOnTheFirstWholeMessageWithoutWaitingForHalfClose()
    {
        using var handler = new SocketsHttpHandler();
        using var http = new HttpClient(handler) { BaseAddress = _server.BaseAddress, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var release = new TaskCompletionSource();
        var content = new OpenEndedContent(GrpcFraming.Frame(new StringValue { Value = "open" }.ToByteArray()), release.Task);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/{Service}/Mark") { Version = HttpVersion.Version20, Content = content };
        request.Headers.TryAddWithoutValidation("te", "trailers");
        var send = http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var handled = await Task.WhenAny(_marked.Task, Task.Delay(TimeSpan.FromSeconds(10)));
        Assert.True(handled == _marked.Task, "the server did not run the handler before the request stream ended");
        // .NET's HttpClient only completes SendAsync once its own request body is done; grpc-js (the Node SDK) reads the
        // reply as soon as it arrives, which is what the handler having run and flushed guarantees.
        release.SetResult();
        using var response = await send;
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.True(GrpcFraming.TryReadMessage(new System.Buffers.ReadOnlySequence<byte>(bytes), 1 << 20, out var message, out _, out _));
        Assert.Equal("open", StringValue.Parser.ParseFrom(message).Value);
    }

    /// <summary>Writes one frame and then keeps the request stream open until released.</summary>
    private sealed class OpenEndedContent(byte[] frame, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(frame);
            await stream.FlushAsync();
            await release;
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
