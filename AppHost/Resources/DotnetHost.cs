namespace VectorAspire.AppHost.Resources;

/// <summary>The `dotnet` muxer that runs framework-dependent assemblies.</summary>
public static class DotnetHost
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        // The SDK sets DOTNET_HOST_PATH for processes it starts (dotnet run, dotnet test); under `dotnet app.dll` our
        // own process is the muxer; otherwise rely on PATH.
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var self = Environment.ProcessPath;
        if (self is not null
            && System.IO.Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return self;
        }

        return OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
    }
}
