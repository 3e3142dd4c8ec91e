using SSM.Cli.Outputs;


namespace SSM.Cli.Tests;

public sealed class OutputLockTests : IDisposable
{
    private readonly string parent = Directory.CreateTempSubdirectory("ssm-lock-").FullName;
    private string Target => Path.Combine(parent, "out");
    private string LockFile => Path.Combine(parent, ".out.lock");

    [Fact]
    public void TheHolder_RefusesOthers_AndDeletesItsFile_AsItLetsGo()
    {
        using (OutputLock.Take(parent, Target))
        {
            Assert.True(File.Exists(LockFile));
            var refused = Assert.Throws<CliException>(() => OutputLock.Take(parent, Target));
            Assert.Contains("Another ssm command is writing", refused.Message);
        }
        Assert.False(File.Exists(LockFile));
        using (OutputLock.Take(parent, Target)) { }   // free again
    }

    /// <summary>Letting go closes the file too, and a second time does nothing: not even to the lock another command
    /// has taken since.</summary>
    [LinuxFact]
    public void Letting_go_closes_the_lock_file_and_a_second_time_does_nothing()
    {
        var held = OutputLock.Take(parent, Target);
        Assert.True(OpenOnLockFile());
        held.Dispose();
        Assert.False(OpenOnLockFile());
        using var next = OutputLock.Take(parent, Target);
        held.Dispose();
        Assert.True(File.Exists(LockFile));
        Assert.Throws<CliException>(() => OutputLock.Take(parent, Target));
    }

    /// <summary>Whether this process holds the lock file open; other tests' files open and close meanwhile, so an entry
    /// gone before it is read is one of theirs.</summary>
    private bool OpenOnLockFile() => Directory.GetFiles("/proc/self/fd").Any(fd =>
    {
        try { return new FileInfo(fd).LinkTarget?.StartsWith(LockFile, StringComparison.Ordinal) == true; }
        catch (IOException) { return false; }
    });

    /// <summary>A folder nothing can be made in is said to be so, not another command's (a walkthrough's -o /proc/nope).</summary>
    [LinuxFact]
    public void A_folder_that_takes_no_file_is_said_to_be_unwritable()
    {
        var refused = Assert.Throws<CliException>(() => OutputLock.Take("/proc", "/proc/nope"));
        Assert.StartsWith("Cannot write to '/proc': ", refused.Message);
        Assert.Contains("/proc/.nope.lock", refused.Message);   // the system's own words about the lock file, not a probe's
    }

    /// <summary>Runs on Linux only (the lock reads /proc there); skipped, and said to be, elsewhere.</summary>
    private sealed class LinuxFactAttribute : FactAttribute
    {
        public LinuxFactAttribute() { if (!OperatingSystem.IsLinux()) Skip = "reads /proc: Linux only"; }
    }

    [LinuxFact]
    public void ALockOnAFileDeletedFromItsPath_NeitherCountsNorDeletesTheNewHoldersFile()
    {
        // The race a command loses when it opens the file just before its holder deletes it: its lock is on a file no
        // longer at the path, and a third command locks a new one there. Told through /proc.
        var stale = OutputLock.Take(parent, Target);
        File.Delete(LockFile);
        Assert.True(stale.Unlinked());
        using var holder = OutputLock.Take(parent, Target);
        Assert.False(holder.Unlinked());
        stale.Dispose();
        Assert.True(File.Exists(LockFile));
        Assert.Throws<CliException>(() => OutputLock.Take(parent, Target));
    }

    public void Dispose() => Directory.Delete(parent, recursive: true);
}
