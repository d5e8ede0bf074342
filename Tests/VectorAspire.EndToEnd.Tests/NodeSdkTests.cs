using System.Diagnostics;

namespace VectorAspire.EndToEnd.Tests;

/// <summary>Installs the official Milvus Node SDK from npm once per test run.</summary>
public sealed class NodeSdkFixture
{
    public NodeSdkFixture()
    {
        Directory = Path.Combine(ServerProcess.RepoRoot(), "Tests", "VectorAspire.EndToEnd.Tests", "node");
        if (File.Exists(Path.Combine(Directory, "node_modules", "@zilliz", "milvus2-sdk-node", "package.json")))
            return;
        var (code, output) = NodeRunner.Run("npm", ["ci", "--no-audit", "--no-fund"], Directory, TimeSpan.FromMinutes(5));
        if (code != 0)
            throw new InvalidOperationException($"npm ci failed ({code}):\n{output}");
    }

    public string Directory { get; }
}

public static class NodeRunner
{
    public static (int Code, string Output) Run(string file, IEnumerable<string> args, string workingDirectory, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            return (-1, $"timed out after {timeout}\n{stdout.Result}\n{stderr.Result}");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}

public sealed class NodeSdkTests(NodeSdkFixture sdk) : IClassFixture<NodeSdkFixture>
{
    [Fact]
    public async Task OfficialNodeSdkHttpClientRunsTheFullRestWorkflow()
    {
        string dir = Path.Combine(Path.GetTempPath(), "vectoraspire-e2e", Guid.NewGuid().ToString("N"));
        await using var server = await ServerProcess.StartAsync(dir);
        var (code, output) = NodeRunner.Run("node", [Path.Combine(sdk.Directory, "rest-flow.mjs"), server.Endpoint.ToString().TrimEnd('/')], sdk.Directory, TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"node rest-flow.mjs failed ({code}):\n{output}\n--- server log ---\n{server.Log}");
        Assert.Contains("REST FLOW OK", output);
    }

    [Fact]
    public async Task OfficialNodeSdkMilvusClientRunsTheFullGrpcWorkflow()
    {
        string dir = Path.Combine(Path.GetTempPath(), "vectoraspire-e2e", Guid.NewGuid().ToString("N"));
        await using var server = await ServerProcess.StartAsync(dir);
        var (code, output) = NodeRunner.Run("node", [Path.Combine(sdk.Directory, "grpc-flow.mjs"), $"127.0.0.1:{server.Port}"], sdk.Directory, TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"node grpc-flow.mjs failed ({code}):\n{output}\n--- server log ---\n{server.Log}");
        Assert.Contains("GRPC FLOW OK", output);
    }

    [Fact]
    public async Task OfficialNodeSdkCreatesUsesListsAndDropsDatabases()
    {
        string dir = Path.Combine(Path.GetTempPath(), "vectoraspire-e2e", Guid.NewGuid().ToString("N"));
        await using var server = await ServerProcess.StartAsync(dir);
        var (code, output) = NodeRunner.Run("node", [Path.Combine(sdk.Directory, "database-flow.mjs"), $"127.0.0.1:{server.Port}"], sdk.Directory, TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"node database-flow.mjs failed ({code}):\n{output}\n--- server log ---\n{server.Log}");
        Assert.Contains("DATABASE FLOW OK", output);
    }

    [Fact]
    public async Task OfficialNodeSdkAuthenticatesAndManagesUsersWithAuthOn()
    {
        string dir = Path.Combine(Path.GetTempPath(), "vectoraspire-e2e", Guid.NewGuid().ToString("N"));
        await using var server = await ServerProcess.StartAsync(dir, new Dictionary<string, string> { ["VectorAspire:Security:AuthorizationEnabled"] = "true" });
        var (code, output) = NodeRunner.Run("node", [Path.Combine(sdk.Directory, "auth-flow.mjs"), $"127.0.0.1:{server.Port}"], sdk.Directory, TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"node auth-flow.mjs failed ({code}):\n{output}\n--- server log ---\n{server.Log}");
        Assert.Contains("AUTH FLOW OK", output);
        Assert.Contains("still has the default password", server.Log, StringComparison.Ordinal);
    }
}
