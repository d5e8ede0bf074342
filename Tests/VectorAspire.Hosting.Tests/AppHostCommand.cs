using System.Diagnostics;
using VectorAspire.AppHost;

namespace VectorAspire.Hosting.Tests;

/// <summary>The built AppHost run as its own process (`dotnet vectoraspire-apphost.dll ...`), for commands that exit.</summary>
internal static class AppHostCommand
{
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var startInfo = new ProcessStartInfo(dotnet)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(AssemblyPath());
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"the AppHost did not exit within 2 minutes: {string.Join(' ', arguments)}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>
    /// The AppHost in its own output directory (same configuration and framework as this test build): the copy beside
    /// the tests lacks the ASP.NET Core framework reference the AppHost's runtimeconfig would need here.
    /// </summary>
    public static string AssemblyPath()
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent!;
        var path = Path.Combine(RepositoryRoot(), "AppHost", "bin", configuration.Name, framework.Name,
            Path.GetFileName(typeof(AppHostSettings).Assembly.Location));
        return File.Exists(path) ? path : throw new FileNotFoundException("the AppHost is not built", path);
    }

    /// <summary>The repository root (the directory holding VectorAspire.sln) above the test's output directory.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "VectorAspire.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no VectorAspire.sln above {AppContext.BaseDirectory}");
    }
}
