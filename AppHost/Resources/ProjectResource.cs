namespace VectorAspire.AppHost.Resources;

/// <summary>
/// A .NET project of this repository run from its build output as <c>dotnet &lt;assembly&gt;</c>, in its project
/// directory like Aspire does (so the project's appsettings.json is the content root's).
/// </summary>
public sealed class ProjectResource : ExecutableResource
{
    public ProjectResource(string name, ProjectResourcePath project)
        : base(name, DotnetHost.Path, project?.ProjectDirectory ?? throw new ArgumentNullException(nameof(project)))
    {
        Project = project;
        Arguments.Add(project.AssemblyPath);
    }

    public ProjectResourcePath Project { get; }
}
