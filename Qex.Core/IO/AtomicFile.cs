using System.Diagnostics;
using System.Globalization;

namespace Qex.Core.IO;

/// <summary>
/// Crash-safe file writes: the content goes to a temporary file beside the target (named
/// <c>TARGET.PID.RANDOM.tmp</c>), which is then renamed over it. Temporaries left by a killed process (whose PID no
/// longer runs) are removed the next time the same target is written.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="IOException">The folder cannot be written (the message names it).</exception>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        RemoveStaleTemporaries(full);
        string tmp = TemporaryName(full);
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"Cannot write '{full}': {e.Message}", e);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8) to <paramref name="path"/> atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Checks that a folder can be written (creating it), by writing and removing a probe file, so that a read-only
    /// output folder is reported before the work rather than after it.
    /// </summary>
    /// <exception cref="IOException">The folder cannot be created or written; the message names it.</exception>
    public static void EnsureWritableDirectory(string directory)
    {
        string full = Path.GetFullPath(directory);
        try
        {
            Directory.CreateDirectory(full);
            string probe = Path.Combine(full, ".qex-write-probe." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"The output folder '{full}' cannot be written: {e.Message}", e);
        }
    }

    /// <summary>
    /// Replaces the folder <paramref name="target"/> by the complete folder <paramref name="source"/> (a sibling, on the
    /// same file system) with renames, so a reader sees the old folder, no folder, or the new one, never a mix.
    /// When another process published the target first, its folder is kept and <paramref name="source"/> removed.
    /// </summary>
    public static void ReplaceDirectory(string source, string target)
    {
        string full = Path.GetFullPath(target);
        string? parent = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(parent)) Directory.CreateDirectory(parent);
        if (Directory.Exists(full))
        {
            string old = TemporaryName(full);
            Directory.Move(full, old);
            Directory.Delete(old, recursive: true);
        }
        try
        {
            Directory.Move(source, full);
        }
        catch (IOException) when (Directory.Exists(full))
        {
            Directory.Delete(source, recursive: true);
        }
    }

    private static string TemporaryName(string full) =>
        full + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";

    /// <summary>Removes <c>TARGET.PID.RANDOM.tmp</c> files and folders whose process no longer runs.</summary>
    private static void RemoveStaleTemporaries(string full)
    {
        string? dir = Path.GetDirectoryName(full);
        if (string.IsNullOrEmpty(dir) || !Directory.Exists(dir)) return;
        string prefix = Path.GetFileName(full) + ".";
        try
        {
            foreach (string entry in Directory.EnumerateFileSystemEntries(dir, prefix + "*.tmp"))
            {
                var parts = Path.GetFileName(entry)[prefix.Length..].Split('.');
                if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
                if (pid == Environment.ProcessId || IsRunning(pid)) continue;
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
                else File.Delete(entry);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // best effort: a temporary that cannot be removed now is removed by a later write
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Removes stale temporaries of a target folder written by <see cref="ReplaceDirectory"/>'s callers.</summary>
    public static void RemoveStaleTemporariesOf(string target) => RemoveStaleTemporaries(Path.GetFullPath(target.TrimEnd('/', '\\')));
}
