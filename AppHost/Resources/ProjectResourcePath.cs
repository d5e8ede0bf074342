using System.Reflection;

namespace VectorAspire.AppHost.Resources;

/// <summary>
/// Where a project resource lives and the assembly its build produced. The AppHost build writes both into assembly
/// metadata (see VectorAspire.AppHost.csproj) because it builds the referenced project.
/// </summary>
public sealed record ProjectResourcePath(string ProjectDirectory, string AssemblyPath)
{
    public static ProjectResourcePath FromBuildMetadata(string projectName)
    {
        string? Read(string key) => typeof(ProjectResourcePath).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == $"VectorAspire.Project.{projectName}.{key}")?.Value;

        var directory = Read("Directory");
        var assembly = Read("Assembly");
        if (string.IsNullOrEmpty(directory) || string.IsNullOrEmpty(assembly))
        {
            throw new InvalidOperationException(
                $"The AppHost was built without the location of project '{projectName}'; rebuild it with `dotnet build AppHost`.");
        }

        if (!File.Exists(assembly))
        {
            throw new InvalidOperationException(
                $"Project '{projectName}' is not built: '{assembly}' does not exist. Run `dotnet build AppHost` " +
                "(it builds the project too) or start the AppHost with `dotnet run --project AppHost`.");
        }

        return new ProjectResourcePath(directory, assembly);
    }
}
