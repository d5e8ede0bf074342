using Microsoft.Extensions.Configuration;
using VectorAspire.Cluster.Messaging;

namespace VectorAspire.Integration.Tests;

/// <summary>Which transport the control bus uses, and the errors a wrong setting gets.</summary>
public class ControlBusConfigurationTests
{
    private static IConfiguration Config(params (string Key, string Value)[] pairs)
        => new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    [Fact]
    public void AnAmqpUriGivesHostPortVirtualHostAndCredentials()
    {
        Assert.Equal(new RabbitMqAddress("10.0.0.5", 5673, "/", "guest", "guest"), RabbitMqAddress.Parse("amqp://10.0.0.5:5673/"));
        Assert.Equal(new RabbitMqAddress("mq", 5672, "va", "user", "p@ss:word"), RabbitMqAddress.Parse("amqp://user:p%40ss%3Aword@mq/va"));
        var ex = Assert.Throws<InvalidOperationException>(() => RabbitMqAddress.Parse("Host=mq;Port=5672"));
        Assert.Contains("not an AMQP URI", ex.Message);
    }

    [Fact]
    public void TheBrokerIsUsedWhenItsConnectionStringIsSetAndAClusterNodeRefusesTheInMemoryBus()
    {
        Assert.Null(ControlBusExtensions.ResolveTransport(Config(), requireBroker: false));
        Assert.Equal("mq", ControlBusExtensions.ResolveTransport(Config(("ConnectionStrings:rabbitmq", "amqp://mq:5672/")), requireBroker: true)!.Host);
        var cluster = Assert.Throws<InvalidOperationException>(() => ControlBusExtensions.ResolveTransport(Config(), requireBroker: true));
        Assert.Contains("ConnectionStrings:rabbitmq", cluster.Message);
        var missing = Assert.Throws<InvalidOperationException>(() => ControlBusExtensions.ResolveTransport(Config(("VectorAspire:Bus:Transport", "rabbitmq")), requireBroker: false));
        Assert.Contains("needs ConnectionStrings:rabbitmq", missing.Message);
        var unknown = Assert.Throws<InvalidOperationException>(() => ControlBusExtensions.ResolveTransport(Config(("VectorAspire:Bus:Transport", "kafka")), requireBroker: false));
        Assert.Contains("not supported", unknown.Message);
        // An explicit in-memory bus wins over a configured broker (standalone next to a broker it should not join).
        Assert.Null(ControlBusExtensions.ResolveTransport(Config(("VectorAspire:Bus:Transport", "inmemory"), ("ConnectionStrings:rabbitmq", "amqp://mq/")), requireBroker: false));
    }
}
