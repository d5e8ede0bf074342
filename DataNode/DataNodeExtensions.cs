using Microsoft.Extensions.DependencyInjection;
using VectorAspire.Core.Contracts;

namespace VectorAspire.DataNode;

public static class DataNodeExtensions
{
    /// <summary>Registers the DataNode role (in-process client = the service itself).</summary>
    public static IServiceCollection AddDataNode(this IServiceCollection services)
    {
        services.AddSingleton<DataNodeService>();
        services.AddSingleton<IDataNodeClient>(sp => sp.GetRequiredService<DataNodeService>());
        return services;
    }
}
