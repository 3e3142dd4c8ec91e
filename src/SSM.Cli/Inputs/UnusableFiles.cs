using SSM.Core.Data;

namespace SSM.Cli.Inputs;

/// <summary>
/// The files a model cannot use, all named in one message: found after a model failed on its input, so that a good input
/// is decoded once, by the model.
/// </summary>
public static class UnusableFiles
{
    /// <summary>Most bad files named in one message.</summary>
    public const int MaxListed = 20;

    /// <summary>
    /// After a model failed on its input (<paramref name="failure"/>): decodes <paramref name="paths"/> from index
    /// <paramref name="from"/> on, as the model does, and returns a <see cref="CliException"/> listing every file that cannot be
    /// used (unreadable, corrupt, truncated, smaller than 8x8), or null when every file is fine (the failure was something else).
    /// <paramref name="what"/> names the files in the message ("training images").
    /// Runs only on that failure path, so a good input is decoded once, by the model.
    /// </summary>
    public static CliException? Find(IReadOnlyList<string> paths, Exception failure, int from = 0, string what = "images") =>
        Among(paths, from) is { Count: > 0 } problems ? Error(problems, paths.Count, failure, what) : null;

    /// <summary>The files of <paramref name="paths"/> from index <paramref name="from"/> on that cannot be used, each with why.</summary>
    public static List<UnusableFile> Among(IReadOnlyList<string> paths, int from = 0)
    {
        var problems = new List<UnusableFile>();
        for (int i = Math.Max(0, from); i < paths.Count; i++)
        {
            try
            {
                // Read as the models read files (row by row to a small size), so a large image costs no full-size floats here.
                const int side = SSM.Core.Data.ImageCache.MinimumSide;
                var size = ImageFile.LoadResized(paths[i], 1, side, side).SourceSize;
                if (SSM.Core.Data.ImageCache.SizeProblem($"'{paths[i]}'", size) is { } small) problems.Add(new(paths[i], small));
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                problems.Add(new(paths[i], Describe(ex, paths[i])));
            }
        }
        return problems;
    }

    /// <summary>The error that lists <paramref name="problems"/> among <paramref name="total"/> files.</summary>
    public static CliException Error(IReadOnlyList<UnusableFile> problems, int total, Exception? failure = null, string what = "images",
        string? hint = null) =>
        new(List($"{problems.Count} of {total} {what} cannot be used", [.. problems.Select(p => p.Problem)]) +
            (hint is null ? "" : Environment.NewLine + "  " + hint), failure);

    /// <summary>The exception's message, prefixed with the file when it does not name it already.</summary>
    internal static string Describe(Exception ex, string path, string? otherPath = null) =>
        ex.Message.Contains(path, StringComparison.Ordinal) || (otherPath is not null && ex.Message.Contains(otherPath, StringComparison.Ordinal))
            ? ex.Message
            : $"'{path}': {ex.Message}";

    /// <summary>"headline:" and one indented line per problem (at most <see cref="MaxListed"/>).</summary>
    internal static string List(string headline, List<string> problems)
    {
        var lines = problems.Take(MaxListed).Select(p => "  " + p).ToList();
        if (problems.Count > MaxListed) lines.Add($"  ... and {problems.Count - MaxListed} more");
        return headline + ":" + Environment.NewLine + string.Join(Environment.NewLine, lines);
    }
}

/// <summary>An input file a model cannot use, and why (a sentence that names the file).</summary>
public sealed record UnusableFile(string Path, string Problem);
