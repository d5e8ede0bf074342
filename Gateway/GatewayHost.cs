using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using VectorAspire.Core.Rpc;
using VectorAspire.ServiceDefaults;

namespace VectorAspire.Gateway;

/// <summary>
/// Builds the gateway: one port (<c>VectorAspire:Host</c>, <c>VectorAspire:Port</c>, default 127.0.0.1:19530, 0 = any
/// free port) serving REST (HTTP/1.1) and gRPC (h2c) like a Proxy does, forwarding both to the Proxies.
/// </summary>
public static class GatewayHost
{
    public const int DefaultPort = 19530;

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddServiceDefaults();
        var config = builder.Configuration;
        if (config["Logging:LogLevel:Microsoft.AspNetCore"] is null)
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        string host = config["VectorAspire:Host"] ?? "127.0.0.1";
        int port = int.TryParse(config["VectorAspire:Port"], out int p) ? p : DefaultPort;
        var options = config.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();

        var listener = new GatewayListener();
        builder.Services.AddSingleton(listener);
        builder.Services.AddGrpcDemuxTransport();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = null;
            listener.Group = k.ListenRestAndGrpc(new IPEndPoint(IPAddress.Parse(host), port));
        });
        builder.Services.AddReverseProxy()
            .LoadFromMemory(GatewayRoutes.Routes(), GatewayRoutes.Clusters(options))
            .AddServiceDiscoveryDestinationResolver();
        builder.Services.AddHealthChecks().AddCheck<ProxyDestinationsHealthCheck>("proxies");
        return builder;
    }

    public static WebApplication BuildGateway(this WebApplicationBuilder builder)
    {
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapReverseProxy();
        return app;
    }
}

/// <summary>The gateway's shared REST+gRPC socket, so callers can read the port Kestrel bound.</summary>
public sealed class GatewayListener
{
    public DemuxGroup? Group { get; set; }

    public Uri Address => Group?.BoundEndPoint is IPEndPoint bound
        ? new Uri($"http://{bound}")
        : throw new InvalidOperationException("the gateway's port is not bound yet");
}
