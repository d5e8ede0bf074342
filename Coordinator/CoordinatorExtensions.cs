using Microsoft.Extensions.DependencyInjection;
using VectorAspire.Core.Contracts;

namespace VectorAspire.Coordinator;

public static class CoordinatorExtensions
{
    /// <summary>Registers the Coordinator role (in-process client = the service itself).</summary>
    public static IServiceCollection AddCoordinator(this IServiceCollection services)
    {
        services.AddOptions<CoordinatorOptions>().BindConfiguration(CoordinatorOptions.Section);
        services.AddSingleton<CoordinatorService>();
        services.AddSingleton<ICoordinatorClient>(sp => sp.GetRequiredService<CoordinatorService>());
        services.AddSingleton(sp => new Lazy<IStreamingNodeClient>(sp.GetRequiredService<IStreamingNodeClient>));
        return services;
    }
}
