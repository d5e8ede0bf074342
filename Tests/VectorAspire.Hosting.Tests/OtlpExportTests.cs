using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using VectorAspire.ServiceDefaults;

namespace VectorAspire.Hosting.Tests;

/// <summary>
/// AddServiceDefaults' OTLP export against a fake receiver, over both OTLP transports. ActivitySource listeners are
/// process-wide, so these run apart from the AppHost tests, whose HTTP traffic they would otherwise record.
/// </summary>
[Collection(nameof(AppHostCollection))]
public sealed class OtlpExportTests
{
    [Theory]
    [InlineData("grpc")]
    [InlineData("http/protobuf")]
    public async Task Span_from_a_VectorAspire_source_reaches_the_receiver(string protocol)
    {
        await using var receiver = await FakeOtlpReceiver.StartAsync(protocol);
        var builder = TestWebApps.CreateBuilder(receiver.Settings("otlp-test-service"));
        builder.AddServiceDefaults();
        await using var app = builder.Build();
        await app.StartAsync(TestTimeout.Token());
        var tracerProvider = app.Services.GetRequiredService<TracerProvider>();

        using (var source = new ActivitySource("VectorAspire.Test"))
        using (var activity = source.StartActivity("vectoraspire.test.operation"))
        {
            Assert.NotNull(activity);
        }

        Assert.True(tracerProvider.ForceFlush(10_000));
        var body = await receiver.WaitForAsync(receiver.Traces, "vectoraspire.test.operation", TestTimeout.Token());
        Assert.Contains("otlp-test-service", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_and_logs_reach_the_receiver()
    {
        await using var receiver = await FakeOtlpReceiver.StartAsync("grpc");
        var builder = TestWebApps.CreateBuilder(receiver.Settings("otlp-test-service"));
        builder.AddServiceDefaults();
        var app = builder.Build();
        await using (app)
        {
            await app.StartAsync(TestTimeout.Token());
            var meterProvider = app.Services.GetRequiredService<MeterProvider>();
            using var meter = new Meter("VectorAspire.Test");
            var counter = meter.CreateCounter<long>("vectoraspire.test.requests");
            counter.Add(3);
            Assert.True(meterProvider.ForceFlush(10_000));

            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("VectorAspire.Test")
                .LogWarning("segment {SegmentId} sealed", 42);
            await app.StopAsync(TestTimeout.Token());
        }

        // Disposing the app disposes the logger provider, which exports what its batch still holds.
        await receiver.WaitForAsync(receiver.Metrics, "vectoraspire.test.requests", TestTimeout.Token());
        await receiver.WaitForAsync(receiver.Logs, "segment 42 sealed", TestTimeout.Token());
    }

    [Fact]
    public async Task Server_spans_are_exported_but_health_probe_spans_are_dropped()
    {
        await using var receiver = await FakeOtlpReceiver.StartAsync("http/protobuf");
        var builder = TestWebApps.CreateBuilder(receiver.Settings("otlp-test-service"));
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
        while (!receiver.Traces.Any(b => b.Contains("/work-item", StringComparison.Ordinal)))
        {
            Assert.True(
                deadline.Elapsed < TimeSpan.FromSeconds(20),
                $"the /work-item server span never arrived; got {receiver.Traces.Count} exports");
            tracerProvider.ForceFlush(5_000);
            await Task.Delay(50, TestTimeout.Token());
        }

        Assert.DoesNotContain(receiver.Traces, b => b.Contains("/health", StringComparison.Ordinal));
        Assert.DoesNotContain(receiver.Traces, b => b.Contains("/alive", StringComparison.Ordinal));
    }
}
