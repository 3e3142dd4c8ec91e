namespace SSM.Cli.Inputs;

/// <summary>
/// "Did you mean" for a path that does not exist: the entry of its folder whose name is nearest by edit distance, when it
/// is near enough to be a slip of the keyboard (at most a third of the name's letters, at least one).
/// </summary>
public static class NearMatch
{
    /// <summary>" Did you mean '…'?" naming the nearest existing entry, or "" when none is near.</summary>
    public static string Suggestion(string missingPath)
    {
        string full = Path.GetFullPath(missingPath).TrimEnd(Path.DirectorySeparatorChar);
        string? folder = Path.GetDirectoryName(full);
        string name = Path.GetFileName(full);
        if (folder is null || name.Length == 0 || !Directory.Exists(folder)) return "";
        string[] entries;
        try { entries = Directory.GetFileSystemEntries(folder); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return ""; }
        int limit = Math.Max(1, name.Length / 3);
        var nearest = entries.Select(e => (Path: e, Distance: Distance(name, Path.GetFileName(e))))
            .Where(e => e.Distance is > 0 && e.Distance <= limit).OrderBy(e => e.Distance).ThenBy(e => e.Path, StringComparer.Ordinal).FirstOrDefault();
        return nearest.Path is null ? "" : $" Did you mean '{nearest.Path}'?";
    }

    /// <summary>Edit distance with transpositions of neighbours ("plnat" is one slip from "plant").</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
        for (int j = 1; j <= b.Length; j++)
        {
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
        }
        return d[a.Length, b.Length];
    }
}
