using System.Net;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace VectorAspire.Gateway;

/// <summary>
/// The YARP routes and clusters: gRPC calls (content-type application/grpc) go to the Proxies over HTTP/2 with prior
/// knowledge, everything else over HTTP/1.1. Both clusters hold the same destinations, are balanced round-robin and
/// probe <c>/health</c> actively, so a Proxy that dies stops receiving traffic within two probe intervals
/// (sooner under load: failed connections count too).
/// </summary>
public static class GatewayRoutes
{
    public const string RestCluster = "proxy-rest";
    public const string GrpcCluster = "proxy-grpc";
    public const string HealthPath = "/health";

    public static IReadOnlyList<RouteConfig> Routes() =>
    [
        new RouteConfig
        {
            RouteId = "grpc",
            ClusterId = GrpcCluster,
            // Before the REST route, which matches every path.
            Order = 0,
            Match = new RouteMatch
            {
                Path = "{**path}",
                Headers = [new RouteHeader { Name = "content-type", Values = ["application/grpc"], Mode = HeaderMatchMode.HeaderPrefix }],
            },
        },
        new RouteConfig { RouteId = "rest", ClusterId = RestCluster, Order = 1, Match = new RouteMatch { Path = "{**path}" } },
    ];

    /// <exception cref="InvalidOperationException">No destination is configured.</exception>
    public static IReadOnlyList<ClusterConfig> Clusters(GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Destinations.Count == 0)
        {
            throw new InvalidOperationException(
                $"the gateway has no Proxy to forward to: set {GatewayOptions.Section}:Destinations:{{name}} to a Proxy's address " +
                "(a URL, or an Aspire service name such as http://proxy-0)");
        }

        return
        [
            Cluster(RestCluster, options, HttpVersion.Version11),
            Cluster(GrpcCluster, options, HttpVersion.Version20),
        ];
    }

    private static ClusterConfig Cluster(string id, GatewayOptions options, Version version) => new()
    {
        ClusterId = id,
        LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
        Destinations = options.Destinations.ToDictionary(
            static pair => pair.Key, static pair => new DestinationConfig { Address = pair.Value }, StringComparer.OrdinalIgnoreCase),
        // Exact: the Proxy's port tells the protocols apart by the first bytes, so a cleartext HTTP/2 request must start
        // with the preface (prior knowledge) and a REST request must never be upgraded.
        HttpRequest = new ForwarderRequestConfig { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact },
        HealthCheck = new HealthCheckConfig
        {
            Active = new ActiveHealthCheckConfig
            {
                Enabled = true,
                Interval = TimeSpan.FromSeconds(options.HealthCheckIntervalSeconds),
                Timeout = TimeSpan.FromSeconds(options.HealthCheckTimeoutSeconds),
                Policy = HealthCheckConstants.ActivePolicy.ConsecutiveFailures,
                Path = HealthPath,
            },
            // Under traffic a dead Proxy shows up as refused connections before the next probe does.
            Passive = new PassiveHealthCheckConfig
            {
                Enabled = true,
                Policy = HealthCheckConstants.PassivePolicy.TransportFailureRate,
                ReactivationPeriod = TimeSpan.FromSeconds(options.HealthCheckIntervalSeconds),
            },
        },
    };
}
