using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using VectorAspire.ServiceDefaults;

namespace VectorAspire.Hosting.Tests;

public sealed class OtlpExportTests
{
    [Fact]
    public async Task Span_from_a_VectorAspire_source_reaches_an_http_protobuf_collector()
    {
        await using var collector = await FakeCollector.StartAsync();
        var builder = TestWebApps.CreateBuilder(
        [
            new(OtlpSettings.EndpointKey, collector.BaseAddress.ToString()),
            new(OtlpSettings.ProtocolKey, "http/protobuf"),
            new(OtlpSettings.ServiceNameKey, "otlp-test-service"),
        ]);
        builder.AddServiceDefaults();
        await using var app = builder.Build();
        var tracerProvider = app.Services.GetRequiredService<TracerProvider>();

        using (var source = new ActivitySource("VectorAspire.Test"))
        using (var activity = source.StartActivity("vectoraspire.test.operation"))
        {
            Assert.NotNull(activity);
        }

        Assert.True(tracerProvider.ForceFlush(10_000));
        var body = await collector.WaitForTraceAsync("vectoraspire.test.operation", TestTimeout.Token());
        Assert.Contains("otlp-test-service", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_and_logs_reach_the_collector()
    {
        await using var collector = await FakeCollector.StartAsync();
        var builder = TestWebApps.CreateBuilder(
        [
            new(OtlpSettings.EndpointKey, collector.BaseAddress.ToString()),
            new(OtlpSettings.ProtocolKey, "http/protobuf"),
        ]);
        builder.AddServiceDefaults();
        var app = builder.Build();
        await using (app)
        {
            // The provider listens from its creation (host start in a real process); measurements before are lost.
            var meterProvider = app.Services.GetRequiredService<MeterProvider>();
            using var meter = new Meter("VectorAspire.Test");
            var counter = meter.CreateCounter<long>("vectoraspire.test.requests");
            counter.Add(3);
            Assert.True(meterProvider.ForceFlush(10_000));

            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("VectorAspire.Test")
                .LogWarning("segment {SegmentId} sealed", 42);
        }

        // Disposing the app disposes the logger provider, which exports what its batch still holds.
        await collector.WaitForAsync(collector.MetricBodies, "vectoraspire.test.requests", TestTimeout.Token());
        await collector.WaitForAsync(collector.LogBodies, "segment 42 sealed", TestTimeout.Token());
    }

    [Fact]
    public async Task Server_spans_are_exported_but_health_probe_spans_are_dropped()
    {
        await using var collector = await FakeCollector.StartAsync();
        var builder = TestWebApps.CreateBuilder(
        [
            new(OtlpSettings.EndpointKey, collector.BaseAddress.ToString()),
            new(OtlpSettings.ProtocolKey, "http/protobuf"),
        ]);
        builder.AddServiceDefaults();
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapGet("/work-item", static () => "done");
        await app.StartAsync(TestTimeout.Token());
        using var http = new HttpClient { BaseAddress = TestWebApps.BaseAddress(app) };
        var tracerProvider = app.Services.GetRequiredService<TracerProvider>();

        (await http.GetAsync("/health", TestTimeout.Token())).EnsureSuccessStatusCode();
        (await http.GetAsync("/alive", TestTimeout.Token())).EnsureSuccessStatusCode();
        (await http.GetAsync("/work-item", TestTimeout.Token())).EnsureSuccessStatusCode();

        // The server span ends just after the response is sent: flush until it has arrived.
        var deadline = Stopwatch.StartNew();
        while (!collector.TraceBodies.Any(b => b.Contains("/work-item", StringComparison.Ordinal)))
        {
            Assert.True(
                deadline.Elapsed < TimeSpan.FromSeconds(20),
                $"the /work-item server span never arrived; got {collector.TraceBodies.Count} exports: " +
                string.Join(" | ", collector.TraceBodies.Select(Printable)));
            tracerProvider.ForceFlush(5_000);
            await Task.Delay(50, TestTimeout.Token());
        }

        Assert.DoesNotContain(collector.TraceBodies, b => b.Contains("/health", StringComparison.Ordinal));
        Assert.DoesNotContain(collector.TraceBodies, b => b.Contains("/alive", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://collector:4318", OtlpSignal.Traces, "http://collector:4318/v1/traces")]
    [InlineData("http://collector:4318/", OtlpSignal.Metrics, "http://collector:4318/v1/metrics")]
    [InlineData("http://collector:4318/otlp", OtlpSignal.Logs, "http://collector:4318/otlp/v1/logs")]
    public void Http_protobuf_appends_the_signal_path_to_the_endpoint(string endpoint, OtlpSignal signal, string expected)
    {
        var settings = new OtlpSettings(new Uri(endpoint), OtlpExportProtocol.HttpProtobuf, "svc");
        Assert.Equal(new Uri(expected), settings.GetSignalEndpoint(signal));
    }

    [Fact]
    public void Grpc_is_the_default_protocol_and_uses_the_endpoint_as_is()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new(OtlpSettings.EndpointKey, "http://collector:4317")])
            .Build();
        var settings = OtlpSettings.FromConfiguration(configuration, "app-name");

        Assert.NotNull(settings);
        Assert.Equal(OtlpExportProtocol.Grpc, settings.Protocol);
        Assert.Equal("app-name", settings.ServiceName);
        Assert.Equal(new Uri("http://collector:4317"), settings.GetSignalEndpoint(OtlpSignal.Traces));
    }

    [Fact]
    public void Unknown_protocol_is_rejected_with_the_supported_values()
    {
        var error = Assert.Throws<InvalidOperationException>(() => OtlpSettings.ParseProtocol("http/json"));
        Assert.Contains("http/protobuf", error.Message, StringComparison.Ordinal);
    }

    private static string Printable(string body) =>
        new(body.Select(c => char.IsControl(c) ? '.' : c).ToArray());

    /// <summary>An OTLP/HTTP receiver that keeps each trace export body (protobuf strings are plain UTF-8 bytes).</summary>
    private sealed class FakeCollector : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<string> _traceBodies = new();
        private readonly ConcurrentQueue<string> _metricBodies = new();
        private readonly ConcurrentQueue<string> _logBodies = new();
        private readonly SemaphoreSlim _received = new(0);

        private FakeCollector(WebApplication app)
        {
            _app = app;
        }

        public Uri BaseAddress => TestWebApps.BaseAddress(_app);

        public IReadOnlyCollection<string> TraceBodies => _traceBodies;

        public IReadOnlyCollection<string> MetricBodies => _metricBodies;

        public IReadOnlyCollection<string> LogBodies => _logBodies;

        public static async Task<FakeCollector> StartAsync()
        {
            var app = TestWebApps.CreateBuilder().Build();
            var collector = new FakeCollector(app);

            // The collector shares the process (and so the ActivitySource listeners) with the app under test: its
            // own server spans must not be exported, or each export would trigger the next one.
            app.Use(static (context, next) =>
            {
                if (Activity.Current is { } activity)
                {
                    activity.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
                }

                return next(context);
            });
            app.MapPost("/v1/traces", (HttpRequest request) => collector.ReceiveAsync(request, collector._traceBodies));
            app.MapPost("/v1/metrics", (HttpRequest request) => collector.ReceiveAsync(request, collector._metricBodies));
            app.MapPost("/v1/logs", (HttpRequest request) => collector.ReceiveAsync(request, collector._logBodies));
            await app.StartAsync(TestTimeout.Token());
            return collector;
        }

        public Task<string> WaitForTraceAsync(string text, CancellationToken cancellationToken) =>
            WaitForAsync(_traceBodies, text, cancellationToken);

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

        private async Task<IResult> ReceiveAsync(HttpRequest request, ConcurrentQueue<string> bodies)
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer);
            bodies.Enqueue(Encoding.UTF8.GetString(buffer.ToArray()));
            _received.Release();
            return Results.Ok();
        }
    }
}
