using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using VectorAspire.Cluster;
using VectorAspire.Cluster.Messaging;
using VectorAspire.Core.Cluster;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Meta;
using VectorAspire.Core.Rpc;
using VectorAspire.Core.Storage;
using VectorAspire.Core.Wal;
using VectorAspire.ServiceDefaults;

namespace VectorAspire.NodeHost;

/// <summary>
/// Builds one role process of a cluster. The process serves REST (HTTP/1.1: <c>/health</c>, <c>/alive</c>, and the
/// Milvus REST API on a Proxy) and gRPC (h2c: the internal role services, Milvus gRPC on a Proxy) on one port
/// (<c>VectorAspire:Host</c>/<c>VectorAspire:Port</c>, 0 = any free port), registers itself in the meta store once it
/// serves, and reaches the other roles through routed clients: the Coordinator leader, the StreamingNode a channel is
/// bound to, the QueryNode a segment is placed on, any live DataNode. The role's own registration (AddXxx) comes
/// after this and replaces the remote client of its own interface with the in-process service.
/// </summary>
public static class ClusterNode
{
    public static WebApplicationBuilder CreateBuilder(string role, string[] args)
    {
        if (!NodeRoles.All.Contains(role))
            throw new ArgumentException($"unknown role '{role}'", nameof(role));
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddServiceDefaults();
        IConfiguration config = builder.Configuration;
        // Per-request framework logs would drown the role's own (Standalone's appsettings.json says the same).
        if (config["Logging:LogLevel:Microsoft.AspNetCore"] is null)
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        var options = config.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        string nodeId = string.IsNullOrWhiteSpace(options.NodeId) ? $"{role}-{Environment.MachineName}-{Environment.ProcessId}" : options.NodeId;
        string host = config["VectorAspire:Host"] ?? "127.0.0.1";
        int port = int.TryParse(config["VectorAspire:Port"], out int p) ? p : 0;
        string dataPath = Path.GetFullPath(config["VectorAspire:DataPath"] ?? "data");

        string metaProvider = config["VectorAspire:MetaStore:Provider"] ?? "";
        if (!metaProvider.Equals("etcd", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException(
                "a cluster node needs a meta store every node shares: set VectorAspire:MetaStore:Provider=etcd and ConnectionStrings:etcd (the embedded SQLite store is for standalone)");

        var listener = new ClusterListener(host);
        builder.Services.AddGrpcDemuxTransport();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            listener.Group = k.ListenRestAndGrpc(new IPEndPoint(IPAddress.Parse(host), port));
        });

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(options);
        services.AddSingleton(new ClusterNodeIdentity(role, nodeId));
        services.AddSingleton(listener);
        services.AddMetaStore(config, Path.Combine(dataPath, "meta", "unused.db"));
        services.AddObjectStore(config, Path.Combine(dataPath, "objects"));
        services.AddWal(config, Path.Combine(dataPath, "wal", nodeId));
        services.AddInternalGrpcServer();

        var retry = new ClusterRetry(options.RetryBudget, provesNotSent: RemoteErrors.ProvesNotSent);
        services.AddSingleton(retry);
        services.AddSingleton(sp =>
        {
            var directory = new NodeDirectory(sp.GetRequiredService<IMetaStore>(), options.NodesPrefix);
            // Aspire's services__{role}__{endpoint}__{i} addresses stand in for a role until its nodes register.
            foreach (string r in NodeRoles.All)
                directory.AddConfiguredMembers(config, r, r);
            return directory;
        });
        services.AddSingleton(sp => new ChannelBindings(sp.GetRequiredService<IMetaStore>(), options.BindingsPrefix));
        services.AddSingleton(sp => sp.GetRequiredService<ChannelBindings>().CreateView());

        static RoleEndpoint Endpoint(NodeInfo node) => new(node.Role + " " + node.NodeId, () => new Uri(node.Address));
        services.AddSingleton(sp => new LeaderCoordinatorClient(sp.GetRequiredService<IMetaStore>(), options.LeaderKey,
            sp.GetRequiredService<NodeDirectory>(), n => new GrpcCoordinatorClient(sp.GetRequiredService<GrpcChannelPool>(), Endpoint(n)), retry,
            cacheCatalog: role == NodeRoles.Proxy)); // a Proxy answers collection lookups from its watched copy of the catalog
        services.AddSingleton<ICoordinatorClient>(sp => sp.GetRequiredService<LeaderCoordinatorClient>());
        services.AddSingleton<IStreamingNodeClient>(sp => new RoutedStreamingNodeClient(sp.GetRequiredService<ICoordinatorClient>(),
            sp.GetRequiredService<MetaPrefixView<ChannelBinding>>(), sp.GetRequiredService<ChannelBindings>(), sp.GetRequiredService<NodeDirectory>(),
            n => new GrpcStreamingNodeClient(sp.GetRequiredService<GrpcChannelPool>(), Endpoint(n)), retry));
        services.AddSingleton(sp => new PlacedQueryNodeClient(sp.GetRequiredService<NodeDirectory>(),
            n => new GrpcQueryNodeClient(sp.GetRequiredService<GrpcChannelPool>(), Endpoint(n)), retry));
        services.AddSingleton<IQueryNodeClient>(sp => sp.GetRequiredService<PlacedQueryNodeClient>());
        services.AddSingleton<IDataNodeClient>(sp => new AnyDataNodeClient(sp.GetRequiredService<NodeDirectory>(),
            n => new GrpcDataNodeClient(sp.GetRequiredService<GrpcChannelPool>(), Endpoint(n)), retry));

        services.AddSingleton<ClusterNodeLifecycle>();
        services.AddHostedService(sp => sp.GetRequiredService<ClusterNodeLifecycle>());
        services.AddHealthChecks().AddCheck<ClusterNodeLifecycle>("cluster-node");
        return builder;
    }

    /// <summary>Builds the app and maps <c>/health</c> and <c>/alive</c>; the role maps its own services after.</summary>
    public static WebApplication BuildNode(this WebApplicationBuilder builder)
    {
        // The role's consumers are registered by now: the bus (RabbitMQ; an in-memory bus would split the cluster) joins them.
        var identity = (ClusterNodeIdentity)builder.Services.Single(d => d.ServiceType == typeof(ClusterNodeIdentity)).ImplementationInstance!;
        builder.Services.AddControlBus(builder.Configuration, identity.NodeId, requireBroker: true);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        return app;
    }
}

/// <summary>The node's listener, so its registered address can carry the port Kestrel actually bound.</summary>
public sealed class ClusterListener(string host)
{
    public DemuxGroup? Group { get; set; }

    public string Address(ClusterOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.AdvertiseAddress))
            return options.AdvertiseAddress;
        var bound = Group?.BoundEndPoint as IPEndPoint ?? throw new InvalidOperationException("the node's port is not bound yet");
        string h = host is "0.0.0.0" or "::" ? "127.0.0.1" : host;
        return $"http://{h}:{bound.Port}";
    }
}
