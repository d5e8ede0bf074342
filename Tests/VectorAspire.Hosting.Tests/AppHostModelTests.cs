using VectorAspire.AppHost;
using VectorAspire.AppHost.Resources;
using VectorAspire.AppHost.Topologies;

namespace VectorAspire.Hosting.Tests;

public sealed class AppHostModelTests
{
    [Fact]
    public void Defaults_are_port_19530_data_under_the_working_directory_and_standalone()
    {
        var options = AppHostOptions.Parse([]);

        Assert.Equal(19530, options.Port);
        Assert.Equal(Path.GetFullPath("./data"), options.DataDirectory);
        Assert.Equal("standalone", options.Topology);
    }

    [Fact]
    public void Options_accept_separate_and_inline_values()
    {
        var options = AppHostOptions.Parse(["--port", "20000", "--data-dir=/tmp/va", "--topology", "Standalone"]);

        Assert.Equal(20000, options.Port);
        Assert.Equal("/tmp/va", options.DataDirectory);
        Assert.Equal("standalone", options.Topology);
    }

    [Theory]
    [InlineData(new[] { "--topology", "cluster" }, "not supported yet")]
    [InlineData(new[] { "--port", "0" }, "--port must be")]
    [InlineData(new[] { "--port" }, "--port needs a value")]
    [InlineData(new[] { "--verbose" }, "unknown option '--verbose'")]
    public void Invalid_options_are_usage_errors_that_say_what_is_wrong(string[] args, string expected)
    {
        var error = Assert.Throws<AppHostUsageException>(() => AppHostOptions.Parse(args));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Standalone_resource_gets_aspire_style_environment_and_arguments()
    {
        var options = AppHostOptions.Parse(["--port", "20001", "--data-dir", "/tmp/va-data"]);
        var project = new ProjectResourcePath("/repo/Standalone", "/repo/Standalone/bin/vectoraspire-standalone.dll");

        var model = StandaloneTopology.Build(options, project);

        var standalone = Assert.Single(model.Resources);
        Assert.Equal("standalone", standalone.Name);
        Assert.Equal(
            ["/repo/Standalone/bin/vectoraspire-standalone.dll", "--port", "20001", "--data-dir", "/tmp/va-data"],
            standalone.Arguments);
        Assert.Equal("http://127.0.0.1:20001", standalone.Environment["services__standalone__http__0"]);
        Assert.Equal("http://127.0.0.1:20001", standalone.Environment["services__standalone__grpc__0"]);
        Assert.Equal("/tmp/va-data", standalone.Environment["ConnectionStrings__data"]);
        Assert.Equal("standalone", standalone.Environment["OTEL_SERVICE_NAME"]);
        Assert.True(standalone.Environment.ContainsKey("DOTNET_ENVIRONMENT"));
        Assert.Equal(new Uri("http://127.0.0.1:20001/health"), standalone.HealthUrl);
    }
}
