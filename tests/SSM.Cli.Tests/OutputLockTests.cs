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
