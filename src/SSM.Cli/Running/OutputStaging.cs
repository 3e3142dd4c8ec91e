namespace SSM.Cli.Running;

/// <summary>
/// Collects a command's outputs in a hidden temporary sibling of the output folder and moves them into place only when the
/// command succeeds, so a failed run leaves neither half-written files nor anything that trips the next run.
/// </summary>
public sealed class OutputStaging : IDisposable
{
    private bool committed;

    public OutputStaging(string outputFolder)
    {
        Target = Path.GetFullPath(outputFolder);
        if (File.Exists(Target)) throw new CliException($"Output '{Target}' is a file; give a folder.") { ExitCode = 2 };
        string parent = Path.GetDirectoryName(Target.TrimEnd(Path.DirectorySeparatorChar)) ?? Target;
        string prefix = $".{Path.GetFileName(Target.TrimEnd(Path.DirectorySeparatorChar))}.tmp-";
        try
        {
            Directory.CreateDirectory(parent);
            RemoveAbandoned(parent, prefix);
            Folder = Path.Combine(parent, prefix + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Folder);
            File.WriteAllText(Path.Combine(Folder, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot write to '{parent}': {ex.Message}", ex);
        }
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
    /// Deletes the staging folders of earlier runs for this output whose process is gone: a run killed outright (kill -9, a
    /// power cut) cannot delete its own. A folder whose process still runs (a command writing there now) is left alone.
    /// </summary>
    private static void RemoveAbandoned(string parent, string prefix)
    {
        foreach (string folder in Directory.EnumerateDirectories(parent, prefix + "*"))
        {
            try
            {
                if (!int.TryParse(File.ReadAllText(Path.Combine(folder, OwnerFile)), out int pid) || IsRunning(pid)) continue;
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }   // not ours to judge: leave it
        }
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

    /// <summary>Moves every file into the output folder (replacing same-named files); returns the final folder.</summary>
    public string Commit()
    {
        Directory.CreateDirectory(Target);
        File.Delete(System.IO.Path.Combine(Folder, OwnerFile));
        foreach (string file in Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories))
        {
            string destination = System.IO.Path.Combine(Target, System.IO.Path.GetRelativePath(Folder, file));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
            File.Move(file, destination, overwrite: true);
        }
        Directory.Delete(Folder, recursive: true);
        committed = true;
        return Target;
    }

    public void Dispose()
    {
        if (committed) return;
        try { if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
