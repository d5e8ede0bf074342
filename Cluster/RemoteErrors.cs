using System.Globalization;
using System.Text;
using Grpc.Core;
using VectorAspire.Core.Errors;
using VectorAspire.Core.Expressions;

namespace VectorAspire.Cluster;

/// <summary>
/// How an exception thrown by a role's implementation crosses a role-to-role gRPC call: the server turns it into a
/// status plus trailers naming its kind, Milvus code and exact message (binary trailer, so any text survives); the
/// client rebuilds the same exception type, so callers cannot tell a remote role from an in-process one.
/// </summary>
public static class RemoteErrors
{
    public const string KindTrailer = "va-error-kind";
    public const string CodeTrailer = "va-error-code";
    public const string MessageTrailer = "va-error-message-bin";
    public const string PositionTrailer = "va-error-position";

    private const string MilvusKind = "milvus";
    private const string FilterSyntaxKind = "filter-syntax";
    private const string FilterBindKind = "filter-bind";
    private const string CanceledKind = "canceled";
    private const string InternalKind = "internal";

    /// <summary>Server side: the RpcException that carries <paramref name="ex"/> to the caller.</summary>
    public static RpcException ToRpcException(Exception ex)
    {
        var trailers = new Metadata();
        StatusCode status;
        string kind;
        switch (ex)
        {
            case MilvusException m:
                kind = MilvusKind;
                status = StatusCode.Unknown;
                trailers.Add(CodeTrailer, m.Code.ToString(CultureInfo.InvariantCulture));
                break;
            case FilterSyntaxException f:
                kind = FilterSyntaxKind;
                status = StatusCode.InvalidArgument;
                trailers.Add(PositionTrailer, f.Position.ToString(CultureInfo.InvariantCulture));
                break;
            case FilterBindException:
                kind = FilterBindKind;
                status = StatusCode.InvalidArgument;
                break;
            case OperationCanceledException:
                kind = CanceledKind;
                status = StatusCode.Cancelled;
                break;
            default:
                kind = InternalKind;
                status = StatusCode.Internal;
                break;
        }
        trailers.Add(KindTrailer, kind);
        trailers.Add(MessageTrailer, Encoding.UTF8.GetBytes(ex.Message));
        return new RpcException(new Status(status, ex.Message), trailers, ex.Message);
    }

    /// <summary>Client side: the exception the in-process call would have thrown.</summary>
    public static Exception FromRpcException(RpcException ex, string target, CancellationToken cancellationToken)
    {
        var trailers = ex.Trailers;
        string? kind = trailers.GetValue(KindTrailer);
        if (kind is null)
            return FromTransport(ex, target, cancellationToken);
        string message = trailers.GetValueBytes(MessageTrailer) is { } bytes ? Encoding.UTF8.GetString(bytes) : ex.Status.Detail;
        switch (kind)
        {
            case MilvusKind:
                int code = int.TryParse(trailers.GetValue(CodeTrailer), NumberStyles.Integer, CultureInfo.InvariantCulture, out int c) ? c : ErrorCodes.ServiceInternal;
                return new MilvusException(code, message);
            case FilterSyntaxKind:
                int position = int.TryParse(trailers.GetValue(PositionTrailer), NumberStyles.Integer, CultureInfo.InvariantCulture, out int p) ? p : 0;
                return new FilterSyntaxException(message, position);
            case FilterBindKind:
                return new FilterBindException(message);
            case CanceledKind:
                return new OperationCanceledException(message, cancellationToken);
            default:
                return new RemoteRoleException(target, message);
        }
    }

    /// <summary>
    /// True when <paramref name="e"/> (as thrown by a gRPC client here) proves the request never reached a server: the
    /// connection was refused, so nothing can have been applied and a write may be sent elsewhere.
    /// </summary>
    public static bool ProvesNotSent(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused })
                return true;
            if (x is RpcException rpc && rpc.Status.DebugException is { } debug && ProvesNotSent(debug))
                return true;
        }
        return false;
    }

    private static Exception FromTransport(RpcException ex, string target, CancellationToken cancellationToken) => ex.StatusCode switch
    {
        StatusCode.Cancelled when cancellationToken.IsCancellationRequested => new OperationCanceledException(ex.Status.Detail, ex, cancellationToken),
        StatusCode.DeadlineExceeded => new TimeoutException($"call to {target} exceeded its deadline: {ex.Status.Detail}", ex),
        StatusCode.Unavailable => new MilvusException(ErrorCodes.ServiceNotReady, $"{target} is unavailable: {ex.Status.Detail}; retry shortly", ex),
        _ => new RemoteRoleException(target, $"gRPC {ex.StatusCode}: {ex.Status.Detail}", ex),
    };
}

/// <summary>A remote role failed with an error that is not a Milvus error (the in-process call would have thrown its own type).</summary>
public sealed class RemoteRoleException(string target, string message, Exception? inner = null) : Exception(message, inner)
{
    public string Target { get; } = target;
}
