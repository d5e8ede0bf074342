using Microsoft.Extensions.Hosting;

namespace VectorAspire.Proxy.Security;

/// <summary>With authentication on, loads the users (creating root) at start, so the default-password warning shows in the start-up log.</summary>
public sealed class CredentialStartup(CredentialStore store) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (store.Enabled)
            await store.EnsureStartedAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
