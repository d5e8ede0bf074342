using System.Buffers;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace VectorAspire.Core.Rpc;

public sealed class GrpcServerOptions
{
    /// <summary>Largest request message (inserts can be big; Milvus's own REST limit is 64 MB).</summary>
    public long MaxMessageBytes { get; set; } = 256L * 1024 * 1024;
}

/// <summary>
/// Unary gRPC over Kestrel HTTP/2 without Grpc.AspNetCore: POST /{service}/{method}, one length-prefixed request
/// message, one response message, status in trailers. The reply goes out as soon as one whole request message has
/// arrived — clients (the Node SDK's retries) may never half-close the request stream.
/// </summary>
public sealed partial class GrpcUnaryServer(GrpcServerOptions options, ILogger<GrpcUnaryServer> logger) : IGrpcMethodRegistry
{
    private delegate ValueTask<IMessage> Invoker(ReadOnlySequence<byte> request, GrpcCallContext context);

    private readonly Dictionary<string, Invoker> _methods = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Methods => _methods.Keys;

    public void MapUnary<TRequest, TResponse>(string service, string method, MessageParser<TRequest> parser,
        Func<TRequest, GrpcCallContext, ValueTask<TResponse>> handler)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        _methods[$"{service}/{method}"] = async (request, context) => await handler(parser.ParseFrom(request), context);
    }

    public async Task HandleAsync(HttpContext http)
    {
        string key = $"{http.Request.RouteValues["service"]}/{http.Request.RouteValues["method"]}";
        var contentType = http.Request.ContentType;
        if (contentType is null || !contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase))
        {
            http.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }
        http.Response.ContentType = "application/grpc";
        if (!_methods.TryGetValue(key, out var invoker))
        {
            // No drain of the request body: a client that never half-closes must still get its answer.
            Trailers(http, GrpcStatus.Unimplemented, $"Method not found: {key}");
            return;
        }
        TimeSpan? timeout = GrpcFraming.TryParseTimeout(http.Request.Headers["grpc-timeout"], out var t) ? t : null;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        if (timeout is { } limit)
            cts.CancelAfter(limit);
        try
        {
            var reader = http.Request.BodyReader;
            while (true)
            {
                var read = await reader.ReadAsync(cts.Token);
                var buffer = read.Buffer;
                if (GrpcFraming.TryReadMessage(buffer, options.MaxMessageBytes, out var message, out bool compressed, out var consumed))
                {
                    var payload = compressed
                        ? new ReadOnlySequence<byte>(GrpcFraming.Decompress(message, http.Request.Headers["grpc-encoding"], options.MaxMessageBytes))
                        : message;
                    var context = new GrpcCallContext(Metadata(http.Request.Headers), timeout is { } d ? DateTimeOffset.UtcNow + d : null, cts.Token);
                    IMessage response;
                    try
                    {
                        response = await invoker(payload, context);
                    }
                    finally
                    {
                        reader.AdvanceTo(consumed);
                    }
                    await WriteAsync(http, response, cts.Token);
                    Trailers(http, GrpcStatus.Ok, null);
                    return;
                }
                if (read.IsCompleted)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    Trailers(http, GrpcStatus.Internal, buffer.Length == 0 ? "request has no message" : "request ended inside a message");
                    return;
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (GrpcProtocolException ex)
        {
            Trailers(http, ex.Status, ex.Message);
        }
        catch (InvalidProtocolBufferException ex)
        {
            Trailers(http, GrpcStatus.Internal, $"cannot parse the request message: {ex.Message}");
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested && !http.RequestAborted.IsCancellationRequested)
        {
            Trailers(http, GrpcStatus.DeadlineExceeded, $"deadline of {timeout} exceeded");
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody to answer.
        }
        catch (Exception ex)
        {
            LogHandlerFailed(ex, key);
            if (!http.Response.HasStarted || http.Response.SupportsTrailers())
                Trailers(http, GrpcStatus.Internal, ex.Message);
        }
    }

    private static async ValueTask WriteAsync(HttpContext http, IMessage response, CancellationToken cancellationToken)
    {
        int size = response.CalculateSize();
        var writer = http.Response.BodyWriter;
        GrpcFraming.WriteHeader(writer.GetSpan(GrpcFraming.HeaderSize), size);
        writer.Advance(GrpcFraming.HeaderSize);
        response.WriteTo(writer);
        await writer.FlushAsync(cancellationToken);
    }

    private static Dictionary<string, string> Metadata(IHeaderDictionary headers)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            if (name.StartsWith(':') || name is "content-type" or "te" or "grpc-timeout" or "grpc-encoding" or "grpc-accept-encoding" or "content-length" or "host")
                continue;
            map[name.ToLowerInvariant()] = value.ToString();
        }
        return map;
    }

    private static void Trailers(HttpContext http, int status, string? message)
    {
        http.Response.AppendTrailer("grpc-status", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(message))
            http.Response.AppendTrailer("grpc-message", GrpcFraming.EncodeMessage(message));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "gRPC handler {Method} threw")]
    private partial void LogHandlerFailed(Exception ex, string method);
}

public static class GrpcUnaryServerExtensions
{
    public static IServiceCollection AddGrpcUnaryServer(this IServiceCollection services, GrpcServerOptions? options = null)
    {
        services.AddSingleton(options ?? new GrpcServerOptions());
        services.AddSingleton<GrpcUnaryServer>();
        services.AddSingleton<IGrpcMethodRegistry>(sp => sp.GetRequiredService<GrpcUnaryServer>());
        return services;
    }

    /// <summary>Maps POST /{service}/{method} (gRPC paths have exactly two segments).</summary>
    public static IEndpointRouteBuilder MapGrpcUnary(this IEndpointRouteBuilder app)
    {
        var server = app.ServiceProvider.GetRequiredService<GrpcUnaryServer>();
        app.MapPost("/{service}/{method}", server.HandleAsync);
        return app;
    }
}
