using System.Net.Sockets;
using VectorAspire.AppHost.Kubernetes;

namespace VectorAspire.AppHost.Topologies;

/// <summary>
/// The cluster's etcd (meta store, registry, leadership), S3-compatible object store (segments, indexes, the WAL) and
/// RabbitMQ broker (control flow, <see cref="MessageBroker"/>), as containers (published deployments, or run mode with
/// a container engine) or as local executables (run mode on a machine without one: etcd from PATH, the s3rver emulator
/// that scripts/infra/install.sh puts in scripts/infra/node, Debian's rabbitmq-server).
/// </summary>
public sealed record ClusterInfrastructure(
    IResourceBuilder<IResourceWithEndpoints> Etcd,
    IResourceBuilder<IResourceWithEndpoints> ObjectStore,
    IResourceBuilder<IResourceWithConnectionString> MessageBus,
    ReferenceExpression EtcdConnectionString,
    ReferenceExpression ObjectStoreConnectionString,
    bool AsContainers)
{
    public const string EtcdName = "etcd";
    public const string ObjectStoreName = "s3";
    public const string Bucket = "vectoraspire";
    public const string EtcdImage = "coreos/etcd";
    public const string EtcdImageRegistry = "quay.io";
    public const string EtcdImageTag = "v3.5.17";
    public const string MinioImage = "minio/minio";
    public const string MinioImageTag = "RELEASE.2024-12-13T22-19-12Z";
    public const string S3rverScript = "scripts/infra/node/node_modules/s3rver/bin/s3rver.js";

    /// <summary>s3rver accepts any signature made with its fixed key pair.</summary>
    private const string S3rverKey = "S3RVER";

    public static ClusterInfrastructure AddTo(IDistributedApplicationBuilder builder, AppHostSettings settings, string dataRoot, LoopbackPorts? ports)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        bool containers = settings.Infrastructure switch
        {
            InfrastructureMode.Containers => true,
            InfrastructureMode.Executables => false,
            _ => builder.ExecutionContext.IsPublishMode || ContainerEngineAvailable(),
        };
        if (containers)
            return AddContainers(builder);
        if (builder.ExecutionContext.IsPublishMode)
            throw new AppHostConfigurationException("a published cluster runs its infrastructure as containers; drop VectorAspire:Infrastructure=executables.");
        return AddExecutables(builder, dataRoot, ports ?? throw new ArgumentNullException(nameof(ports)));
    }

    private static ClusterInfrastructure AddExecutables(IDistributedApplicationBuilder builder, string dataRoot, LoopbackPorts ports)
    {
        string repository = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        string s3rver = Path.Combine(repository, S3rverScript);
        if (!ExecutableOnPath("etcd") || !File.Exists(s3rver))
        {
            throw new AppHostConfigurationException(
                "no container engine here, so the cluster runs etcd and s3rver as local processes, but " +
                (ExecutableOnPath("etcd") ? $"{s3rver} is missing" : "etcd is not on PATH") + "; run scripts/infra/install.sh first.");
        }

        int client = ports.For("etcd-client");
        int peer = ports.For("etcd-peer");
        string clientUrl = $"http://127.0.0.1:{client}";
        string peerUrl = $"http://127.0.0.1:{peer}";
        Directory.CreateDirectory(dataRoot);
        var etcd = builder.AddExecutable(EtcdName, "etcd", dataRoot,
                "--name", EtcdName, "--data-dir", Path.Combine(dataRoot, "etcd"), "--logger", "zap", "--log-level", "warn",
                "--listen-client-urls", clientUrl, "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl, "--initial-advertise-peer-urls", peerUrl, "--initial-cluster", $"{EtcdName}={peerUrl}")
            .WithHttpEndpoint(port: client, targetPort: client, name: "client", isProxied: false)
            .WithHttpEndpoint(port: peer, targetPort: peer, name: "peer", isProxied: false)
            .WithUrlForEndpoint("client", static url => url.DisplayText = "etcd client (executable)")
            .WithUrlForEndpoint("peer", static url => url.DisplayLocation = UrlDisplayLocation.DetailsOnly)
            .WithHttpHealthCheck("/health", endpointName: "client");

        int s3Port = ports.For("s3");
        string s3Directory = Path.Combine(dataRoot, "s3");
        Directory.CreateDirectory(s3Directory);
        var s3 = builder.AddExecutable(ObjectStoreName, "node", repository,
                s3rver, "-d", s3Directory, "-a", "127.0.0.1", "-p", s3Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent")
            // s3rver 3.7's dependencies use a hash Node 17+ only has behind the legacy provider.
            .WithEnvironment("NODE_OPTIONS", "--openssl-legacy-provider")
            .WithHttpEndpoint(port: s3Port, targetPort: s3Port, name: "http", isProxied: false)
            .WithUrlForEndpoint("http", static url => url.DisplayText = "S3 API (s3rver executable)")
            .WithHttpHealthCheck("/", endpointName: "http");

        string s3ConnectionString = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"Endpoint=http://127.0.0.1:{s3Port};Bucket={Bucket};AccessKey={S3rverKey};SecretKey={S3rverKey};Region=us-east-1;ForcePathStyle=true");
        return new ClusterInfrastructure(
            etcd,
            s3,
            MessageBroker.AddExecutable(builder, dataRoot, ports),
            ReferenceExpression.Create($"{clientUrl}"),
            ReferenceExpression.Create($"{s3ConnectionString}"),
            AsContainers: false);
    }

    private static ClusterInfrastructure AddContainers(IDistributedApplicationBuilder builder)
    {
        var etcd = builder.AddContainer(EtcdName, EtcdImage, EtcdImageTag)
            .WithImageRegistry(EtcdImageRegistry)
            .WithEntrypoint("/usr/local/bin/etcd")
            .WithHttpEndpoint(targetPort: 2379, name: "client")
            .WithVolume("vectoraspire-etcd", "/etcd-data")
            .WithUrlForEndpoint("client", static url => url.DisplayText = "etcd client (container)")
            .WithProbes("client", "/health", "/health");
        var client = etcd.GetEndpoint("client");
        etcd.WithArgs(context =>
        {
            foreach (var arg in new[] { "--name", EtcdName, "--data-dir", "/etcd-data", "--listen-client-urls", "http://0.0.0.0:2379" })
                context.Args.Add(arg);
            context.Args.Add("--advertise-client-urls");
            context.Args.Add(client.Property(EndpointProperty.Url));
        });

        var accessKey = builder.AddParameter("s3-access-key", secret: false);
        var secretKey = builder.AddParameter("s3-secret-key", secret: true);
        var minio = builder.AddContainer(ObjectStoreName, MinioImage, MinioImageTag)
            .WithArgs("server", "/data", "--address", ":9000")
            .WithEnvironment("MINIO_ROOT_USER", accessKey)
            .WithEnvironment("MINIO_ROOT_PASSWORD", secretKey)
            .WithHttpEndpoint(targetPort: 9000, name: "http")
            .WithVolume("vectoraspire-s3", "/data")
            .WithUrlForEndpoint("http", static url => url.DisplayText = "S3 API (MinIO container)")
            .WithProbes("http", "/minio/health/ready", "/minio/health/live");
        var s3 = minio.GetEndpoint("http");

        return new ClusterInfrastructure(
            etcd,
            minio,
            MessageBroker.AddContainer(builder),
            ReferenceExpression.Create($"{client}"),
            ReferenceExpression.Create($"Endpoint={s3};Bucket={Bucket};AccessKey={accessKey};SecretKey={secretKey};Region=us-east-1;ForcePathStyle=true"),
            AsContainers: true);
    }

    /// <summary>What the console says about where the infrastructure runs.</summary>
    public string Describe() => AsContainers
        ? $"cluster infrastructure: {EtcdName} ({EtcdImageRegistry}/{EtcdImage}:{EtcdImageTag}), {ObjectStoreName} ({MinioImage}:{MinioImageTag}) " +
          $"and {MessageBroker.Name} ({MessageBroker.Image}:{MessageBroker.ImageTag}) run as containers"
        : $"cluster infrastructure: {EtcdName} (etcd from PATH), {ObjectStoreName} (s3rver, {S3rverScript}) " +
          $"and {MessageBroker.Name} ({MessageBroker.ServerScript}) run as executables: no container engine found";

    /// <summary>
    /// Podman needs no daemon; a docker CLI without a daemon to talk to (this machine has one) cannot run containers,
    /// and DCP only warns about it, so the daemon's socket is tried.
    /// </summary>
    private static bool ContainerEngineAvailable()
    {
        if (ExecutableOnPath("podman"))
            return true;
        if (!ExecutableOnPath("docker"))
            return false;
        string host = Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } h ? h : "unix:///var/run/docker.sock";
        if (!host.StartsWith("unix://", StringComparison.Ordinal))
            return true; // a remote daemon: let DCP find out
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(host["unix://".Length..]));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool ExecutableOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, name)));
}
