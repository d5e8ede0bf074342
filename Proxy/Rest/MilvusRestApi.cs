using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Expressions;

namespace VectorAspire.Proxy.Rest;

/// <summary>Writes a handler's reply: the "data" value and any sibling properties (e.g. "topks").</summary>
public delegate ValueTask RestHandler(RestRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken);

/// <summary>
/// Milvus RESTful API v2: POST /v2/vectordb/{group}/{action}, JSON in whatever Content-Type, reply
/// {"code":0,"data":...} or {"code":N,"message":"..."} with HTTP 200 (Milvus's convention, errors included).
/// </summary>
public sealed partial class MilvusRestApi
{
    /// <summary>Milvus reports errors that carry no Milvus code as 65535.</summary>
    public const int UnexpectedErrorCode = 65535;
    private static readonly JsonDocumentOptions s_jsonOptions = new() { MaxDepth = 128 };
    private readonly Dictionary<string, RestHandler> _handlers = new(StringComparer.Ordinal);
    private readonly ProxyService _proxy;
    private readonly ILogger<MilvusRestApi> _logger;
    private readonly Security.CredentialStore? _credentials;
    private readonly Security.RequestAuthenticator? _authenticator;

    public MilvusRestApi(ProxyService proxy, ILogger<MilvusRestApi> logger, Security.CredentialStore? credentials = null, Security.RequestAuthenticator? authenticator = null)
    {
        _proxy = proxy;
        _logger = logger;
        _credentials = credentials;
        _authenticator = authenticator;
        RegisterCollections();
        RegisterPartitions();
        RegisterIndexes();
        RegisterEntities();
        RegisterAliases();
        RegisterDatabases();
        RegisterUsers();
    }

    public IReadOnlyCollection<string> Endpoints => _handlers.Keys;

    private void On(string path, RestHandler handler) => _handlers.Add(path, handler);

    public async Task HandleAsync(HttpContext http)
    {
        string path = (http.Request.RouteValues["path"] as string ?? "").Trim('/');
        var ct = http.RequestAborted;
        var buffer = new ArrayBufferWriter<byte>(256);
        try
        {
            if (!_handlers.TryGetValue(path, out var handler))
            {
                // Milvus answers unknown paths with a plain-text 404 (not a JSON envelope).
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                http.Response.ContentType = "text/plain; charset=utf-8";
                await http.Response.WriteAsync("404 page not found", ct);
                return;
            }
            if (_authenticator is not null && !await _authenticator.AuthenticateRestAsync(http.Request.Headers.Authorization.ToString(), ct))
            {
                // Milvus answers a missing or wrong credential with 401 and code 1800 before reading the request.
                http.Response.StatusCode = StatusCodes.Status401Unauthorized;
                http.Response.ContentType = "application/json";
                await http.Response.WriteAsync("{\"code\":1800,\"message\":\"user hasn't authenticated: auth check failure, please check username and password are correct\"}", ct);
                return;
            }
            var body = await ReadBodyAsync(http, ct);
            using var doc = body.Length == 0 ? JsonDocument.Parse("{}") : ParseJson(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new MilvusException(ErrorCodes.ParameterInvalid, "the request body must be a JSON object");
            await using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteNumber("code", 0);
                await handler(new RestRequest(doc.RootElement), writer, ct);
                writer.WriteEndObject();
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            buffer.Clear();
            var (code, message) = Describe(ex);
            if (code == UnexpectedErrorCode)
                LogInternalError(ex, path);
            await using var writer = new Utf8JsonWriter(buffer);
            writer.WriteStartObject();
            writer.WriteNumber("code", code);
            writer.WriteString("message", message);
            writer.WriteEndObject();
        }
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = buffer.WrittenCount;
        await http.Response.Body.WriteAsync(buffer.WrittenMemory, ct);
    }

    private static JsonDocument ParseJson(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonDocument.Parse(body, s_jsonOptions);
        }
        catch (JsonException ex)
        {
            throw new MilvusException(ErrorCodes.ParameterInvalid, $"the request body is not valid JSON: {ex.Message}", ex);
        }
    }

    private async ValueTask<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext http, CancellationToken ct)
    {
        long limit = _proxy.Options.MaxRequestBytes;
        if (http.Request.ContentLength is long declared && declared > limit)
            throw TooLarge(declared, limit);
        var stream = http.Request.Body;
        var initial = http.Request.ContentLength is long len ? (int)len : 16 * 1024;
        var data = new byte[Math.Max(16, initial)];
        int total = 0;
        while (true)
        {
            if (total == data.Length)
            {
                if (data.Length > limit)
                    throw TooLarge(total, limit);
                Array.Resize(ref data, (int)Math.Min(limit + 1, (long)data.Length * 2));
            }
            int n = await stream.ReadAsync(data.AsMemory(total), ct);
            if (n == 0)
                break;
            total += n;
            if (total > limit)
                throw TooLarge(total, limit);
        }
        return data.AsMemory(0, total);
    }

    private static MilvusException TooLarge(long size, long limit)
        => new(ErrorCodes.ParameterTooLarge, $"request body of {size} bytes exceeds the limit of {limit} bytes; split the request into smaller batches");

    internal static (int Code, string Message) Describe(Exception ex) => ex switch
    {
        MilvusException m => (m.Code, m.Message),
        FilterSyntaxException f => (ErrorCodes.ParameterInvalid, $"failed to parse filter: {f.Message}"),
        FilterBindException f => (ErrorCodes.ParameterInvalid, $"invalid filter: {f.Message}"),
        JsonException j => (ErrorCodes.ParameterInvalid, $"invalid JSON value: {j.Message}"),
        FormatException or InvalidOperationException or ArgumentException when ex.Source is "System.Text.Json"
            => (ErrorCodes.ParameterInvalid, $"invalid parameter: {ex.Message}"),
        _ => (UnexpectedErrorCode, $"internal error: {ex.Message}"),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "REST call {Path} failed with an internal error")]
    private partial void LogInternalError(Exception ex, string path);
}

public static class MilvusRestApiExtensions
{
    public static IServiceCollection AddProxy(this IServiceCollection services)
    {
        services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.Section);
        services.AddSingleton<ProxyService>();
        services.AddOptions<Security.SecurityOptions>().BindConfiguration(Security.SecurityOptions.Section);
        services.AddSingleton<Security.CredentialStore>();
        services.AddSingleton<Security.RequestAuthenticator>();
        services.AddHostedService<Security.CredentialStartup>();
        services.AddSingleton<MilvusRestApi>();
        services.AddSingleton<Grpc.MilvusGrpcService>();
        return services;
    }

    /// <summary>Maps POST /v2/vectordb/{**path} to the REST v2 handlers.</summary>
    public static IEndpointRouteBuilder MapMilvusRestApi(this IEndpointRouteBuilder app)
    {
        var api = app.ServiceProvider.GetRequiredService<MilvusRestApi>();
        app.MapPost("/v2/vectordb/{**path}", api.HandleAsync);
        return app;
    }
}
