using Grpc.Core;
using Grpc.Core.Interceptors;

namespace VectorAspire.Cluster;

/// <summary>A generated gRPC client over the pooled channel of an endpoint, with error translation, created on first call.</summary>
internal sealed class RemoteClient<T>(GrpcChannelPool pool, RoleEndpoint endpoint, Func<CallInvoker, T> create)
    where T : ClientBase<T>
{
    private readonly Lazy<T> _client = new(() =>
    {
        var address = endpoint.Address;
        var invoker = pool.Get(address).Intercept(new ClientErrorInterceptor($"{endpoint.Role} at {address.Authority}"));
        return create(invoker);
    });

    public T Client => _client.Value;
}
