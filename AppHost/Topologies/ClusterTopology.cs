using VectorAspire.AppHost.Kubernetes;

namespace VectorAspire.AppHost.Topologies;

/// <summary>
/// One process per role instance on etcd and an S3-compatible store (the WAL lives in the bucket too), behind a YARP
/// gateway on the public port (ARCHITECTURE.md §2). Each instance is its own resource (<c>proxy-0</c>, <c>proxy-1</c>,
/// …) rather than one resource with replicas: a role binds its one REST+gRPC port itself and registers that address in
/// etcd, so its endpoint cannot go through DCP's proxy (which a replicated resource needs), and each instance needs its
/// own port, node id, data directory and health check. Every role gets RabbitMQ's connection string
/// (<c>ConnectionStrings__rabbitmq</c>) and waits for etcd, s3 and rabbitmq.
/// </summary>
public static class ClusterTopology
{
    public const string GatewayName = "gateway";

    /// <summary>Where every role keeps its local files in a published deployment.</summary>
    public const string PublishedDataPath = "/var/lib/vectoraspire";

    /// <summary>The port every role listens on inside its container when published.</summary>
    public const int PublishedRolePort = 19530;

    /// <summary>Start order (as scripts/cluster.sh): the Proxies, which take traffic, come last.</summary>
    public static readonly IReadOnlyList<string> RoleNames = ["coordinator", "datanode", "querynode", "streamingnode", "proxy"];

    public static ClusterResources AddTo(IDistributedApplicationBuilder builder, AppHostSettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        bool publish = builder.ExecutionContext.IsPublishMode;
        string dataRoot = Path.GetFullPath(settings.DataPath ?? Path.Combine(builder.AppHostDirectory, "data", "cluster"));
        var ports = publish ? null : new LoopbackPorts(Path.Combine(dataRoot, "ports.txt"));
        var infrastructure = ClusterInfrastructure.AddTo(builder, settings, dataRoot, ports);
        Console.WriteLine(infrastructure.Describe());

        var roles = new List<IResourceBuilder<ProjectResource>>();
        var proxies = new List<IResourceBuilder<ProjectResource>>();
        foreach (var role in RoleNames)
        {
            for (int i = 0; i < settings.Replicas[role]; i++)
            {
                string name = $"{role}-{i}";
                var instance = AddRoleProject(builder, role, name);
                Listen(instance, publish, ports?.For(name), "role REST + gRPC");
                instance
                    .WithEnvironment("VectorAspire__Cluster__NodeId", name)
                    .WithEnvironment("VectorAspire__DataPath", publish ? PublishedDataPath : Path.Combine(dataRoot, name))
                    .WithEnvironment("VectorAspire__MetaStore__Provider", "etcd")
                    .WithEnvironment("ConnectionStrings__etcd", infrastructure.EtcdConnectionString)
                    .WithEnvironment("VectorAspire__ObjectStore__Provider", "s3")
                    .WithEnvironment("VectorAspire__ObjectStore__S3__CreateBucketIfMissing", "true")
                    .WithEnvironment("ConnectionStrings__s3", infrastructure.ObjectStoreConnectionString)
                    .WithEnvironment("VectorAspire__Wal__Provider", "object")
                    // The connection string only (set before the reference, which reads it): Aspire would also add
                    // RABBITMQ_HOST, _PORT, _USERNAME, _PASSWORD and _URI.
                    .WithReferenceEnvironment(ReferenceEnvironmentInjectionFlags.ConnectionString)
                    .WithReference(infrastructure.MessageBus)
                    .WaitFor(infrastructure.Etcd)
                    .WaitFor(infrastructure.ObjectStore)
                    .WaitFor(infrastructure.MessageBus);
                if (publish)
                {
                    // Inside a container the bound address (0.0.0.0) is not what the other roles dial.
                    instance
                        .WithEnvironment("VectorAspire__Cluster__AdvertiseAddress", instance.GetEndpoint("http").Property(EndpointProperty.Url))
                        .WithAnnotation(new ScratchDirectoryAnnotation(PublishedDataPath));
                }

                roles.Add(instance);
                if (role == "proxy")
                    proxies.Add(instance);
            }
        }

        var gateway = builder.AddProject<Projects.VectorAspire_Gateway>(GatewayName, ExcludeAspNetCoreEndpoints);
        Listen(gateway, publish, settings.Port, "REST v2 + gRPC (gateway)");
        gateway.WithExternalHttpEndpoints();
        foreach (var proxy in proxies)
        {
            // The destination is the service name; YARP resolves it through the services__proxy-N__http__0 reference.
            gateway
                .WithReference(proxy.GetEndpoint("http"))
                .WithEnvironment($"VectorAspire__Gateway__Destinations__{proxy.Resource.Name}", $"http://{proxy.Resource.Name}")
                .WaitFor(proxy);
        }

        return new ClusterResources(infrastructure, roles, gateway);
    }

    private static IResourceBuilder<ProjectResource> AddRoleProject(IDistributedApplicationBuilder builder, string role, string name) => role switch
    {
        "coordinator" => builder.AddProject<Projects.VectorAspire_Coordinator>(name, ExcludeAspNetCoreEndpoints),
        "datanode" => builder.AddProject<Projects.VectorAspire_DataNode>(name, ExcludeAspNetCoreEndpoints),
        "querynode" => builder.AddProject<Projects.VectorAspire_QueryNode>(name, ExcludeAspNetCoreEndpoints),
        "streamingnode" => builder.AddProject<Projects.VectorAspire_StreamingNode>(name, ExcludeAspNetCoreEndpoints),
        "proxy" => builder.AddProject<Projects.VectorAspire_Proxy>(name, ExcludeAspNetCoreEndpoints),
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "not a cluster role"),
    };

    private static void ExcludeAspNetCoreEndpoints(ProjectResourceOptions options)
    {
        options.ExcludeLaunchProfile = true;
        options.ExcludeKestrelEndpoints = true;
    }

    /// <summary>
    /// The process binds its one port itself (REST and gRPC told apart by the first bytes), so the endpoint is not
    /// proxied and the port reaches it as VectorAspire__Port, not ASPNETCORE_URLS. Run mode: a port on 127.0.0.1
    /// chosen here; published: <paramref name="port"/> or <see cref="PublishedRolePort"/> on every interface of its container.
    /// </summary>
    private static void Listen(IResourceBuilder<ProjectResource> project, bool publish, int? port, string displayText)
    {
        int target = port ?? PublishedRolePort;
        project
            .WithHttpEndpoint(port: publish ? null : port, targetPort: target, name: "http", isProxied: false)
            .WithEndpointsInEnvironment(static _ => false)
            .WithUrlForEndpoint("http", url => url.DisplayText = displayText)
            .WithEnvironment("VectorAspire__Host", publish ? "0.0.0.0" : "127.0.0.1")
            .WithEnvironment("VectorAspire__Port", project.GetEndpoint("http").Property(EndpointProperty.TargetPort))
            .WithProbes("http", ProbeExtensions.HealthPath, ProbeExtensions.AlivePath);
    }
}

/// <summary>What the cluster topology declared, for callers that add to it.</summary>
public sealed record ClusterResources(
    ClusterInfrastructure Infrastructure,
    IReadOnlyList<IResourceBuilder<ProjectResource>> Roles,
    IResourceBuilder<ProjectResource> Gateway);
