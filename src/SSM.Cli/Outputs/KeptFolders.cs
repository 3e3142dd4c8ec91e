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
            foreach (string folder in Directory.EnumerateDirectories(parent, prefix + "*")) Remove(folder);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
