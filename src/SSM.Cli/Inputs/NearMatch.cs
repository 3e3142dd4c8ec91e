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
        // An entry of the very name (a dangling link) is no other path to offer.
        return Nearest(name, entries.Where(e => Path.GetFileName(e) != name).Order(StringComparer.Ordinal), Path.GetFileName) is { } nearest
            ? $" Did you mean '{nearest}'?" : "";
    }

    /// <summary>The candidate whose name (<paramref name="nameOf"/>, the candidate itself when null) is nearest to
    /// <paramref name="typed"/> by <see cref="Distance"/>, when it is a slip away (at most a third of the letters, at least
    /// one; the same letters, as a command typed in capitals is, too); the first of those equally near. Null when none is
    /// near: a path's folder entries, a command, a command's options.</summary>
    internal static string? Nearest(string typed, IEnumerable<string> candidates, Func<string, string>? nameOf = null)
    {
        int limit = Math.Max(1, typed.Length / 3);
        return candidates.Select(c => (Candidate: c, Distance: Distance(typed, nameOf?.Invoke(c) ?? c)))
            .Where(c => c.Distance <= limit).OrderBy(c => c.Distance).FirstOrDefault().Candidate;
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
