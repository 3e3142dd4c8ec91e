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
        try
        {
            Directory.CreateDirectory(parent);
            Folder = Path.Combine(parent, $".{Path.GetFileName(Target.TrimEnd(Path.DirectorySeparatorChar))}.tmp-{Guid.NewGuid():N}");
            Directory.CreateDirectory(Folder);
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

    /// <summary>Moves every file into the output folder (replacing same-named files); returns the final folder.</summary>
    public string Commit()
    {
        Directory.CreateDirectory(Target);
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
