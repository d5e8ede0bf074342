using Google.Protobuf;

namespace VectorAspire.Core.Rpc;

/// <summary>Where gRPC services register their unary methods ("package.Service" + "Method").</summary>
public interface IGrpcMethodRegistry
{
    void MapUnary<TRequest, TResponse>(string service, string method, MessageParser<TRequest> parser,
        Func<TRequest, GrpcCallContext, ValueTask<TResponse>> handler)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>;
}

/// <summary>What a unary handler knows about its call.</summary>
public sealed class GrpcCallContext(IReadOnlyDictionary<string, string> metadata, DateTimeOffset? deadline, CancellationToken cancellationToken)
{
    /// <summary>Request metadata (lower-case header names): authorization, dbname, identifier, ...</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;

    /// <summary>From grpc-timeout, when the client sent one.</summary>
    public DateTimeOffset? Deadline { get; } = deadline;

    /// <summary>Cancelled when the client goes away or the deadline passes.</summary>
    public CancellationToken CancellationToken { get; } = cancellationToken;

    public string? Get(string name) => Metadata.TryGetValue(name, out var v) ? v : null;
}
