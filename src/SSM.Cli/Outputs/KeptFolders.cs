namespace SSM.Cli.Outputs;

/// <summary>
/// Removes the folders a stopped command kept its work in (a training's checkpoints, a predict's rows and pictures): only
/// once there is nothing left to go on with, so a folder that cannot be removed now is left, not an error.
/// </summary>
internal static class KeptFolders
{
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
