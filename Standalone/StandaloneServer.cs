using System.Net;
using VectorAspire.Coordinator;
using VectorAspire.Core.Meta;
using VectorAspire.Core.Rpc;
using VectorAspire.Core.Storage;
using VectorAspire.Core.Time;
using VectorAspire.Core.Wal;
using VectorAspire.DataNode;
using VectorAspire.Proxy.Rest;
using VectorAspire.QueryNode;
using VectorAspire.ServiceDefaults;
using VectorAspire.StreamingNode;

namespace VectorAspire.Standalone;

/// <summary>
/// The all-in-one server: every role in one process on embedded providers, talking through in-process
/// implementations of the same client interfaces the cluster uses. Tests build it in-process on port 0.
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
        builder.WebHost.ConfigureKestrel(k =>
        {
            // Requests are limited by the API layers (REST 64 MB, gRPC GrpcServerOptions), not by Kestrel's 30 MB default.
            k.Limits.MaxRequestBodySize = null;
            // REST v2 (HTTP/1.1) and Milvus gRPC (h2c) share one port, as Milvus serves both on 19530.
            k.ListenRestAndGrpc(new IPEndPoint(IPAddress.Parse(options.Host), options.Port));
            if (options.GrpcOnlyPort > 0)
                k.Listen(IPAddress.Parse(options.Host), options.GrpcOnlyPort, l => l.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2);
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
        services.AddGrpcUnaryServer();
        services.AddSingleton<StandaloneLifecycle>();
        services.AddHostedService(sp => sp.GetRequiredService<StandaloneLifecycle>());
        services.AddHealthChecks().AddCheck<StandaloneLifecycle>("roles");

        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapMilvusRestApi();
        app.Services.GetRequiredService<Proxy.Grpc.MilvusGrpcService>().Register(app.Services.GetRequiredService<GrpcUnaryServer>());
        app.MapGrpcUnary();
        return app;
    }

    /// <summary>--port and --data-dir are shorthands for VectorAspire:Port and VectorAspire:DataPath.</summary>
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
