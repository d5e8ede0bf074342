using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VectorAspire.Standalone;

namespace VectorAspire.Integration.Tests;

/// <summary>A real standalone server in-process on 127.0.0.1:0 over a data directory, plus a REST v2 client.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http;

    private TestServer(WebApplication app, HttpClient http, string dataDir)
    {
        _app = app;
        _http = http;
        DataDir = dataDir;
    }

    public string DataDir { get; }

    public Uri BaseAddress => _http.BaseAddress!;

    public IServiceProvider Services => _app.Services;

    public const string GrpcTransport = StandaloneOptions.GrpcTransport;

    /// <summary>Environment variable that switches every test server to another internal transport (e.g. "grpc").</summary>
    public const string TransportVariable = "VECTORASPIRE_TEST_INTERNAL_TRANSPORT";

    /// <param name="internalTransport">How the roles call each other: null = in process (or <see cref="TransportVariable"/>), "grpc" = loopback cluster.</param>
    public static async Task<TestServer> StartAsync(string? dataDir = null, IDictionary<string, string?>? settings = null, string? internalTransport = null)
    {
        dataDir ??= TempDir.Create();
        var args = new List<string> { "--port", "0", "--host", "127.0.0.1", "--data-dir", dataDir };
        internalTransport ??= Environment.GetEnvironmentVariable(TransportVariable);
        if (!string.IsNullOrEmpty(internalTransport))
            args.Add($"--VectorAspire:InternalTransport={internalTransport}");
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
            args.Add($"--{k}={v}");
        var app = StandaloneServer.Build([.. args], b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var http = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
        return new TestServer(app, http, dataDir);
    }

    /// <summary>POSTs a REST v2 call and returns the whole reply ({code, message?, data?}).</summary>
    public async Task<JsonObject> CallAsync(string path, object body)
    {
        string json = body is string s ? s : JsonSerializer.Serialize(body);
        using var content = new StringContent(json, Encoding.UTF8);
        // The official Node SDK sends text/plain: the server must parse JSON whatever the Content-Type.
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        using var response = await _http.PostAsync($"/v2/vectordb/{path}", content);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"HTTP {(int)response.StatusCode} for {path}: {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>Calls and asserts success; returns "data".</summary>
    public async Task<JsonNode?> OkAsync(string path, object body)
    {
        var reply = await CallAsync(path, body);
        Assert.True(reply["code"]!.GetValue<int>() == 0, $"{path} failed: {reply.ToJsonString()}");
        return reply["data"];
    }

    /// <summary>Calls and asserts a Milvus error; returns (code, message).</summary>
    public async Task<(int Code, string Message)> FailAsync(string path, object body)
    {
        var reply = await CallAsync(path, body);
        int code = reply["code"]!.GetValue<int>();
        Assert.True(code != 0, $"{path} was expected to fail: {reply.ToJsonString()}");
        return (code, reply["message"]?.GetValue<string>() ?? "");
    }

    public Task<HttpResponseMessage> RawPostAsync(string path, HttpContent content) => _http.PostAsync(path, content);

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>
/// Base of test classes that start servers: a derived class overriding <see cref="InternalTransport"/> reruns every
/// test of the class with another role-to-role transport (see OverGrpcTests.cs).
/// </summary>
public abstract class ServerTests
{
    protected virtual string? InternalTransport => null;

    protected Task<TestServer> StartServerAsync(string? dataDir = null, IDictionary<string, string?>? settings = null)
        => TestServer.StartAsync(dataDir, settings, InternalTransport);
}

public static class TempDir
{
    public static string Create()
    {
        string dir = Path.Combine(Path.GetTempPath(), "vectoraspire-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}

public static class Vectors
{
    public static float[] Random(Random rng, int dim)
    {
        var v = new float[dim];
        for (int i = 0; i < dim; i++)
            v[i] = (float)(rng.NextDouble() * 2 - 1);
        return v;
    }
}
