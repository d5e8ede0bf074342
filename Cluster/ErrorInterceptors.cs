using Grpc.Core;
using Grpc.Core.Interceptors;

namespace VectorAspire.Cluster;

/// <summary>Server side of <see cref="RemoteErrors"/>: every internal service handler's exception leaves as status + trailers.</summary>
public sealed class ServerErrorInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException)
        {
            throw;
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The caller cancelled or its deadline passed: it no longer reads the answer.
            throw new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
        }
        catch (Exception ex)
        {
            throw RemoteErrors.ToRpcException(ex);
        }
    }
}

/// <summary>Client side of <see cref="RemoteErrors"/>: an RpcException from a role becomes the exception the role threw.</summary>
public sealed class ClientErrorInterceptor(string target) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
        AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var call = continuation(request, context);
        return new AsyncUnaryCall<TResponse>(Translate(call.ResponseAsync, context.Options.CancellationToken), call.ResponseHeadersAsync,
            call.GetStatus, call.GetTrailers, call.Dispose);
    }

    private async Task<TResponse> Translate<TResponse>(Task<TResponse> response, CancellationToken cancellationToken)
    {
        try
        {
            return await response;
        }
        catch (RpcException ex)
        {
            throw RemoteErrors.FromRpcException(ex, target, cancellationToken);
        }
    }
}
