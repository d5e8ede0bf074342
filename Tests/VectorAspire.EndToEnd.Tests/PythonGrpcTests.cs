namespace VectorAspire.EndToEnd.Tests;

/// <summary>
/// A second gRPC implementation: Python grpcio (C-core, the transport pymilvus uses, from Debian's python3-grpcio) with
/// messages that Debian's protoc generates from our own .proto files.
/// </summary>
public sealed class PythonGrpcTests
{
    private static string WellKnownTypesInclude()
    {
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var include = Directory.EnumerateDirectories(Path.Combine(packages, "grpc.tools"))
            .Select(v => Path.Combine(v, "build", "native", "include"))
            .FirstOrDefault(Directory.Exists);
        return include ?? throw new DirectoryNotFoundException($"Grpc.Tools include directory not found under {packages}");
    }

    [Fact]
    public async Task PythonGrpcioCallsRpcsWithMessagesGeneratedFromOurProtos()
    {
        string root = ServerProcess.RepoRoot();
        string generated = Path.Combine(Path.GetTempPath(), "vectoraspire-e2e", Guid.NewGuid().ToString("N"), "py");
        Directory.CreateDirectory(generated);
        string protos = Path.Combine(root, "Protos", "protos");
        var protocArgs = new List<string> { "-I", protos, "-I", WellKnownTypesInclude(), $"--python_out={generated}" };
        protocArgs.AddRange(Directory.GetFiles(protos, "*.proto"));
        var (protocCode, protocOutput) = NodeRunner.Run("protoc", protocArgs, root, TimeSpan.FromMinutes(1));
        Assert.True(protocCode == 0, $"protoc failed ({protocCode}): {protocOutput} (CI installs Debian's protobuf-compiler)");

        string dir = Path.Combine(Path.GetTempPath(), "vectoraspire-e2e", Guid.NewGuid().ToString("N"));
        await using var server = await ServerProcess.StartAsync(dir);
        string script = Path.Combine(root, "Tests", "VectorAspire.EndToEnd.Tests", "python", "grpc_client.py");
        var (code, output) = NodeRunner.Run("/usr/bin/python3", [script, $"127.0.0.1:{server.Port}", generated], root, TimeSpan.FromMinutes(1));
        Assert.True(code == 0, $"python grpc client failed ({code}):\n{output}\n--- server log ---\n{server.Log}");
        Assert.Contains("PYTHON GRPC OK", output);
    }
}
