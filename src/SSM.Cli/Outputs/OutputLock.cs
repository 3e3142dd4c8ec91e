namespace SSM.Cli.Outputs;

/// <summary>
/// Holds an output folder for one command: two commands writing one folder at once would each move their files in, and the
/// last predictions.csv would list only its own images beside the other's heat maps (a walkthrough's overlapping cron runs:
/// 500 heat maps, 400 rows, both exit codes 0). The lock is an exclusive lock on the hidden file <c>.&lt;output&gt;.lock</c>
/// beside the folder (flock through .NET's <see cref="FileShare.None"/>), so it goes with the process however it ends; the
/// holder deletes the file as it lets go.
/// </summary>
internal sealed class OutputLock : IDisposable
{
    private readonly FileStream held;
    private readonly string path;

    private OutputLock(FileStream held, string path) => (this.held, this.path) = (held, path);

    /// <exception cref="CliException">Another command holds <paramref name="target"/>.</exception>
    public static OutputLock Take(string parent, string target)
    {
        string path = Path.Combine(parent, $".{Path.GetFileName(target.TrimEnd(Path.DirectorySeparatorChar))}.lock");
        string busy = $"Another ssm command is writing '{target}' now: give another --output, or run this one after it.";
        for (int attempt = 1; attempt <= 10; attempt++)
        {
            FileStream held;
            try
            {
                // Read access is enough to lock, and opens another user's lock file (0644) that write access could not.
                // Elsewhere than Linux the file goes as the handle closes (Windows refuses to delete a file opened without
                // FileShare.Delete), which leaves the race below a few system calls wide there.
                held = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.None, 1,
                    ByPath ? FileOptions.None : FileOptions.DeleteOnClose);
            }
            catch (IOException ex) when (File.Exists(path)) { throw new CliException(busy, ex); }
            catch (IOException ex)
            {
                // No file to be refused by: either a holder let go since (try again) or nothing can be made here (/proc, a
                // read-only mount), which ten tries would have called another command's.
                if (OutputStaging.CannotCreateFileIn(parent) is not null) throw new CliException($"Cannot write to '{parent}': {ex.Message}", ex);
                continue;
            }
            // A command that opened the file just before its holder deleted it locks a file no longer at this path, while
            // a third creates a new one there: both would run. Such a lock holds nothing; take the path's own.
            var lockOnPath = new OutputLock(held, path);
            if (!lockOnPath.Unlinked()) return lockOnPath;
            held.Dispose();
        }
        throw new CliException(busy);   // ten races lost in a row: others are taking and letting go of this output all the time
    }

    /// <summary>Whether this system tells (/proc, Linux) that a locked file was deleted from its path.</summary>
    private static bool ByPath { get; } = OperatingSystem.IsLinux() && Directory.Exists("/proc/self/fd");

    /// <summary>Whether the locked file has been deleted from its path; false where the system cannot tell (<see cref="ByPath"/>).</summary>
    internal bool Unlinked()
    {
        if (!ByPath) return false;
        try
        {
            string? file = new FileInfo($"/proc/self/fd/{held.SafeFileHandle.DangerousGetHandle()}").LinkTarget;
            return file?.EndsWith(" (deleted)", StringComparison.Ordinal) == true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return false; }
    }

    public void Dispose()
    {
        if (held.SafeFileHandle.IsClosed) return;
        // Deleted while still locked, so no one locks it between; a file no longer ours (see Take) is left to its holder.
        try { if (ByPath && !Unlinked()) File.Delete(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        held.Dispose();
    }
}
