using System.Collections.Concurrent;
using Grpc.Net.Client;

namespace VectorAspire.Cluster;

/// <summary>
/// One <see cref="GrpcChannel"/> per remote address for the process: every client of that address shares its HTTP/2
/// connection(s) and multiplexes calls as streams (a second connection opens only when one reaches the server's
/// stream limit). Messages are unlimited in size: inserts and segment writes can be tens of MB.
/// </summary>
public sealed class GrpcChannelPool : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<GrpcChannel>> _channels = new(StringComparer.OrdinalIgnoreCase);

    public GrpcChannel Get(Uri address)
    {
        string key = address.GetLeftPart(UriPartial.Authority);
        return _channels.GetOrAdd(key, static k => new Lazy<GrpcChannel>(() => Create(k))).Value;
    }

    private static GrpcChannel Create(string address)
    {
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        return GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
            ThrowOperationCanceledOnCancellation = true,
        });
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            if (channel.IsValueCreated)
                channel.Value.Dispose();
        }
        _channels.Clear();
    }
}

/// <summary>
/// Where a role is reachable. Resolved on first use, not at construction: in the loopback composition the address
/// is known only once Kestrel has bound the internal port, after the clients were created.
/// </summary>
public sealed class RoleEndpoint(string role, Func<Uri> resolve)
{
    private readonly Lazy<Uri> _address = new(resolve);

    public string Role { get; } = role;

    public Uri Address => _address.Value;
}
