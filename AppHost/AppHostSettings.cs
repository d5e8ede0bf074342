using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace VectorAspire.AppHost;

/// <summary>
/// What the AppHost declares, from the <c>VectorAspire</c> configuration section (appsettings, environment
/// <c>VectorAspire__Topology</c>, or the command line: <c>--topology</c>, <c>--port</c>, <c>--data-dir</c>).
/// </summary>
public sealed record AppHostSettings
{
    public const string Section = "VectorAspire";
    public const int DefaultPort = 19530;

    public string Topology { get; init; } = StandaloneTopologyName;

    /// <summary>The public port: REST v2, gRPC, /health and /alive.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Null means the topology's default (run mode: AppHost/data; publish mode: a path in the container).</summary>
    public string? DataPath { get; init; }

    /// <summary>
    /// Cluster topology: instances per role (<c>VectorAspire:Replicas:{role}</c>), keyed by the role's resource name
    /// (coordinator, streamingnode, querynode, datanode, proxy).
    /// </summary>
    public IReadOnlyDictionary<string, int> Replicas { get; init; } = DefaultReplicas;

    /// <summary>Cluster topology: how etcd and the object store run (<c>VectorAspire:Infrastructure</c>).</summary>
    public InfrastructureMode Infrastructure { get; init; } = InfrastructureMode.Auto;

    public static readonly IReadOnlyDictionary<string, int> DefaultReplicas = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
    {
        ["coordinator"] = 2,
        ["streamingnode"] = 2,
        ["querynode"] = 2,
        ["datanode"] = 1,
        ["proxy"] = 2,
    };

    public const int MaxReplicas = 16;

    public const string StandaloneTopologyName = "standalone";
    public const string ClusterTopologyName = "cluster";

    /// <exception cref="AppHostConfigurationException">A value that is not valid.</exception>
    public static AppHostSettings From(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        var settings = new AppHostSettings();

        if (section["Topology"] is { Length: > 0 } topology)
        {
            settings = settings with { Topology = topology.Trim().ToLowerInvariant() };
        }

        if (section["Port"] is { Length: > 0 } portText)
        {
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new AppHostConfigurationException($"--port (VectorAspire:Port) must be a number from 1 to 65535; got '{portText}'.");
            }

            settings = settings with { Port = port };
        }

        if (section["DataPath"] is { Length: > 0 } dataPath)
        {
            settings = settings with { DataPath = dataPath };
        }

        var replicas = new Dictionary<string, int>(DefaultReplicas, StringComparer.OrdinalIgnoreCase);
        foreach (var role in section.GetSection("Replicas").GetChildren())
        {
            if (!replicas.ContainsKey(role.Key))
            {
                throw new AppHostConfigurationException(
                    $"VectorAspire:Replicas:{role.Key} names no role; use one of {string.Join(", ", DefaultReplicas.Keys)}.");
            }

            if (!int.TryParse(role.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count is < 1 or > MaxReplicas)
            {
                throw new AppHostConfigurationException(
                    $"VectorAspire:Replicas:{role.Key} must be a number from 1 to {MaxReplicas}; got '{role.Value}'.");
            }

            replicas[role.Key] = count;
        }

        settings = settings with { Replicas = replicas };

        if (section["Infrastructure"] is { Length: > 0 } infrastructure)
        {
            if (!Enum.TryParse<InfrastructureMode>(infrastructure, ignoreCase: true, out var mode) || !Enum.IsDefined(mode))
            {
                throw new AppHostConfigurationException(
                    $"VectorAspire:Infrastructure must be auto, executables or containers; got '{infrastructure}'.");
            }

            settings = settings with { Infrastructure = mode };
        }

        return settings;
    }

    /// <summary>Rewrites our short flags into configuration keys; Aspire's own arguments pass through.</summary>
    public static string[] MapArguments(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var mapped = new string[args.Length];
        for (var i = 0; i < args.Length; i++)
        {
            mapped[i] = args[i] switch
            {
                "--topology" => "--VectorAspire:Topology",
                "--port" => "--VectorAspire:Port",
                "--data-dir" => "--VectorAspire:DataPath",
                var a when a.StartsWith("--topology=", StringComparison.Ordinal) => "--VectorAspire:Topology=" + a["--topology=".Length..],
                var a when a.StartsWith("--port=", StringComparison.Ordinal) => "--VectorAspire:Port=" + a["--port=".Length..],
                var a when a.StartsWith("--data-dir=", StringComparison.Ordinal) => "--VectorAspire:DataPath=" + a["--data-dir=".Length..],
                var a => a,
            };
        }

        return mapped;
    }
}

/// <summary>How the cluster's etcd and object store run.</summary>
public enum InfrastructureMode
{
    /// <summary>Containers when publishing or when a container engine answers (podman, or docker with its daemon); otherwise executables.</summary>
    Auto,

    /// <summary>Local processes: etcd from PATH and s3rver from scripts/infra/node (scripts/infra/install.sh).</summary>
    Executables,

    /// <summary>quay.io/coreos/etcd and minio/minio.</summary>
    Containers,
}
