using Microsoft.Extensions.DependencyInjection;
using VectorAspire.Core.Contracts;

namespace VectorAspire.QueryNode;

public static class QueryNodeExtensions
{
    /// <summary>Registers the QueryNode role (in-process client = the service itself).</summary>
    public static IServiceCollection AddQueryNode(this IServiceCollection services)
    {
        services.AddSingleton<QueryNodeService>();
        services.AddSingleton<IQueryNodeClient>(sp => sp.GetRequiredService<QueryNodeService>());
        return services;
    }
}
