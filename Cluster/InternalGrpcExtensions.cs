using Microsoft.Extensions.DependencyInjection;

namespace VectorAspire.Cluster;

public static class InternalGrpcExtensions
{
    /// <summary>
    /// Registers the Grpc.AspNetCore server for the internal role services: unlimited message size (segment writes and
    /// inserts are large), exceptions mapped by <see cref="ServerErrorInterceptor"/>, and unknown services left to the
    /// next endpoint (the hand-rolled Milvus gRPC routes share the HTTP/2 pipeline).
    /// </summary>
    public static IServiceCollection AddInternalGrpcServer(this IServiceCollection services)
    {
        services.AddGrpc(o =>
        {
            o.MaxReceiveMessageSize = null;
            o.MaxSendMessageSize = null;
            o.IgnoreUnknownServices = true;
            o.Interceptors.Add<ServerErrorInterceptor>();
        });
        services.AddSingleton<GrpcChannelPool>();
        return services;
    }
}
