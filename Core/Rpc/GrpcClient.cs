using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace VectorAspire.Core.Rpc;

/// <summary>A call that ended with a non-OK gRPC status.</summary>
public sealed class GrpcCallException(int status, string message) : Exception($"gRPC status {status}: {message}")
{
    public int Status { get; } = status;

    public string StatusMessage { get; } = message;
}

/// <summary>Unary gRPC client over HTTP/2 cleartext (prior knowledge) with HttpClient.</summary>
public sealed class GrpcClient : IDisposable
{
    private readonly HttpClient _http;

    public GrpcClient(Uri address)
    {
        var handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        _http = new HttpClient(handler)
        {
            BaseAddress = address,
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<TResponse> CallAsync<TRequest, TResponse>(string service, string method, TRequest request, MessageParser<TResponse> parser,
        IReadOnlyDictionary<string, string>? metadata = null, TimeSpan? timeout = null, bool gzip = false, CancellationToken cancellationToken = default)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        var body = request.ToByteArray();
        if (gzip)
            body = GrpcFraming.Compress(body);
        using var message = new HttpRequestMessage(HttpMethod.Post, $"/{service}/{method}")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(GrpcFraming.Frame(body, gzip)),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        message.Headers.TryAddWithoutValidation("te", "trailers");
        if (gzip)
            message.Headers.TryAddWithoutValidation("grpc-encoding", "gzip");
        if (timeout is { } t)
            message.Headers.TryAddWithoutValidation("grpc-timeout", GrpcFraming.FormatTimeout(t));
        foreach (var (k, v) in metadata ?? new Dictionary<string, string>())
            message.Headers.TryAddWithoutValidation(k, v);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout is { } limit)
            cts.CancelAfter(limit + TimeSpan.FromSeconds(1));
        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new GrpcCallException(GrpcStatus.Unknown, $"HTTP status {(int)response.StatusCode}");
        var bytes = await response.Content.ReadAsByteArrayAsync(cts.Token);
        int status = ReadStatus(response, out string statusMessage);
        if (status != GrpcStatus.Ok)
            throw new GrpcCallException(status, statusMessage);
        var sequence = new System.Buffers.ReadOnlySequence<byte>(bytes);
        if (!GrpcFraming.TryReadMessage(sequence, long.MaxValue, out var payload, out bool compressed, out _))
            throw new GrpcCallException(GrpcStatus.Internal, "response has no complete message");
        return compressed
            ? parser.ParseFrom(GrpcFraming.Decompress(payload, response.Headers.TryGetValues("grpc-encoding", out var e) ? e.FirstOrDefault() : null, long.MaxValue))
            : parser.ParseFrom(payload);
    }

    private static int ReadStatus(HttpResponseMessage response, out string message)
    {
        // Trailers normally; a trailers-only response carries them in the headers.
        string? status = Get(response.TrailingHeaders, "grpc-status") ?? Get(response.Headers, "grpc-status");
        message = GrpcFraming.DecodeMessage(Get(response.TrailingHeaders, "grpc-message") ?? Get(response.Headers, "grpc-message") ?? "");
        return status is null ? GrpcStatus.Unknown : int.Parse(status, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string? Get(HttpHeaders headers, string name) => headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    public void Dispose() => _http.Dispose();
}
