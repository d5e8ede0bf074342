using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace VectorAspire.Hosting.Tests;

/// <summary>
/// An OTLP receiver keeping each export body (protobuf strings are plain UTF-8 bytes, so a body can be searched
/// as text). "grpc" serves the collector services over h2c, as Aspire's dashboard does; "http/protobuf" the
/// /v1/{signal} paths over HTTP/1.1.
/// </summary>
internal sealed class FakeOtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string _protocol;
    private readonly ConcurrentQueue<string> _traces = new();
    private readonly ConcurrentQueue<string> _metrics = new();
    private readonly ConcurrentQueue<string> _logs = new();
    private readonly SemaphoreSlim _received = new(0);

    private FakeOtlpReceiver(WebApplication app, string protocol)
    {
        _app = app;
        _protocol = protocol;
    }

    public Uri Endpoint => TestWebApps.BaseAddress(_app);

    public IReadOnlyCollection<string> Traces => _traces;

    public IReadOnlyCollection<string> Metrics => _metrics;

    public IReadOnlyCollection<string> Logs => _logs;

    public static async Task<FakeOtlpReceiver> StartAsync(string protocol)
    {
        var builder = TestWebApps.CreateBuilder();
        var grpc = protocol == "grpc";
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(
            listen => listen.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        var app = builder.Build();
        var receiver = new FakeOtlpReceiver(app, protocol);

        // The receiver shares the process (and so the ActivitySource listeners) with the app under test: its
        // own server spans must not be exported, or each export would trigger the next one.
        app.Use(static (context, next) =>
        {
            if (Activity.Current is { } activity)
            {
                activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
            }

            return next(context);
        });
        if (grpc)
        {
            app.MapPost("/opentelemetry.proto.collector.trace.v1.TraceService/Export", c => receiver.ReceiveGrpcAsync(c, receiver._traces));
            app.MapPost("/opentelemetry.proto.collector.metrics.v1.MetricsService/Export", c => receiver.ReceiveGrpcAsync(c, receiver._metrics));
            app.MapPost("/opentelemetry.proto.collector.logs.v1.LogsService/Export", c => receiver.ReceiveGrpcAsync(c, receiver._logs));
        }
        else
        {
            app.MapPost("/v1/traces", c => receiver.ReceiveHttpAsync(c, receiver._traces));
            app.MapPost("/v1/metrics", c => receiver.ReceiveHttpAsync(c, receiver._metrics));
            app.MapPost("/v1/logs", c => receiver.ReceiveHttpAsync(c, receiver._logs));
        }

        await app.StartAsync(TestTimeout.Token());
        return receiver;
    }

    /// <summary>The configuration Aspire gives a resource, pointing at this receiver.</summary>
    public KeyValuePair<string, string?>[] Settings(string serviceName) =>
    [
        new("OTEL_EXPORTER_OTLP_ENDPOINT", Endpoint.ToString()),
        new("OTEL_EXPORTER_OTLP_PROTOCOL", _protocol),
        new("OTEL_SERVICE_NAME", serviceName),
    ];

    public async Task<string> WaitForAsync(
        IReadOnlyCollection<string> bodies, string text, CancellationToken cancellationToken)
    {
        while (true)
        {
            var match = bodies.FirstOrDefault(body => body.Contains(text, StringComparison.Ordinal));
            if (match is not null)
            {
                return match;
            }

            await _received.WaitAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _received.Dispose();
    }

    private async Task ReceiveHttpAsync(HttpContext context, ConcurrentQueue<string> bodies)
    {
        Keep(await ReadBodyAsync(context.Request), bodies);
        context.Response.ContentType = "application/x-protobuf";
    }

    private async Task ReceiveGrpcAsync(HttpContext context, ConcurrentQueue<string> bodies)
    {
        Keep(await ReadBodyAsync(context.Request), bodies);

        // An empty Export*ServiceResponse: one frame (uncompressed, length 0), then grpc-status 0 in the trailers.
        context.Response.ContentType = "application/grpc";
        var frame = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), 0);
        await context.Response.Body.WriteAsync(frame);
        context.Response.AppendTrailer("grpc-status", "0");
    }

    private void Keep(byte[] body, ConcurrentQueue<string> bodies)
    {
        bodies.Enqueue(Encoding.UTF8.GetString(body));
        _received.Release();
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
