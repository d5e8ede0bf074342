using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using VectorAspire.Cluster;
using VectorAspire.Cluster.Messaging;
using VectorAspire.Coordinator;
using VectorAspire.Coordinator.Grpc;
using VectorAspire.Core.Contracts;
using VectorAspire.Core.Meta;
using VectorAspire.Core.Rpc;
using VectorAspire.Core.Storage;
using VectorAspire.Core.Time;
using VectorAspire.Core.Wal;
using VectorAspire.DataNode;
using VectorAspire.DataNode.Grpc;
using VectorAspire.Proxy.Rest;
using VectorAspire.QueryNode;
using VectorAspire.QueryNode.Grpc;
using VectorAspire.ServiceDefaults;
using VectorAspire.StreamingNode;
using VectorAspire.StreamingNode.Grpc;

namespace VectorAspire.Standalone;

/// <summary>
/// The all-in-one server: every role in one process on embedded providers, talking through in-process
/// implementations of the same client interfaces the cluster uses. Tests build it in-process on port 0.
/// With <c>VectorAspire:InternalTransport=grpc</c> it is a loopback cluster instead: the roles still share the
/// process, but every role-to-role call goes through the gRPC clients to an HTTP/2-only port on 127.0.0.1.
/// </summary>
public static class StandaloneServer
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings files ship next to the binary; relative data paths still resolve against the working directory.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = MapFlags(args), ContentRootPath = AppContext.BaseDirectory });
        builder.AddServiceDefaults();
        configure?.Invoke(builder);
        var options = builder.Configuration.GetSection(StandaloneOptions.Section).Get<StandaloneOptions>() ?? new StandaloneOptions();
        string dataPath = Path.GetFullPath(options.DataPath);
        Directory.CreateDirectory(dataPath);

        builder.Services.AddGrpcDemuxTransport();
        ListenOptions? internalListener = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Requests are limited by the API layers (REST 64 MB, gRPC GrpcServerOptions), not by Kestrel's 30 MB default.
            k.Limits.MaxRequestBodySize = null;
            // REST v2 (HTTP/1.1) and Milvus gRPC (h2c) share one port, as Milvus serves both on 19530.
            k.ListenRestAndGrpc(new IPEndPoint(IPAddress.Parse(options.Host), options.Port));
            if (options.GrpcOnlyPort > 0)
                k.Listen(IPAddress.Parse(options.Host), options.GrpcOnlyPort, l => l.Protocols = HttpProtocols.Http2);
            if (options.UsesGrpcTransport)
                k.Listen(IPAddress.Loopback, options.InternalPort, l => { l.Protocols = HttpProtocols.Http2; internalListener = l; });
        });

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        // Embedded by default (SQLite, a local directory, WAL files); etcd, S3 and the object-storage WAL by configuration.
        services.AddMetaStore(builder.Configuration, Path.Combine(dataPath, "meta", "meta.db"));
        services.AddObjectStore(builder.Configuration, Path.Combine(dataPath, "objects"));
        services.AddWal(builder.Configuration, Path.Combine(dataPath, "wal"));
        services.AddSingleton<ITimestampOracle>(sp => new TimestampOracle(sp.GetRequiredService<IMetaStore>(), "coordinator/tso", sp.GetRequiredService<TimeProvider>()));
        services.AddCoordinator();
        services.AddStreamingNode();
        services.AddQueryNode();
        services.AddDataNode();
        services.AddProxy();
        // One in-memory bus for the roles' control flow (the same consumers a cluster runs over RabbitMQ); before the
        // lifecycle, so it starts before the roles and stops after they drained.
        services.AddControlBus(builder.Configuration, "standalone", requireBroker: false);
        services.AddGrpcUnaryServer();
        if (options.UsesGrpcTransport)
            AddLoopbackClients(services, () => internalListener);
        services.AddSingleton(options);
        services.AddSingleton<StandaloneLifecycle>();
        services.AddHostedService(sp => sp.GetRequiredService<StandaloneLifecycle>());
        services.AddHealthChecks().AddCheck<StandaloneLifecycle>("roles");

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapMilvusRestApi();
        app.Services.GetRequiredService<Proxy.Grpc.MilvusGrpcService>().Register(app.Services.GetRequiredService<GrpcUnaryServer>());
        app.MapGrpcUnary();
        if (options.UsesGrpcTransport)
        {
            app.MapCoordinatorGrpc();
            app.MapStreamingNodeGrpc();
            app.MapQueryNodeGrpc();
            app.MapDataNodeGrpc();
        }
        return app;
    }

    /// <summary>
    /// Replaces the in-process client registrations by gRPC clients of this process's internal port (the last
    /// registration of a service type wins). The port is read when the first call is made, after Kestrel bound it.
    /// </summary>
    private static void AddLoopbackClients(IServiceCollection services, Func<ListenOptions?> listener)
    {
        services.AddInternalGrpcServer();
        Uri Address()
        {
            var endPoint = listener()?.IPEndPoint ?? throw new InvalidOperationException("the internal gRPC port is not bound yet");
            return new Uri($"http://{endPoint.Address}:{endPoint.Port}");
        }
        services.AddSingleton<ICoordinatorClient>(sp => new GrpcCoordinatorClient(sp.GetRequiredService<GrpcChannelPool>(), new RoleEndpoint("coordinator", Address)));
        services.AddSingleton<IStreamingNodeClient>(sp => new GrpcStreamingNodeClient(sp.GetRequiredService<GrpcChannelPool>(), new RoleEndpoint("streamingnode", Address)));
        services.AddSingleton<IQueryNodeClient>(sp => new GrpcQueryNodeClient(sp.GetRequiredService<GrpcChannelPool>(), new RoleEndpoint("querynode", Address)));
        services.AddSingleton<IDataNodeClient>(sp => new GrpcDataNodeClient(sp.GetRequiredService<GrpcChannelPool>(), new RoleEndpoint("datanode", Address)));
    }

    /// <summary>--port, --data-dir and --host are shorthands for VectorAspire:Port, :DataPath and :Host; --auth turns authentication on.</summary>
    internal static string[] MapFlags(string[] args)
    {
        var mapped = new List<string>(args.Length);
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string? key = a switch
            {
                "--port" => "--VectorAspire:Port",
                "--data-dir" => "--VectorAspire:DataPath",
                "--host" => "--VectorAspire:Host",
                _ => null,
            };
            if (key is not null && i + 1 < args.Length)
            {
                mapped.Add(key);
                mapped.Add(args[++i]);
            }
            else if (a == "--auth")
            {
                mapped.Add("--VectorAspire:Security:AuthorizationEnabled=true");
            }
            else if (a.StartsWith("--port=", StringComparison.Ordinal))
            {
                mapped.Add("--VectorAspire:Port=" + a[7..]);
            }
            else if (a.StartsWith("--data-dir=", StringComparison.Ordinal))
            {
                mapped.Add("--VectorAspire:DataPath=" + a[11..]);
            }
            else
            {
                mapped.Add(a);
            }
        }
        return [.. mapped];
    }
}
