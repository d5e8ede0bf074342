using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using VectorAspire.AppHost.Kubernetes;

namespace VectorAspire.AppHost.Topologies;

/// <summary>
/// The cluster's RabbitMQ broker (MassTransit control flow). Roles read it as the Aspire connection string
/// <c>ConnectionStrings:rabbitmq</c>, an AMQP URI. Published (or with a container engine): the RabbitMQ container of
/// Aspire.Hosting.RabbitMQ. Run mode without an engine: Debian's rabbitmq-server run as root from
/// /usr/lib/rabbitmq/bin with its node, mnesia, logs, config and Erlang cookie under the AppHost's data directory and
/// only loopback listeners (shared/infra.md §2), next to its own epmd (a resource too, so DCP stops it: an epmd that
/// erl starts by itself daemonizes and outlives the AppHost).
/// </summary>
public static class MessageBroker
{
    public const string Name = "rabbitmq";
    public const string EpmdName = "rabbitmq-epmd";

    /// <summary>The 3.x line, as Debian's 3.10 that run mode starts.</summary>
    public const string Image = "library/rabbitmq";
    public const string ImageTag = "3";
    public const string ServerScript = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    public static IResourceBuilder<IResourceWithConnectionString> AddContainer(IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The image allows guest from other hosts; the password is a generated secret parameter (rabbitmq-password).
        return builder.AddRabbitMQ(Name)
            .WithImage(Image, ImageTag)
            .WithImageRegistry(null)
            .WithDataVolume("vectoraspire-rabbitmq")
            // An index-build job is acknowledged when the build ends; the broker's default would cancel it after 30 min.
            .WithEnvironment("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-rabbit consumer_timeout " + ConsumerTimeoutMs.ToString(CultureInfo.InvariantCulture))
            .WithUrlForEndpoint("tcp", static url => url.DisplayText = "AMQP (RabbitMQ container)")
            .WithProbes("tcp", readinessPath: null, livenessPath: null);
    }

    /// <summary>How long a delivery may stay unacknowledged (24 h): long enough for the largest index build.</summary>
    public const long ConsumerTimeoutMs = 86_400_000;

    public static IResourceBuilder<IResourceWithConnectionString> AddExecutable(IDistributedApplicationBuilder builder, string dataRoot, LoopbackPorts ports)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(ports);
        if (!File.Exists(ServerScript))
        {
            throw new AppHostConfigurationException(
                $"no container engine here, so the cluster runs RabbitMQ as a local process, but {ServerScript} is missing; run scripts/infra/install.sh first.");
        }

        int amqpPort = ports.For("rabbitmq-amqp");
        int distributionPort = ports.For("rabbitmq-dist");
        int epmdPort = ports.For("rabbitmq-epmd");
        string root = Path.Combine(dataRoot, Name);
        foreach (var directory in new[] { "home", "mnesia", "log" })
            Directory.CreateDirectory(Path.Combine(root, directory));
        string config = Path.Combine(root, "rabbitmq.conf");
        // A health probe opens a connection and drops it after the server's greeting; at the default connection log
        // level every probe would log a warning.
        File.WriteAllLines(config,
        [
            $"listeners.tcp.1 = 127.0.0.1:{amqpPort.ToString(CultureInfo.InvariantCulture)}",
            "log.console = true",
            "log.console.level = warning",
            "log.connection.level = error",
            "log.file = false",
            // An index-build job is acknowledged when the build ends; the broker's default would cancel it after 30 min.
            $"consumer_timeout = {ConsumerTimeoutMs}",
        ]);
        string plugins = Path.Combine(root, "enabled_plugins");
        File.WriteAllText(plugins, "[].\n");

        string epmdPortText = epmdPort.ToString(CultureInfo.InvariantCulture);
        var epmd = builder.AddExecutable(EpmdName, "epmd", root, "-port", epmdPortText, "-address", "127.0.0.1")
            .WithEndpoint(port: epmdPort, targetPort: epmdPort, scheme: "tcp", name: "tcp", isProxied: false)
            .WithUrlForEndpoint("tcp", static url => url.DisplayLocation = UrlDisplayLocation.DetailsOnly)
            .WithTcpHealthCheck(builder, "tcp", epmdPort, amqp: false);

        var broker = builder.AddResource(new RabbitMqExecutableResource(Name, ServerScript, root, amqpPort))
            .WithEnvironment("HOME", Path.Combine(root, "home"))
            .WithEnvironment("PATH", Path.GetDirectoryName(ServerScript) + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH"))
            .WithEnvironment("RABBITMQ_NODENAME", "rabbit@localhost")
            .WithEnvironment("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1")
            .WithEnvironment("RABBITMQ_NODE_PORT", amqpPort.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("RABBITMQ_DIST_PORT", distributionPort.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("ERL_EPMD_ADDRESS", "127.0.0.1")
            .WithEnvironment("ERL_EPMD_PORT", epmdPortText)
            .WithEnvironment("RABBITMQ_MNESIA_BASE", Path.Combine(root, "mnesia"))
            .WithEnvironment("RABBITMQ_LOG_BASE", Path.Combine(root, "log"))
            .WithEnvironment("RABBITMQ_CONFIG_FILE", config)
            .WithEnvironment("RABBITMQ_ENABLED_PLUGINS_FILE", plugins)
            .WithEnvironment("RABBITMQ_PID_FILE", Path.Combine(root, "pid"))
            .WithEnvironment("RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS", "-kernel inet_dist_use_interface {127,0,0,1}")
            .WithEndpoint(port: amqpPort, targetPort: amqpPort, scheme: "tcp", name: "tcp", isProxied: false)
            .WithUrlForEndpoint("tcp", static url => url.DisplayText = "AMQP (rabbitmq-server executable)")
            .WithTcpHealthCheck(builder, "tcp", amqpPort, amqp: true)
            .WaitFor(epmd);
        epmd.WithParentRelationship(broker);
        return broker;
    }

    private static IResourceBuilder<T> WithTcpHealthCheck<T>(this IResourceBuilder<T> resource, IDistributedApplicationBuilder builder, string endpoint, int port, bool amqp)
        where T : IResource
    {
        string key = $"{resource.Resource.Name}_{endpoint}_check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(key, _ => new TcpHealthCheck(port, amqp), failureStatus: null, tags: null));
        return resource.WithHealthCheck(key);
    }
}

/// <summary>rabbitmq-server as a local process, with the connection string a container would give.</summary>
public sealed class RabbitMqExecutableResource(string name, string command, string workingDirectory, int port)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    /// <summary>guest is allowed from loopback, which is all the executable listens on.</summary>
    public ReferenceExpression ConnectionStringExpression { get; } =
        ReferenceExpression.Create($"amqp://guest:guest@127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
}
