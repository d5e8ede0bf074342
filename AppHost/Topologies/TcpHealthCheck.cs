using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace VectorAspire.AppHost.Topologies;

/// <summary>
/// Healthy when 127.0.0.1:<c>port</c> accepts a connection; with <c>amqp</c>, only once the broker answers the AMQP
/// 0-9-1 protocol header with its first frame (a method frame, connection.start: class 10, method 10), which a broker
/// still booting or refusing clients does not send.
/// </summary>
internal sealed class TcpHealthCheck(int port, bool amqp) : IHealthCheck
{
    private static readonly byte[] s_amqpHeader = [(byte)'A', (byte)'M', (byte)'Q', (byte)'P', 0, 0, 9, 1];

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), timeout.Token);
            if (!amqp)
                return HealthCheckResult.Healthy();

            await socket.SendAsync(s_amqpHeader, SocketFlags.None, timeout.Token);
            // frame type (1), channel (2), size (4), then the method's class id and method id (2 + 2).
            var frame = new byte[11];
            int read = 0;
            while (read < frame.Length)
            {
                int n = await socket.ReceiveAsync(frame.AsMemory(read), SocketFlags.None, timeout.Token);
                if (n == 0)
                    return HealthCheckResult.Unhealthy($"port {port} closed the connection before the AMQP greeting");
                read += n;
            }

            bool connectionStart = frame[0] == 1 && frame[7] == 0 && frame[8] == 10 && frame[9] == 0 && frame[10] == 10;
            return connectionStart
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"port {port} answered the AMQP header with something other than connection.start");
        }
        catch (Exception ex) when ((ex is SocketException or OperationCanceledException) && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"127.0.0.1:{port}: {ex.Message}");
        }
    }
}
