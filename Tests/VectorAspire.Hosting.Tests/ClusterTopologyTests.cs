using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

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
        Assert.DoesNotContain(resources.Keys, static name => name.Contains("rabbit", StringComparison.OrdinalIgnoreCase));
        foreach (var resource in resources.Values)
            Assert.True(resource.TryGetAnnotationsOfType<HealthCheckAnnotation>(out _), $"{resource.Name} has no health check");
    }

    [Fact]
    public async Task Every_role_instance_waits_for_etcd_and_s3_and_gets_its_own_port_node_id_and_storage_settings()
    {
        var resources = await ModelAsync();
        var ports = new HashSet<int>();
        foreach (var role in resources.Values.OfType<ProjectResource>().Where(static r => r.Name != "gateway"))
        {
            Assert.Equal(["etcd", "s3"], role.Annotations.OfType<WaitAnnotation>().Select(static w => w.Resource.Name).Order());
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
        string[] args = ["--topology", "cluster", "--data-dir", _dataDirectory, "--VectorAspire:Infrastructure=executables", .. extra];
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
