using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace VectorAspire.Core.Rpc;

/// <summary>
/// One of the two virtual endpoints sharing a real socket: Kestrel serves HTTP/1.1 (REST) on one and HTTP/2 with prior
/// knowledge (gRPC) on the other. Kestrel cannot do both on a cleartext endpoint (it decides at bind time), so the
/// transport routes each connection by its first bytes: the HTTP/2 preface, or anything else.
/// </summary>
public sealed class DemuxEndPoint(DemuxGroup group, bool http2) : EndPoint
{
    public DemuxGroup Group { get; } = group;

    public bool Http2 { get; } = http2;

    /// <summary>The real address (the bound port once bound), which Kestrel shows as "http://{this}".</summary>
    public override string ToString() => Group.BoundEndPoint?.ToString() ?? Group.Requested.ToString();
}

/// <summary>The real socket two <see cref="DemuxEndPoint"/>s share.</summary>
public sealed class DemuxGroup(IPEndPoint requested)
{
    public IPEndPoint Requested { get; } = requested;

    public EndPoint? BoundEndPoint { get; internal set; }

    internal IConnectionListener? Real { get; set; }

    internal Channel<ConnectionContext> Http1 { get; } = Channel.CreateUnbounded<ConnectionContext>();

    internal Channel<ConnectionContext> Http2 { get; } = Channel.CreateUnbounded<ConnectionContext>();

    internal int Bound { get; set; }

    internal SemaphoreSlim Gate { get; } = new(1, 1);
}

public sealed partial class DemuxTransportFactory(IOptions<SocketTransportOptions> options, ILoggerFactory loggerFactory)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private static readonly byte[] s_preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
    private readonly SocketTransportFactory _sockets = new(options, loggerFactory);
    private readonly ILogger _logger = loggerFactory.CreateLogger<DemuxTransportFactory>();

    public bool CanBind(EndPoint endpoint) => endpoint is DemuxEndPoint or IPEndPoint;

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not DemuxEndPoint demux)
            return await _sockets.BindAsync(endpoint, cancellationToken);
        var group = demux.Group;
        await group.Gate.WaitAsync(cancellationToken);
        try
        {
            if (group.Real is null)
            {
                group.Real = await _sockets.BindAsync(group.Requested, cancellationToken);
                group.BoundEndPoint = group.Real.EndPoint;
                _ = Task.Run(() => AcceptLoopAsync(group), CancellationToken.None);
            }
            group.Bound++;
            return new VirtualListener(demux, demux.Http2 ? group.Http2 : group.Http1);
        }
        finally
        {
            group.Gate.Release();
        }
    }

    private async Task AcceptLoopAsync(DemuxGroup group)
    {
        var real = group.Real!;
        try
        {
            while (await real.AcceptAsync() is { } connection)
                _ = RouteAsync(connection, group);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            LogAcceptFailed(ex);
        }
        finally
        {
            group.Http1.Writer.TryComplete();
            group.Http2.Writer.TryComplete();
        }
    }

    /// <summary>How long a new connection may stay silent before it is handed to HTTP/1.1 (whose own timeouts apply).</summary>
    private static readonly TimeSpan s_sniffTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Peeks at the first bytes without consuming them, then hands the connection to the right endpoint.</summary>
    private static async Task RouteAsync(ConnectionContext connection, DemuxGroup group)
    {
        try
        {
            var input = connection.Transport.Input;
            using var silent = new CancellationTokenSource(s_sniffTimeout);
            while (true)
            {
                ReadResult read;
                try
                {
                    read = await input.ReadAsync(silent.Token);
                }
                catch (OperationCanceledException) when (silent.IsCancellationRequested)
                {
                    await group.Http1.Writer.WriteAsync(connection);
                    return;
                }
                var buffer = read.Buffer;
                int n = (int)Math.Min(buffer.Length, s_preface.Length);
                bool prefix = StartsWithPreface(buffer.Slice(0, n), n);
                if (n == s_preface.Length || !prefix || read.IsCompleted)
                {
                    input.AdvanceTo(buffer.Start);
                    await (n == s_preface.Length && prefix ? group.Http2 : group.Http1).Writer.WriteAsync(connection);
                    return;
                }
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (Exception)
        {
            await connection.DisposeAsync();
        }
    }

    private static bool StartsWithPreface(ReadOnlySequence<byte> head, int n)
    {
        Span<byte> bytes = stackalloc byte[24];
        head.CopyTo(bytes);
        return bytes[..n].SequenceEqual(s_preface.AsSpan(0, n));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Accepting connections failed")]
    private partial void LogAcceptFailed(Exception ex);

    private sealed class VirtualListener(DemuxEndPoint endpoint, Channel<ConnectionContext> connections) : IConnectionListener
    {
        public EndPoint EndPoint => endpoint;

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            try
            {
                return await connections.Reader.ReadAsync(cancellationToken);
            }
            catch (ChannelClosedException)
            {
                return null;
            }
        }

        public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            // Unbinding must happen even when the token is already cancelled: a host disposed without being stopped
            // first passes one, and skipping the unbind would leave the port bound. The gate is only held briefly.
            var group = endpoint.Group;
            await group.Gate.WaitAsync(CancellationToken.None);
            try
            {
                connections.Writer.TryComplete();
                if (--group.Bound == 0 && group.Real is { } real)
                {
                    await real.UnbindAsync(CancellationToken.None);
                    await real.DisposeAsync();
                    group.Real = null;
                }
            }
            finally
            {
                group.Gate.Release();
            }
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

public static class DemuxTransportExtensions
{
    /// <summary>Replaces Kestrel's socket transport with one that can share a port between HTTP/1.1 and h2c.</summary>
    public static IServiceCollection AddGrpcDemuxTransport(this IServiceCollection services)
        => services.AddSingleton<IConnectionListenerFactory, DemuxTransportFactory>();

    /// <summary>REST (HTTP/1.1) and gRPC (HTTP/2 prior knowledge) on one address and port (0 = any free port).</summary>
    /// <returns>The shared listener; its <see cref="DemuxGroup.BoundEndPoint"/> is the bound address once Kestrel started.</returns>
    public static DemuxGroup ListenRestAndGrpc(this KestrelServerOptions kestrel, IPEndPoint endpoint)
    {
        var group = new DemuxGroup(endpoint);
        kestrel.Listen(new DemuxEndPoint(group, http2: false), l => l.Protocols = HttpProtocols.Http1);
        kestrel.Listen(new DemuxEndPoint(group, http2: true), l => l.Protocols = HttpProtocols.Http2);
        return group;
    }
}
