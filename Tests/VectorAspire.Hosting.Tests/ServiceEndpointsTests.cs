using Microsoft.Extensions.Configuration;
using VectorAspire.ServiceDefaults;

namespace VectorAspire.Hosting.Tests;

public sealed class ServiceEndpointsTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();

    [Fact]
    public void Resolves_the_first_indexed_address_of_a_named_endpoint()
    {
        var configuration = Configuration(
            ("services:querynode:grpc:0", "http://10.0.0.1:21123"),
            ("services:querynode:http:0", "http://10.0.0.1:8080"));

        Assert.Equal(new Uri("http://10.0.0.1:21123"), ServiceEndpoints.Resolve(configuration, "querynode", "grpc"));
        Assert.Equal(new Uri("http://10.0.0.1:8080"), ServiceEndpoints.Resolve(configuration, "querynode"));
    }

    [Fact]
    public void Addresses_are_returned_in_numeric_index_order()
    {
        var configuration = Configuration(
            ("services:proxy:http:10", "http://p10:1"),
            ("services:proxy:http:2", "http://p2:1"),
            ("services:proxy:http:0", "http://p0:1"));

        var all = ServiceEndpoints.ResolveAll(configuration, "proxy", "http");

        Assert.Equal([new Uri("http://p0:1"), new Uri("http://p2:1"), new Uri("http://p10:1")], all);
    }

    [Fact]
    public void Aspire_environment_variable_spelling_is_read()
    {
        var variable = $"services__hosting-test-{Guid.NewGuid():N}__http__0";
        var service = variable.Split("__")[1];
        Environment.SetEnvironmentVariable(variable, "http://127.0.0.1:19530");
        try
        {
            var configuration = new ConfigurationBuilder().AddEnvironmentVariables().Build();
            Assert.Equal(new Uri("http://127.0.0.1:19530"), ServiceEndpoints.Resolve(configuration, service, "http"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Connection_string_uri_is_the_fallback_when_no_services_key_exists()
    {
        var configuration = Configuration(("ConnectionStrings:etcd", "http://127.0.0.1:2379"));

        Assert.Equal(new Uri("http://127.0.0.1:2379"), ServiceEndpoints.Resolve(configuration, "etcd", "http"));
    }

    [Fact]
    public void Services_key_wins_over_the_connection_string()
    {
        var configuration = Configuration(
            ("ConnectionStrings:rabbitmq", "amqp://guest:guest@old:5672"),
            ("services:rabbitmq:amqp:0", "amqp://guest:guest@new:5672"));

        Assert.Equal("new", ServiceEndpoints.Resolve(configuration, "rabbitmq", "amqp").Host);
    }

    [Fact]
    public void Connection_string_that_is_a_path_is_not_an_address()
    {
        var configuration = Configuration(("ConnectionStrings:data", "/var/lib/vectoraspire"));

        Assert.Null(ServiceEndpoints.TryResolve(configuration, "data"));
    }

    [Fact]
    public void Missing_service_error_names_the_keys_to_set()
    {
        var error = Assert.Throws<InvalidOperationException>(
            () => ServiceEndpoints.Resolve(Configuration(), "coordinator", "grpc"));

        Assert.Contains("services__coordinator__grpc__0", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__coordinator", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Address_that_is_not_a_uri_is_rejected_with_its_key()
    {
        var configuration = Configuration(("services:proxy:http:0", "not a uri"));

        var error = Assert.Throws<InvalidOperationException>(() => ServiceEndpoints.Resolve(configuration, "proxy"));
        Assert.Contains("services:proxy:http:0", error.Message, StringComparison.Ordinal);
    }
}
