namespace VectorAspire.Core.Contracts;

/// <summary>
/// The control-flow bus between roles (MassTransit: RabbitMQ in a cluster, in memory in standalone): index-build jobs,
/// segment and membership events. Data never goes over it. Every message is idempotent for its consumers: a
/// redelivered or duplicated one changes nothing.
/// </summary>
public interface IControlBus
{
    ValueTask PublishAsync<T>(T message, CancellationToken cancellationToken) where T : class;
}
