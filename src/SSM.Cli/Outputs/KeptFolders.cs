namespace SSM.Cli.Outputs;

/// <summary>
/// The folders a stopped command keeps its work in (a training's checkpoints, a predict's rows and pictures): where they
/// lie, which command's each is (a stamp file), and their removal, only once there is nothing left to go on with, so a
/// folder that cannot be removed now is left, not an error.
/// </summary>
internal static class KeptFolders
{
    private const string StampFile = "command.stamp";

    /// <summary>Where a command keeps its work for the output <paramref name="outputFolder"/>: beside it, in folders named
    /// <c>.&lt;output&gt;.&lt;kind&gt;-</c> and 12 hex digits of the command's <see cref="CommandStamp"/>. Returns the output's parent,
    /// that prefix, and the folder of <paramref name="stamp"/>.</summary>
    public static (string Parent, string Prefix, string Folder) Beside(string outputFolder, string kind, string stamp)
    {
        string target = Path.GetFullPath(outputFolder).TrimEnd(Path.DirectorySeparatorChar);
        string parent = Path.GetDirectoryName(target) ?? target, prefix = $".{Path.GetFileName(target)}.{kind}-";
        return (parent, prefix, Path.Combine(parent, prefix + stamp[..12].ToLowerInvariant()));
    }

    /// <summary>The folders of other commands kept for the same output as <paramref name="folder"/> (all named
    /// <paramref name="prefix"/>...), in name order: they start afresh beside this one and go when its output is written.</summary>
    public static List<string> Others(string parent, string prefix, string folder) =>
        [.. StartingWith(parent, prefix).Where(d => d != folder).Order(StringComparer.Ordinal)];

    /// <summary>Whether <paramref name="folder"/> holds what a stopped run of the command of <paramref name="stamp"/> kept.</summary>
    public static bool Holds(string folder, string stamp)
    {
        string file = Path.Combine(folder, StampFile);
        return File.Exists(file) && File.ReadAllText(file) == stamp;
    }

    /// <summary>Empties <paramref name="folder"/> (made if missing) for the command of <paramref name="stamp"/>, and marks it
    /// as that command's.</summary>
    public static void StartAfresh(string folder, string stamp)
    {
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, StampFile), stamp);
    }

    /// <summary>Removes <paramref name="folder"/> with everything in it, if it can: one that cannot be removed now (a file
    /// open in another program) is left, as the class says, since nothing depends on its going.</summary>
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
