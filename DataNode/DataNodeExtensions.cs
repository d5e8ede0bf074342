using Microsoft.Extensions.DependencyInjection;
using VectorAspire.Cluster.Messaging;
using VectorAspire.Core.Contracts;
using VectorAspire.DataNode.Messaging;

namespace VectorAspire.DataNode;

public static class DataNodeExtensions
{
    /// <summary>Registers the DataNode role (in-process client = the service itself).</summary>
    public static IServiceCollection AddDataNode(this IServiceCollection services)
    {
        services.AddSingleton<DataNodeService>();
        services.AddSingleton<IDataNodeClient>(sp => sp.GetRequiredService<DataNodeService>());
        services.AddControlConsumer<BuildSegmentIndexConsumer>(ControlEndpoint.Shared, concurrentMessages: 1);
        return services;
    }
}
