using VectorAspire.AppHost.Kubernetes;

namespace VectorAspire.AppHost.Topologies;

/// <summary>One process, every role in it: the Standalone project on one port with its own data directory.</summary>
public static class StandaloneTopology
{
    public const string ResourceName = "standalone";

    /// <summary>Where the data lives in a published deployment (mount a volume there).</summary>
    public const string PublishedDataPath = "/var/lib/vectoraspire";

    public static IResourceBuilder<ProjectResource> AddTo(IDistributedApplicationBuilder builder, AppHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        var dataPath = builder.ExecutionContext.IsPublishMode
            ? settings.DataPath ?? PublishedDataPath
            : Path.GetFullPath(settings.DataPath ?? Path.Combine(builder.AppHostDirectory, "data"));

        // The server binds its port itself (REST v2 and gRPC share it, told apart by sniffing the first bytes), so the
        // endpoint is not proxied and the port reaches it as VectorAspire__Port instead of ASPNETCORE_URLS.
        var standalone = builder
            .AddProject<Projects.VectorAspire_Standalone>(ResourceName, static options =>
            {
                options.ExcludeLaunchProfile = true;
                options.ExcludeKestrelEndpoints = true;
            })
            .WithHttpEndpoint(port: settings.Port, targetPort: settings.Port, name: "http", isProxied: false)
            .WithEndpointsInEnvironment(static _ => false)
            .WithUrlForEndpoint("http", static url => url.DisplayText = "REST v2 + gRPC");
        var http = standalone.GetEndpoint("http");
        return standalone
            .WithEnvironment("VectorAspire__Port", http.Property(EndpointProperty.TargetPort))
            .WithEnvironment("VectorAspire__DataPath", dataPath)
            .WithProbes("http", ProbeExtensions.HealthPath, ProbeExtensions.AlivePath);
    }
}
