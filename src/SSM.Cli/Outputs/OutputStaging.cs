namespace SSM.Cli.Outputs;

/// <summary>
/// Collects a command's outputs in a hidden temporary sibling of the output folder and moves them into place only when the
/// command succeeds, so a failed run leaves neither half-written files nor anything that trips the next run.
/// </summary>
public sealed class OutputStaging : IDisposable
{
    private bool committed;
    private readonly OutputLock? outputLock;
    private readonly FileStream? owner;

    public OutputStaging(string outputFolder)
    {
        Target = Path.GetFullPath(outputFolder);
        if (File.Exists(Target)) throw new CliException($"Output '{Target}' is a file; give a folder.") { ExitCode = 2 };
        string parent = Path.GetDirectoryName(Target.TrimEnd(Path.DirectorySeparatorChar)) ?? Target;
        // A file on the way (-o notes.txt/run): the folder cannot be made, and "Cannot write to 'notes.txt': it already exists" misled.
        for (string? above = parent; above is not null; above = Path.GetDirectoryName(above))
            if (File.Exists(above))
                throw new CliException($"Output '{Target}' lies under '{above}', which is a file; give a folder.") { ExitCode = 2 };
        string prefix = $".{Path.GetFileName(Target.TrimEnd(Path.DirectorySeparatorChar))}.tmp-";
        try
        {
            Directory.CreateDirectory(parent);
            outputLock = OutputLock.Take(parent, Target);
            CheckWritable(Target);
            RemoveAbandoned(parent);
            Folder = Path.Combine(parent, prefix + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Folder);
            // Held open (shared) while the run lives: a run in another container on a shared volume, whose process id
            // means nothing here, is still seen alive by its lock.
            owner = new FileStream(Path.Combine(Folder, OwnerFile), FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            owner.Write(System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            owner.Flush();
        }
        catch (Exception ex)
        {
            owner?.Dispose();
            outputLock?.Dispose();
            if (ex is IOException or UnauthorizedAccessException) throw new CliException($"Cannot write to '{parent}': {ex.Message}", ex);
            throw;
        }
    }

    // An output folder that exists but cannot be written is said now, not after every image was scored.
    private static void CheckWritable(string target)
    {
        if (Directory.Exists(target) && CannotCreateFileIn(target) is { } why)
            throw new CliException($"Cannot write to the output folder '{target}': {why}");
    }

    /// <summary>Why no new file can be made in <paramref name="folder"/> (the system's words); null when one can. The probe
    /// has a name of its own and goes as it closes, so two commands probing at once do not take each other's for a fault.</summary>
    internal static string? CannotCreateFileIn(string folder)
    {
        try
        {
            using var probe = new FileStream(Path.Combine(folder, $".ssm-probe-{Guid.NewGuid():N}"), FileMode.CreateNew, FileAccess.Write,
                FileShare.None, 1, FileOptions.DeleteOnClose);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return ex.Message; }
    }

    /// <summary>The final output folder.</summary>
    public string Target { get; }

    /// <summary>The temporary folder to write into.</summary>
    public string Folder { get; }

    /// <summary>A path inside the temporary folder.</summary>
    public string PathOf(string relative) => System.IO.Path.Combine(Folder, relative);

    // The staging folder's own bookkeeping: which process writes it. Never moved into the output.
    private const string OwnerFile = ".owner";

    /// <summary>
    /// Deletes the staging folders of earlier runs beside this output (any output of this parent folder) whose process is
    /// gone: a run killed outright (kill -9, a power cut) cannot delete its own. A folder whose process still runs (a command
    /// writing there now) is left alone, so is one whose owner file is still held open (a live run of another container or
    /// host on a shared volume, whose process id means nothing here), and so is one without the owner file ssm writes.
    /// </summary>
    private static void RemoveAbandoned(string parent)
    {
        // Of any output beside this one: a script writing each run to a new folder (runs/2026-12-04T0100) never names the
        // killed run's output again.
        foreach (string folder in Directory.EnumerateDirectories(parent, ".*.tmp-*"))
        {
            try
            {
                string ownerFile = Path.Combine(folder, OwnerFile);
                if (!int.TryParse(File.ReadAllText(ownerFile), out int pid) || IsRunning(pid) || IsHeld(ownerFile)) continue;
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }   // not ours to judge: leave it
        }
    }

    private static bool IsHeld(string ownerFile)
    {
        try
        {
            using var probe = new FileStream(ownerFile, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (IOException) { return true; }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Moves every file into the output folder (replacing same-named files); returns the final folder. The tables
    /// (.csv, .json) move last: a script that waits for predictions.csv or metrics.json finds the heat maps already there.
    /// <paramref name="whileLocked"/> runs once they are in place, before the output's lock is let go (removing what a
    /// stopped run of this output kept: a run that took the lock next may be keeping its own there).</summary>
    public string Commit(Action? whileLocked = null)
    {
        Directory.CreateDirectory(Target);
        owner?.Dispose();
        File.Delete(System.IO.Path.Combine(Folder, OwnerFile));
        foreach (string file in Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories)
                     .OrderBy(f => Path.GetExtension(f).ToLowerInvariant() is ".csv" or ".json" ? 1 : 0).ToList())
        {
            string destination = System.IO.Path.Combine(Target, System.IO.Path.GetRelativePath(Folder, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
            File.Move(file, destination, overwrite: true);
        }
        Directory.Delete(Folder, recursive: true);
        committed = true;
        whileLocked?.Invoke();
        outputLock?.Dispose();
        return Target;
    }

    public void Dispose()
    {
        owner?.Dispose();
        outputLock?.Dispose();
        if (committed) return;
        KeptFolders.Remove(Folder);
    }
}
