using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VectorAspire.Core.Rpc;
using VectorAspire.Gateway;

namespace VectorAspire.Hosting.Tests;

/// <summary>The gateway in process, in front of two fake Proxies that serve REST and h2c on one demuxed port as a Proxy does.</summary>
public sealed class GatewayTests : IAsyncLifetime
{
    private const double ProbeIntervalSeconds = 1;
    private const string GrpcMethod = "/test.Who/Am";

    private FakeProxy? _a;
    private FakeProxy? _b;
    private WebApplication? _gateway;
    private HttpClient? _http;

    public async Task InitializeAsync()
    {
        _a = await FakeProxy.StartAsync("a");
        _b = await FakeProxy.StartAsync("b");
        var builder = GatewayHost.CreateBuilder(
        [
            "--VectorAspire:Port=0",
            $"--VectorAspire:Gateway:Destinations:a={_a.Address}",
            $"--VectorAspire:Gateway:Destinations:b={_b.Address}",
            "--VectorAspire:Gateway:HealthCheckIntervalSeconds=" + ProbeIntervalSeconds.ToString(CultureInfo.InvariantCulture),
            "--VectorAspire:Gateway:HealthCheckTimeoutSeconds=1",
        ]);
        builder.Logging.ClearProviders();
        _gateway = builder.BuildGateway();
        await _gateway.StartAsync(TestTimeout.Token());
        _http = new HttpClient { BaseAddress = _gateway.Services.GetRequiredService<GatewayListener>().Address };
    }

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_gateway is not null)
        {
            // Stop before dispose: Kestrel's Dispose unbinds with a cancelled token, which the demux listener rejects.
            await _gateway.StopAsync(TestTimeout.Token());
            await _gateway.DisposeAsync();
        }
        if (_a is not null)
            await _a.DisposeAsync();
        if (_b is not null)
            await _b.DisposeAsync();
    }

    [Fact]
    public async Task Rest_and_grpc_calls_alternate_between_the_proxies_each_over_its_own_protocol()
    {
        var rest = new List<string>();
        var grpc = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            rest.Add(await RestAsync());
            grpc.Add(await GrpcAsync());
        }

        Assert.Equal(3, rest.Count(static r => r == "a HTTP/1.1"));
        Assert.Equal(3, rest.Count(static r => r == "b HTTP/1.1"));
        Assert.Equal(3, grpc.Count(static r => r == "a HTTP/2"));
        Assert.Equal(3, grpc.Count(static r => r == "b HTTP/2"));
        for (int i = 1; i < rest.Count; i++)
            Assert.NotEqual(rest[i - 1], rest[i]);
        Assert.Equal("Healthy", await _http!.GetStringAsync(new Uri("/health", UriKind.Relative), TestTimeout.Token()));
    }

    [Fact]
    public async Task After_a_proxy_stops_every_call_goes_to_the_survivor_within_two_probe_intervals()
    {
        var before = new[] { await RestAsync(), await RestAsync() };
        Assert.Contains("a HTTP/1.1", before);
        await _a!.DisposeAsync();
        _a = null;
        var stopped = System.Diagnostics.Stopwatch.StartNew();

        // Two failed probes mark it unhealthy (plus one probe timeout and slack for a loaded machine).
        var deadline = TimeSpan.FromSeconds(2 * ProbeIntervalSeconds + 1 + 5);
        int survivorInARow = 0;
        while (survivorInARow < 10)
        {
            Assert.True(stopped.Elapsed < deadline, $"calls still reached the stopped proxy {stopped.Elapsed.TotalSeconds:F1} s after it stopped");
            // REST and gRPC are separate YARP clusters with their own health state: both must have moved over.
            bool survivor = await TryRestAsync() == "b HTTP/1.1" && await TryGrpcAsync() == "b HTTP/2";
            survivorInARow = survivor ? survivorInARow + 1 : 0;
        }

        Console.WriteLine($"only the survivor answered {stopped.ElapsedMilliseconds} ms after the other stopped");
        Assert.Equal("b HTTP/2", await GrpcAsync());
        Assert.Equal("Healthy", await _http!.GetStringAsync(new Uri("/health", UriKind.Relative), TestTimeout.Token()));
    }

    private async Task<string> RestAsync() =>
        await TryRestAsync() ?? throw new Xunit.Sdk.XunitException("a REST call through the gateway failed");

    /// <summary>Which fake answered and over which protocol, or null when the gateway could not reach one.</summary>
    private async Task<string?> TryRestAsync()
    {
        using var content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await _http!.PostAsync(new Uri("/v2/vectordb/collections/list", UriKind.Relative), content, TestTimeout.Token());
        if (response.StatusCode != HttpStatusCode.OK)
            return null;
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestTimeout.Token()));
        return json.RootElement.GetProperty("data")[0].GetString();
    }

    private async Task<string> GrpcAsync() =>
        await TryGrpcAsync(assert: true) ?? throw new Xunit.Sdk.XunitException("a gRPC call through the gateway failed");

    /// <summary>Which fake answered a gRPC call, or null when the gateway could not reach one (unless asserting).</summary>
    private async Task<string?> TryGrpcAsync(bool assert = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, GrpcMethod)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(new byte[5]),
        };
        request.Content.Headers.ContentType = new("application/grpc");
        request.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = await _http!.SendAsync(request, TestTimeout.Token());
        if (!assert && response.StatusCode != HttpStatusCode.OK)
            return null;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync(TestTimeout.Token());
        Assert.Equal("0", response.TrailingHeaders.GetValues("grpc-status").Single());
        return Encoding.UTF8.GetString(body.AsSpan(5));
    }

    /// <summary>
    /// A stand-in Proxy: REST (<c>collections/list</c> answers with its name and the protocol it saw), a gRPC-framed
    /// method, and <c>/health</c>, on one port through the same demux transport a Proxy uses.
    /// </summary>
    private sealed class FakeProxy : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private FakeProxy(WebApplication app, Uri address)
        {
            _app = app;
            Address = address;
        }

        public Uri Address { get; }

        public static async Task<FakeProxy> StartAsync(string name)
        {
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "fake-proxy-" + name });
            builder.WebHost.UseKestrelCore();
            builder.Services.AddRouting();
            builder.Services.AddGrpcDemuxTransport();
            DemuxGroup? group = null;
            builder.WebHost.ConfigureKestrel(k => group = k.ListenRestAndGrpc(new IPEndPoint(IPAddress.Loopback, 0)));
            var app = builder.Build();
            app.MapGet("/health", static () => "Healthy");
            app.MapPost("/v2/vectordb/collections/list", (HttpContext context) =>
                Results.Json(new { code = 0, data = new[] { $"{name} {context.Request.Protocol}" } }));
            app.MapPost(GrpcMethod, async (HttpContext context) =>
            {
                var text = Encoding.UTF8.GetBytes($"{name} {context.Request.Protocol}");
                var frame = new byte[5 + text.Length];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)text.Length);
                text.CopyTo(frame, 5);
                context.Response.ContentType = "application/grpc";
                context.Response.AppendTrailer("grpc-status", "0");
                await context.Response.Body.WriteAsync(frame, context.RequestAborted);
            });
            await app.StartAsync(TestTimeout.Token());
            var bound = (IPEndPoint)group!.BoundEndPoint!;
            return new FakeProxy(app, new Uri($"http://127.0.0.1:{bound.Port}"));
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync(TestTimeout.Token());
            await _app.DisposeAsync();
        }
    }
}
