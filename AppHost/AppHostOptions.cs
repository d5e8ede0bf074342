namespace VectorAspire.AppHost;

/// <summary>Command line of the AppHost: <c>--port</c>, <c>--data-dir</c>, <c>--topology</c>, <c>--health-timeout</c>.</summary>
public sealed record AppHostOptions
{
    public const int DefaultPort = 19530;
    public const string DefaultDataDirectory = "./data";
    public const string StandaloneTopology = "standalone";

    public int Port { get; init; } = DefaultPort;

    /// <summary>Absolute path; a relative <c>--data-dir</c> is resolved against the AppHost's working directory.</summary>
    public string DataDirectory { get; init; } = Path.GetFullPath(DefaultDataDirectory);

    public string Topology { get; init; } = StandaloneTopology;

    public TimeSpan HealthTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public static string Usage =>
        """
        usage: vectoraspire-apphost [--topology standalone] [--port 19530] [--data-dir ./data] [--health-timeout 60]
          --topology        which processes to start; only 'standalone' is supported yet
          --port            port of REST v2, gRPC, /health and /alive (default 19530)
          --data-dir        data directory of the standalone server (default ./data)
          --health-timeout  seconds to wait for each resource's /health to answer 200 (default 60)
        """;

    /// <exception cref="AppHostUsageException">An unknown option, a missing or invalid value.</exception>
    public static AppHostOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new AppHostOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = SplitOption(args[i]);
            string Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                if (i + 1 >= args.Count)
                {
                    throw new AppHostUsageException($"{name} needs a value.");
                }

                return args[++i];
            }

            switch (name)
            {
                case "--port":
                    var portText = Value();
                    if (!int.TryParse(portText, out var port) || port is < 1 or > 65535)
                    {
                        throw new AppHostUsageException($"--port must be a number from 1 to 65535; got '{portText}'.");
                    }

                    options = options with { Port = port };
                    break;
                case "--data-dir":
                    var dataDirectory = Value();
                    if (string.IsNullOrWhiteSpace(dataDirectory))
                    {
                        throw new AppHostUsageException("--data-dir must not be empty.");
                    }

                    options = options with { DataDirectory = Path.GetFullPath(dataDirectory) };
                    break;
                case "--topology":
                    var topology = Value().Trim().ToLowerInvariant();
                    if (topology != StandaloneTopology)
                    {
                        throw new AppHostUsageException(
                            $"--topology '{topology}' is not supported yet; the only topology is '{StandaloneTopology}'.");
                    }

                    options = options with { Topology = topology };
                    break;
                case "--health-timeout":
                    var timeoutText = Value();
                    if (!int.TryParse(timeoutText, out var seconds) || seconds < 1)
                    {
                        throw new AppHostUsageException($"--health-timeout must be a positive number of seconds; got '{timeoutText}'.");
                    }

                    options = options with { HealthTimeout = TimeSpan.FromSeconds(seconds) };
                    break;
                default:
                    throw new AppHostUsageException($"unknown option '{args[i]}'.");
            }
        }

        return options;
    }

    private static (string Name, string? InlineValue) SplitOption(string arg)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && equals > 0
            ? (arg[..equals], arg[(equals + 1)..])
            : (arg, null);
    }
}
