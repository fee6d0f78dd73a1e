namespace Qex.Tests.Common;

/// <summary>Paths inside this checkout, found from the test binaries.</summary>
public static class RepositoryPaths
{
    /// <summary>The folder that holds Qex.sln.</summary>
    /// <exception cref="DirectoryNotFoundException">No Qex.sln above the test binaries.</exception>
    public static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Qex.sln"))) return d.FullName;
        throw new DirectoryNotFoundException("Qex.sln not found above the test binaries.");
    }
}
