using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using VectorAspire.Core.Rpc;

namespace VectorAspire.Integration.Tests.Rpc;

/// <summary>The shared REST+gRPC port's listener.</summary>
public sealed class DemuxTransportTests
{
    [Fact]
    public async Task AHostDisposedWithoutBeingStoppedReleasesItsPort()
    {
        DemuxGroup? group = null;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpcDemuxTransport();
        builder.WebHost.ConfigureKestrel(k => group = k.ListenRestAndGrpc(new IPEndPoint(IPAddress.Loopback, 0)));
        var app = builder.Build();
        app.MapGet("/", () => "ok");
        await app.StartAsync();
        int port = ((IPEndPoint)group!.BoundEndPoint!).Port;

        // Kestrel's dispose path hands the transport an already-cancelled token.
        await app.DisposeAsync();

        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, port)); // throws "address in use" if the listener was left bound
    }
}
