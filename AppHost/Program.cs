using Microsoft.Extensions.DependencyInjection;
using VectorAspire.AppHost;
using VectorAspire.AppHost.Kubernetes;
using VectorAspire.AppHost.Topologies;

var arguments = AppHostSettings.MapArguments(args);
KubernetesPublishing? kubernetes;
IDistributedApplicationBuilder builder;
try
{
    kubernetes = KubernetesPublishing.FromArguments(arguments);
    builder = DistributedApplication.CreateBuilder(kubernetes?.ManifestArguments ?? arguments);
    Topology.AddTo(builder, AppHostSettings.From(builder.Configuration));
}
catch (AppHostConfigurationException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

var app = builder.Build();
await app.RunAsync();
if (kubernetes is not null)
{
    try
    {
        kubernetes.Write(app.Services.GetRequiredService<DistributedApplicationModel>(), builder.Configuration);
    }
    catch (NotSupportedException ex)
    {
        Console.Error.WriteLine($"error: the app model cannot be written as Kubernetes objects: {ex.Message}");
        return 1;
    }
}

return 0;
