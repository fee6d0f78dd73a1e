namespace Qex.Core.IO;

/// <summary>
/// Locates the project's shared reference data (the <c>shared/data</c> folder that sits beside a Qex checkout, or
/// the folder named by the <c>QEX_SHARED_DATA</c> environment variable).
/// </summary>
public static class SharedData
{
    /// <summary>The environment variable that overrides the search.</summary>
    public const string EnvironmentVariable = "QEX_SHARED_DATA";

    /// <summary>The shared data folder, or null when none is found.</summary>
    public static string? Root => Find();

    /// <summary>A path below the shared data folder, or null when the folder or the path does not exist.</summary>
    public static string? Resolve(params string[] parts)
    {
        string? root = Find();
        if (root is null) return null;
        string p = Path.Combine([root, .. parts]);
        return File.Exists(p) || Directory.Exists(p) ? p : null;
    }

    private static string? Find()
    {
        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(env)) return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            var dir = new DirectoryInfo(start);
            while (dir is not null)
            {
                foreach (string candidate in new[] { Path.Combine(dir.FullName, "shared", "data"), Path.Combine(dir.FullName, "..", "shared", "data") })
                    if (Directory.Exists(Path.Combine(candidate, "jaxdft")) || Directory.Exists(Path.Combine(candidate, "basis")))
                        return Path.GetFullPath(candidate);
                dir = dir.Parent;
            }
        }
        return null;
    }
}
