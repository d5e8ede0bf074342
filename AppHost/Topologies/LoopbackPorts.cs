using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace VectorAspire.AppHost.Topologies;

/// <summary>
/// Ports on 127.0.0.1 for run mode, remembered in a file per name so a restarted AppHost gives etcd, s3rver and every
/// role the address it had (etcd keeps its peer URL in its data directory); a remembered port that is taken now is
/// replaced by a free one. Non-proxied endpoints need their port up front: DCP allocates ports only for proxied ones.
/// </summary>
public sealed class LoopbackPorts
{
    private readonly string _path;
    private readonly Dictionary<string, int> _ports = new(StringComparer.Ordinal);
    private readonly HashSet<int> _given = [];

    public LoopbackPorts(string path)
    {
        _path = path;
        if (!File.Exists(path))
            return;
        foreach (var line in File.ReadAllLines(path))
        {
            var parts = line.Split('=', 2);
            if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                _ports[parts[0]] = port;
        }
    }

    public int For(string name)
    {
        if (!_ports.TryGetValue(name, out var port) || _given.Contains(port) || !IsFree(port))
        {
            do
                port = AnyFreePort();
            while (_given.Contains(port));
            _ports[name] = port;
            Save();
        }

        _given.Add(port);
        return port;
    }

    private void Save()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        File.WriteAllLines(_path, _ports.OrderBy(static p => p.Key, StringComparer.Ordinal)
            .Select(static p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value}")));
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int AnyFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
