using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using VectorAspire.AppHost.Topologies;

namespace VectorAspire.Hosting.Tests;

/// <summary>The cluster topology's app model in run mode, declared but not started.</summary>
public sealed class ClusterTopologyTests : IDisposable
{
    private static readonly string[] s_roles = ["coordinator", "datanode", "querynode", "streamingnode", "proxy"];
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("vectoraspire-cluster-model-").FullName;

    [Fact]
    public async Task Cluster_declares_infrastructure_executables_every_role_instance_and_the_gateway_with_default_replicas()
    {
        var resources = await ModelAsync();

        var etcd = Assert.IsType<ExecutableResource>(resources["etcd"]);
        Assert.Equal("etcd", etcd.Command);
        var s3 = Assert.IsType<ExecutableResource>(resources["s3"]);
        Assert.Equal("node", s3.Command);
        Assert.Equal(
            ["coordinator-0", "coordinator-1", "datanode-0", "querynode-0", "querynode-1", "streamingnode-0", "streamingnode-1", "proxy-0", "proxy-1", "gateway"],
            resources.Values.OfType<ProjectResource>().Select(static r => r.Name));
        var rabbitmq = Assert.IsType<RabbitMqExecutableResource>(resources["rabbitmq"]);
        Assert.Equal("/usr/lib/rabbitmq/bin/rabbitmq-server", rabbitmq.Command);
        Assert.Equal("epmd", Assert.IsType<ExecutableResource>(resources["rabbitmq-epmd"]).Command);
        foreach (var resource in resources.Values)
            Assert.True(resource.TryGetAnnotationsOfType<HealthCheckAnnotation>(out _), $"{resource.Name} has no health check");
    }

    [Fact]
    public async Task Every_role_instance_waits_for_etcd_s3_and_rabbitmq_and_gets_its_own_port_node_id_and_storage_settings()
    {
        var resources = await ModelAsync();
        var amqpPort = Assert.Single(resources["rabbitmq"].Annotations.OfType<EndpointAnnotation>()).TargetPort;
        var ports = new HashSet<int>();
        foreach (var role in resources.Values.OfType<ProjectResource>().Where(static r => r.Name != "gateway"))
        {
            Assert.Equal(["etcd", "rabbitmq", "s3"], role.Annotations.OfType<WaitAnnotation>().Select(static w => w.Resource.Name).Order());
            var endpoint = Assert.Single(role.Annotations.OfType<EndpointAnnotation>());
            Assert.False(endpoint.IsProxied, $"{role.Name}: a role binds its demuxed port itself");
            Assert.True(ports.Add(endpoint.TargetPort!.Value), $"{role.Name} shares port {endpoint.TargetPort}");
            Assert.Equal(endpoint.Port, endpoint.TargetPort);

            var env = await EnvironmentAsync(role);
            Assert.Equal(endpoint.TargetPort.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), env["VectorAspire__Port"]);
            Assert.Equal("127.0.0.1", env["VectorAspire__Host"]);
            Assert.Equal(role.Name, env["VectorAspire__Cluster__NodeId"]);
            Assert.Equal(Path.Combine(_dataDirectory, role.Name), env["VectorAspire__DataPath"]);
            Assert.Equal("etcd", env["VectorAspire__MetaStore__Provider"]);
            Assert.Matches(@"^http://127\.0\.0\.1:\d+$", env["ConnectionStrings__etcd"]);
            Assert.Equal("s3", env["VectorAspire__ObjectStore__Provider"]);
            Assert.Equal("true", env["VectorAspire__ObjectStore__S3__CreateBucketIfMissing"]);
            Assert.Matches(@"^Endpoint=http://127\.0\.0\.1:\d+;Bucket=vectoraspire;AccessKey=S3RVER;SecretKey=S3RVER;Region=us-east-1;ForcePathStyle=true$", env["ConnectionStrings__s3"]);
            Assert.Equal("object", env["VectorAspire__Wal__Provider"]);
            Assert.Equal($"amqp://guest:guest@127.0.0.1:{amqpPort}/", env["ConnectionStrings__rabbitmq"]);
            Assert.DoesNotContain(env.Keys, static key => key.StartsWith("RABBITMQ_", StringComparison.Ordinal));
            Assert.False(env.ContainsKey("ASPNETCORE_URLS"), $"{role.Name}: Kestrel must not get a second listener");
        }
    }

    [Fact]
    public async Task Replica_counts_come_from_configuration_and_the_gateway_balances_over_every_proxy()
    {
        var resources = await ModelAsync("--VectorAspire:Replicas:proxy=3", "--VectorAspire:Replicas:coordinator=1");

        Assert.Equal(["coordinator-0"], resources.Keys.Where(static n => n.StartsWith("coordinator-", StringComparison.Ordinal)));
        var proxies = resources.Keys.Where(static n => n.StartsWith("proxy-", StringComparison.Ordinal)).ToList();
        Assert.Equal(["proxy-0", "proxy-1", "proxy-2"], proxies);
        var gateway = (ProjectResource)resources["gateway"];
        Assert.Equal(proxies, gateway.Annotations.OfType<WaitAnnotation>().Select(static w => w.Resource.Name).Order());
        var endpoint = Assert.Single(gateway.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal(19530, endpoint.TargetPort);
        Assert.False(endpoint.IsProxied);
        // services__proxy-N__http__0 (the reference) resolves only once DCP allocated the endpoints; the manifest
        // test pins its value. Here: every Proxy is referenced by its http endpoint.
        Assert.Equal(proxies, gateway.Annotations.OfType<EndpointReferenceAnnotation>()
            .Where(static r => r.EndpointNames.Contains("http")).Select(static r => r.Resource.Name).Order());
    }

    [Fact]
    public async Task RabbitMQ_executable_runs_debian_rabbitmq_server_on_loopback_with_its_files_under_the_data_directory_after_its_epmd()
    {
        var resources = await ModelAsync();
        var rabbitmq = resources["rabbitmq"];
        var amqp = Assert.Single(rabbitmq.Annotations.OfType<EndpointAnnotation>());
        Assert.False(amqp.IsProxied);
        Assert.Equal("tcp", amqp.UriScheme);
        var epmd = Assert.Single(resources["rabbitmq-epmd"].Annotations.OfType<EndpointAnnotation>());
        Assert.Equal(["rabbitmq-epmd"], rabbitmq.Annotations.OfType<WaitAnnotation>().Select(static w => w.Resource.Name));
        Assert.True(rabbitmq.TryGetAnnotationsOfType<HealthCheckAnnotation>(out _));

        string root = Path.Combine(_dataDirectory, "rabbitmq");
        var env = await EnvironmentAsync(rabbitmq);
        Assert.Equal(Path.Combine(root, "home"), env["HOME"]);
        Assert.Equal("rabbit@localhost", env["RABBITMQ_NODENAME"]);
        Assert.Equal("127.0.0.1", env["RABBITMQ_NODE_IP_ADDRESS"]);
        Assert.Equal(amqp.TargetPort.ToString(), env["RABBITMQ_NODE_PORT"]);
        Assert.Equal(epmd.TargetPort.ToString(), env["ERL_EPMD_PORT"]);
        Assert.Equal("127.0.0.1", env["ERL_EPMD_ADDRESS"]);
        Assert.Equal(Path.Combine(root, "mnesia"), env["RABBITMQ_MNESIA_BASE"]);
        Assert.Equal(Path.Combine(root, "log"), env["RABBITMQ_LOG_BASE"]);
        Assert.Equal("-kernel inet_dist_use_interface {127,0,0,1}", env["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"]);
        Assert.StartsWith("/usr/lib/rabbitmq/bin:", env["PATH"], StringComparison.Ordinal);
        Assert.Contains($"listeners.tcp.1 = 127.0.0.1:{amqp.TargetPort}", File.ReadAllLines(env["RABBITMQ_CONFIG_FILE"]));
        // Index-build jobs are acknowledged when the build ends: the broker must not cancel a long one after 30 min.
        Assert.Contains("consumer_timeout = 86400000", File.ReadAllLines(env["RABBITMQ_CONFIG_FILE"]));
        Assert.Equal("[].", File.ReadAllText(env["RABBITMQ_ENABLED_PLUGINS_FILE"]).Trim());
        Assert.True(Directory.Exists(Path.Combine(root, "mnesia")));

        // A restarted AppHost gives the broker the ports it had (its node keeps them in mnesia).
        var again = await ModelAsync();
        Assert.Equal(amqp.TargetPort, Assert.Single(again["rabbitmq"].Annotations.OfType<EndpointAnnotation>()).TargetPort);
    }

    [Fact]
    public async Task Published_cluster_runs_the_rabbitmq_3_container_and_every_role_references_its_connection_string_and_waits_for_it()
    {
        string manifest = Path.Combine(_dataDirectory, "manifest.json");
        var resources = await ModelAsync("--publisher", "manifest", "--output-path", manifest);

        var rabbitmq = Assert.IsType<RabbitMQServerResource>(resources["rabbitmq"]);
        var image = Assert.Single(rabbitmq.Annotations.OfType<ContainerImageAnnotation>());
        Assert.Equal(("library/rabbitmq", "3"), (image.Image, image.Tag));
        Assert.Null(image.Registry);
        Assert.Equal(5672, Assert.Single(rabbitmq.Annotations.OfType<EndpointAnnotation>()).TargetPort);
        Assert.Contains(rabbitmq.Annotations.OfType<ContainerMountAnnotation>(), static m => m.Target == "/var/lib/rabbitmq");
        foreach (var role in resources.Values.OfType<ProjectResource>().Where(static r => r.Name != "gateway"))
        {
            Assert.Contains(role.Annotations.OfType<WaitAnnotation>(), static w => w.Resource.Name == "rabbitmq");
            var context = new EnvironmentCallbackContext(
                new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish), role, new Dictionary<string, object>(), TestTimeout.Token());
            foreach (var callback in role.Annotations.OfType<EnvironmentCallbackAnnotation>())
                await callback.Callback(context);
            var reference = Assert.IsType<ConnectionStringReference>(context.EnvironmentVariables["ConnectionStrings__rabbitmq"]);
            Assert.Same(rabbitmq, reference.Resource);
        }
    }

    [Theory]
    [InlineData("--VectorAspire:Replicas:proxy=0", "VectorAspire:Replicas:proxy must be a number from 1 to 16; got '0'")]
    [InlineData("--VectorAspire:Replicas:indexnode=1", "VectorAspire:Replicas:indexnode names no role")]
    [InlineData("--VectorAspire:Infrastructure=vms", "VectorAspire:Infrastructure must be auto, executables or containers; got 'vms'")]
    public async Task Invalid_cluster_settings_exit_with_code_2_and_say_what_is_wrong(string option, string expected)
    {
        var (exitCode, output) = await AppHostCommand.RunAsync("--topology", "cluster", option);

        Assert.Equal(2, exitCode);
        Assert.Contains(expected, output, StringComparison.Ordinal);
    }

    private async Task<Dictionary<string, IResource>> ModelAsync(params string[] extra)
    {
        string[] args = extra.Contains("--publisher")
            ? ["--topology", "cluster", .. extra]
            : ["--topology", "cluster", "--data-dir", _dataDirectory, "--VectorAspire:Infrastructure=executables", .. extra];
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.VectorAspire_AppHost>(args, timeout.Token);
        // Aspire adds a hidden, internal ProjectRebuilderResource per project (dotnet build on restart from the dashboard).
        return builder.Resources.Where(static r => r.GetType().Name != "ProjectRebuilderResource").ToDictionary(static r => r.Name);
    }

    /// <summary>The environment DCP would give the process, evaluated as in run mode.</summary>
    private static async Task<IReadOnlyDictionary<string, string>> EnvironmentAsync(IResource resource)
    {
        var configuration = await ExecutionConfigurationBuilder.Create(resource)
            .WithEnvironmentVariablesConfig()
            .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run),
                Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TestTimeout.Token());
        Assert.Null(configuration.Exception);
        return configuration.EnvironmentVariables.ToDictionary(static pair => pair.Key, static pair => pair.Value);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }
}
