namespace SSM.Cli.Outputs;

/// <summary>
/// Removes the folders a stopped command kept its work in (a training's checkpoints, a predict's rows and pictures): only
/// once there is nothing left to go on with, so a folder that cannot be removed now is left, not an error.
/// </summary>
internal static class KeptFolders
{
    /// <summary>Where a command keeps its work for the output <paramref name="outputFolder"/>: beside it, in folders named
    /// <c>.&lt;output&gt;.&lt;kind&gt;-</c> and 12 hex digits of the command's <see cref="CommandStamp"/>. Returns the output's parent,
    /// that prefix, and the folder of <paramref name="stamp"/>.</summary>
    public static (string Parent, string Prefix, string Folder) Beside(string outputFolder, string kind, string stamp)
    {
        string target = Path.GetFullPath(outputFolder).TrimEnd(Path.DirectorySeparatorChar);
        string parent = Path.GetDirectoryName(target) ?? target, prefix = $".{Path.GetFileName(target)}.{kind}-";
        return (parent, prefix, Path.Combine(parent, prefix + stamp[..12].ToLowerInvariant()));
    }

    /// <summary>Removes <paramref name="folder"/> with everything in it.</summary>
    public static void Remove(string folder)
    {
        try { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Removes every folder of <paramref name="parent"/> whose name starts with <paramref name="prefix"/>.</summary>
    public static void RemoveAll(string parent, string prefix)
    {
        try
        {
            foreach (string folder in StartingWith(parent, prefix)) Remove(folder);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>The folders of <paramref name="parent"/> whose name starts with <paramref name="prefix"/>, compared as
    /// text: an output named "r*" made a search pattern that took another output's kept folder for its own.</summary>
    public static IEnumerable<string> StartingWith(string parent, string prefix) =>
        Directory.EnumerateDirectories(parent).Where(d => Path.GetFileName(d).StartsWith(prefix, StringComparison.Ordinal));
}
