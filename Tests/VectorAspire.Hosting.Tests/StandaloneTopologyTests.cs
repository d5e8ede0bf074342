using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Google.Protobuf;
using VectorAspire.Protos.Milvus;

namespace VectorAspire.Hosting.Tests;

/// <summary>The real AppHost (Aspire + DCP) running the built Standalone project on a free port.</summary>
[Collection(nameof(AppHostCollection))]
public sealed class StandaloneTopologyTests : IAsyncLifetime
{
    // Generous: the machine is shared with concurrent builds; DCP plus a cold server start take several seconds.
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromMinutes(3);

    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("vectoraspire-apphost-").FullName;
    private readonly int _port = FreePort();
    private DistributedApplication? _app;
    private DcpProcesses? _dcp;
    private FakeOtlpReceiver? _otlp;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(s_startTimeout);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.VectorAspire_AppHost>(
            ["--port", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", _dataDirectory],
            timeout.Token);

        // Where Aspire points every resource's OTLP exporter (the dashboard's receiver when it runs).
        _otlp = await FakeOtlpReceiver.StartAsync("grpc");
        builder.Configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = _otlp.Endpoint.ToString();
        _app = await builder.BuildAsync(timeout.Token);
        var started = Stopwatch.StartNew();
        await _app.StartAsync(timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("standalone", timeout.Token);
        Console.WriteLine($"standalone healthy {started.ElapsedMilliseconds} ms after StartAsync");
        _dcp = DcpProcesses.Capture();
        Assert.True(_dcp.Count >= 2, $"expected DCP's api server and controllers below this process; found {_dcp.Count}");
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        if (_otlp is not null)
        {
            await _otlp.DisposeAsync();
        }

        if (_dcp is not null)
        {
            var (killed, waited) = await _dcp.StopAsync(TimeSpan.FromSeconds(60));
            Console.WriteLine($"{_dcp.Count} DCP processes exited {waited.TotalMilliseconds:F0} ms after dispose; {killed} killed");
            Assert.True(killed == 0, $"{killed} DCP process(es) outlived the app by 60 s and were killed");
        }
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    [Fact]
    public async Task Standalone_resource_is_healthy_on_the_configured_port_and_serves_rest_and_grpc()
    {
        var endpoint = _app!.GetEndpoint("standalone", "http");
        Assert.Equal(_port, endpoint.Port);
        using var http = new HttpClient { BaseAddress = endpoint };

        var rest = new RestClient(http);
        await rest.OkAsync("/v2/vectordb/collections/create", new { collectionName = "docs", dimension = 4, metricType = "L2" });
        var insert = await rest.OkAsync("/v2/vectordb/entities/insert", new
        {
            collectionName = "docs",
            data = new object[]
            {
                new { id = 1, vector = new[] { 0.1f, 0.2f, 0.3f, 0.4f } },
                new { id = 2, vector = new[] { 0.9f, 0.8f, 0.7f, 0.6f } },
            },
        });
        Assert.Equal(2, insert.GetProperty("data").GetProperty("insertCount").GetInt32());
        var search = await rest.OkAsync("/v2/vectordb/entities/search", new
        {
            collectionName = "docs",
            data = new[] { new[] { 0.9f, 0.8f, 0.7f, 0.6f } },
            limit = 1,
        });
        Assert.Equal(2, search.GetProperty("data")[0].GetProperty("id").GetInt64());

        // gRPC (h2c, prior knowledge) on the same port: the server tells the protocols apart by the first bytes.
        var databases = await GrpcUnaryAsync(
            http, "/milvus.proto.milvus.MilvusService/ListDatabases", new ListDatabasesRequest(), ListDatabasesResponse.Parser);
        Assert.Contains("default", databases.DbNames);

        using var alive = await http.GetAsync("/alive", TestTimeout.Token());
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.True(File.Exists(Path.Combine(_dataDirectory, "meta", "meta.db")), "the server did not use the --data-dir given to the AppHost");

        // The server's own spans and metrics reach the OTLP endpoint Aspire gave it (1 s export intervals).
        using var exported = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var trace = await _otlp!.WaitForAsync(_otlp.Traces, "/v2/vectordb/entities/search", exported.Token);
        Assert.Contains("standalone", trace, StringComparison.Ordinal);
        await _otlp.WaitForAsync(_otlp.Traces, "/milvus.proto.milvus.MilvusService/ListDatabases", exported.Token);
        await _otlp.WaitForAsync(_otlp.Metrics, "http.server.request.duration", exported.Token);
        Assert.DoesNotContain(_otlp.Traces, body => body.Contains("/health", StringComparison.Ordinal));
    }

    private static async Task<TResponse> GrpcUnaryAsync<TResponse>(
        HttpClient http, string method, IMessage request, MessageParser<TResponse> parser)
        where TResponse : IMessage<TResponse>
    {
        var body = request.ToByteArray();
        var frame = new byte[5 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)body.Length);
        body.CopyTo(frame, 5);
        using var message = new HttpRequestMessage(HttpMethod.Post, method)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        message.Content.Headers.ContentType = new("application/grpc");
        message.Headers.TryAddWithoutValidation("te", "trailers");
        using var response = await http.SendAsync(message, TestTimeout.Token());
        var bytes = await response.Content.ReadAsByteArrayAsync(TestTimeout.Token());

        // A trailers-only error carries grpc-status in the headers; a reply carries it in the trailers.
        var status = response.TrailingHeaders.TryGetValues("grpc-status", out var trailer) ? trailer.First()
            : response.Headers.TryGetValues("grpc-status", out var header) ? header.First() : "(none)";
        Assert.True(status == "0", $"{method}: HTTP {(int)response.StatusCode} {response.Version}, grpc-status {status}");
        var length = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(1));
        return parser.ParseFrom(bytes.AsSpan(5, length));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class RestClient(HttpClient http)
    {
        public async Task<JsonElement> OkAsync(string path, object body)
        {
            using var response = await http.PostAsJsonAsync(path, body, TestTimeout.Token());
            var json = await response.Content.ReadFromJsonAsync<JsonElement>(TestTimeout.Token());
            Assert.True(
                response.IsSuccessStatusCode && json.GetProperty("code").GetInt32() == 0,
                $"POST {path}: HTTP {(int)response.StatusCode} {json}");
            return json;
        }
    }
}

/// <summary>Tests that start an AppHost (DCP, server processes) or listen to every span in the process run one at a time.</summary>
[CollectionDefinition(nameof(AppHostCollection), DisableParallelization = true)]
public sealed class AppHostCollection;
