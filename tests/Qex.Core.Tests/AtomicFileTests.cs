using Qex.Core.IO;

namespace Qex.Core.Tests;

/// <summary>Crash-safe writes: whole files and whole folders appear at once, and a killed writer's temporaries are cleaned up.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "qex-atomic-" + Guid.NewGuid().ToString("N"));

    public AtomicFileTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void TemporariesOfAKilledWriterAreRemovedByTheNextWrite()
    {
        string target = Path.Combine(_dir, "checkpoint.json");
        // a process id that cannot be running (ids are far below int.MaxValue), and one that is (this one)
        string stale = target + "." + int.MaxValue + ".abcd1234.tmp";
        string live = target + "." + Environment.ProcessId + ".live0000.tmp";
        File.WriteAllText(stale, "half a checkpoint");
        File.WriteAllText(live, "being written");
        AtomicFile.WriteAllText(target, "{}");
        Assert.Equal("{}", File.ReadAllText(target));
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(live));
        Assert.Single(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void AFolderIsReplacedWhole()
    {
        string target = Path.Combine(_dir, "set");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "old.npy"), "old");
        string fresh = Path.Combine(_dir, "set.1.new.tmp");
        Directory.CreateDirectory(fresh);
        File.WriteAllText(Path.Combine(fresh, "new.npy"), "new");
        AtomicFile.ReplaceDirectory(fresh, target);
        Assert.False(Directory.Exists(fresh));
        Assert.Equal(["new.npy"], Directory.GetFiles(target).Select(Path.GetFileName));
        Assert.Empty(Directory.GetDirectories(_dir, "*.tmp"));
    }

    [Fact]
    public void AnOutputFolderBelowAFileIsReportedAsUnwritable()
    {
        string file = Path.Combine(_dir, "plain");
        File.WriteAllText(file, "x");
        var e = Assert.Throws<IOException>(() => AtomicFile.EnsureWritableDirectory(Path.Combine(file, "out")));
        Assert.Contains("cannot be written", e.Message);
        AtomicFile.EnsureWritableDirectory(Path.Combine(_dir, "new", "deeper"));
        Assert.True(Directory.Exists(Path.Combine(_dir, "new", "deeper")));
        Assert.Empty(Directory.GetFiles(Path.Combine(_dir, "new", "deeper")));
    }
}
