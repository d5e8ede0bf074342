using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using VectorAspire.Core.Contracts;

namespace VectorAspire.Cluster.Messaging;

/// <summary>How a consumer's receive endpoint is shared between the instances of a role.</summary>
public enum ControlEndpoint
{
    /// <summary>One queue for the role: each message goes to one instance (jobs, commits).</summary>
    Shared,

    /// <summary>A queue per instance, removed when it stops: every instance gets every message (kicks, notifications).</summary>
    PerInstance,
}

/// <summary>A role's consumer, collected by <see cref="ControlBusExtensions.AddControlBus"/> into the one bus of the process.</summary>
public sealed record ControlConsumerRegistration(Action<IBusRegistrationConfigurator, string> Register);

/// <summary>
/// The control bus (MassTransit). Roles declare their consumers with <see cref="AddControlConsumer{T}"/> in their
/// AddXxx; the host calls <see cref="AddControlBus"/> once after all roles, so Standalone (every role, one in-memory
/// bus) and a cluster node (its role's consumers, RabbitMQ) run the same consumers. The transport is
/// <c>VectorAspire:Bus:Transport</c> (<c>inmemory</c> or <c>rabbitmq</c>); by default RabbitMQ when Aspire's
/// <c>ConnectionStrings:rabbitmq</c> (an AMQP URI, <c>amqp://user:password@host:port/vhost</c>) is set.
/// </summary>
public static class ControlBusExtensions
{
    public const string Section = "VectorAspire:Bus";

    public static IServiceCollection AddControlConsumer<T>(this IServiceCollection services, ControlEndpoint endpoint, int concurrentMessages = 4)
        where T : class, IConsumer
        => services.AddSingleton(new ControlConsumerRegistration((x, instanceId) => x.AddConsumer<T>().Endpoint(e =>
        {
            e.ConcurrentMessageLimit = concurrentMessages;
            e.PrefetchCount = concurrentMessages;
            if (endpoint == ControlEndpoint.PerInstance)
            {
                e.InstanceId = instanceId;
                e.Temporary = true;
            }
        })));

    /// <param name="instanceId">Names this process's per-instance queues.</param>
    /// <param name="requireBroker">A cluster node: an in-memory bus would split the control flow per process, so refuse it.</param>
    public static IServiceCollection AddControlBus(this IServiceCollection services, IConfiguration configuration, string instanceId, bool requireBroker)
    {
        var consumers = services.Where(d => d.ServiceType == typeof(ControlConsumerRegistration) && d.ImplementationInstance is not null)
            .Select(d => (ControlConsumerRegistration)d.ImplementationInstance!).ToList();
        var transport = ResolveTransport(configuration, requireBroker);
        string suffix = SanitizeInstanceId(instanceId);
        services.AddMassTransit(x =>
        {
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter("va", false));
            foreach (var c in consumers)
                c.Register(x, suffix);
            if (transport is RabbitMqAddress rabbit)
            {
                x.UsingRabbitMq((ctx, cfg) =>
                {
                    cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, $"vectoraspire-{suffix}", h =>
                    {
                        h.Username(rabbit.User);
                        h.Password(rabbit.Password);
                    });
                    cfg.UseMessageRetry(r => r.Exponential(6, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(400)));
                    cfg.ConfigureEndpoints(ctx);
                });
            }
            else
            {
                x.UsingInMemory((ctx, cfg) =>
                {
                    cfg.UseMessageRetry(r => r.Exponential(6, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(400)));
                    cfg.ConfigureEndpoints(ctx);
                });
            }
        });
        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            // Consumers are attached before the host reports started, so no event published at start-up is missed.
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(10);
        });
        services.AddSingleton<IControlBus, MassTransitControlBus>();
        return services;
    }

    /// <summary>The broker address, or null for the in-memory transport.</summary>
    public static RabbitMqAddress? ResolveTransport(IConfiguration configuration, bool requireBroker)
    {
        string? connection = configuration.GetConnectionString("rabbitmq");
        string transport = configuration[$"{Section}:Transport"] ?? (string.IsNullOrWhiteSpace(connection) ? "inmemory" : "rabbitmq");
        switch (transport.ToLowerInvariant())
        {
            case "inmemory":
                if (requireBroker)
                    throw new InvalidOperationException(
                        "a cluster node needs the control bus every node shares: set ConnectionStrings:rabbitmq (amqp://user:password@host:port/) — the in-memory bus is for standalone");
                return null;
            case "rabbitmq":
                if (string.IsNullOrWhiteSpace(connection))
                    throw new InvalidOperationException($"{Section}:Transport=rabbitmq needs ConnectionStrings:rabbitmq (amqp://user:password@host:port/)");
                return RabbitMqAddress.Parse(connection);
            default:
                throw new InvalidOperationException($"{Section}:Transport '{transport}' is not supported: use inmemory or rabbitmq");
        }
    }

    private static string SanitizeInstanceId(string id)
    {
        var chars = id.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        return new string(chars).Trim('-');
    }
}

/// <summary>A RabbitMQ address from an AMQP URI (<c>amqp://user:password@host:port/vhost</c>; defaults guest/guest, 5672, "/").</summary>
public sealed record RabbitMqAddress(string Host, ushort Port, string VirtualHost, string User, string Password)
{
    public static RabbitMqAddress Parse(string connection)
    {
        if (!Uri.TryCreate(connection.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "rabbitmq"))
            throw new InvalidOperationException($"ConnectionStrings:rabbitmq '{connection}' is not an AMQP URI (amqp://user:password@host:port/vhost)");
        string user = "guest", password = "guest";
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
        }
        string vhost = uri.AbsolutePath.Length <= 1 ? "/" : Uri.UnescapeDataString(uri.AbsolutePath[1..]);
        return new RabbitMqAddress(uri.Host, (ushort)(uri.IsDefaultPort || uri.Port <= 0 ? 5672 : uri.Port), vhost, user, password);
    }
}

internal sealed class MassTransitControlBus(IBus bus) : IControlBus
{
    public async ValueTask PublishAsync<T>(T message, CancellationToken cancellationToken) where T : class
        => await bus.Publish(message, cancellationToken);
}
