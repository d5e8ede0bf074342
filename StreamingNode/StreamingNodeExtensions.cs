using Microsoft.Extensions.DependencyInjection;
using VectorAspire.Core.Contracts;

namespace VectorAspire.StreamingNode;

public static class StreamingNodeExtensions
{
    /// <summary>Registers the StreamingNode role (in-process client = the service itself).</summary>
    public static IServiceCollection AddStreamingNode(this IServiceCollection services)
    {
        services.AddOptions<StreamingNodeOptions>().BindConfiguration(StreamingNodeOptions.Section);
        services.AddSingleton<StreamingNodeService>();
        services.AddSingleton<IStreamingNodeClient>(sp => sp.GetRequiredService<StreamingNodeService>());
        return services;
    }
}
