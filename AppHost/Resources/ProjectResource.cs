namespace VectorAspire.AppHost.Resources;

/// <summary>
/// A .NET project of this repository run from its build output as <c>dotnet &lt;assembly&gt;</c>, in its project
/// directory like Aspire does (so the project's appsettings.json is the content root's).
/// </summary>
/// <remarks>
/// Not <c>dotnet run --project</c>: that runs MSBuild on every start (tens of seconds on a busy machine) and puts a
/// second process between the AppHost and the server, so the PID the AppHost signals is not the server's and a
/// killed <c>dotnet run</c> can leave the server orphaned. The AppHost's own build builds the project (it is a
/// ProjectReference with ReferenceOutputAssembly=false), so its output is current whenever the AppHost is.
/// </remarks>
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
