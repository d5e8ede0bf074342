using VectorAspire.AppHost.Orchestration;
using VectorAspire.AppHost.Resources;

namespace VectorAspire.AppHost.Topologies;

/// <summary>One process, every role in it: the built Standalone server on one port with its own data directory.</summary>
public static class StandaloneTopology
{
    public const string ResourceName = "standalone";

    public static AppModel Build(AppHostOptions options, ProjectResourcePath standaloneProject)
    {
        ArgumentNullException.ThrowIfNull(options);
        var model = new AppModel(AppHostOptions.StandaloneTopology);
        var baseUrl = new Uri($"http://127.0.0.1:{options.Port}");

        var standalone = model.Add(new ProjectResource(ResourceName, standaloneProject));
        standalone
            .WithArguments("--port", options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .WithArguments("--data-dir", options.DataDirectory)
            .WithEndpoint("http", new Uri(baseUrl, "/v2/vectordb"), "REST v2")
            .WithEndpoint("grpc", baseUrl, "gRPC")
            .WithReference(standalone)
            .WithEnvironment("ConnectionStrings__data", options.DataDirectory)
            .WithEnvironment("OTEL_SERVICE_NAME", ResourceName);
        standalone.HealthUrl = new Uri(baseUrl, "/health");
        standalone.Details.Add(new("data dir", options.DataDirectory));
        TelemetryEnvironment.Apply(standalone);
        return model;
    }
}
