using SSM.Cli.Outputs;

namespace SSM.Cli.Models;

/// <summary>
/// What the metrics.json beside a model file says its training read, when that file is this model's training record
/// (<c>train</c>'s, with the model's <see cref="ModelIdentity"/>): a model copied elsewhere, or evaluated, has none.
/// </summary>
public static class TrainingRecord
{
    /// <summary>The data folders the training of the model at <paramref name="model"/> read, as given to it (<c>&lt;DATA&gt;</c>,
    /// then <c>--add-good</c>'s), as full paths; none when that is not known.</summary>
    public static IReadOnlyList<string> DataFolders(string model)
    {
        // Asked before the model is loaded: a missing file or a folder is for loading to say, in its words.
        if (!File.Exists(model)) return [];
        string record = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(model))!, "metrics.json");
        try
        {
            if (MetricsFile.TryRead(record, out _) is not { Command: "train", Dataset: { } dataset } training
                || training.NetworkSha256 != ModelIdentity.Of(model)) return [];
            return [.. new[] { dataset, training.AddedGood }.OfType<string>().Select(f => Path.TrimEndingDirectorySeparator(Path.GetFullPath(f)))];
        }
        catch (Exception e) when (e is CliException or IOException or UnauthorizedAccessException) { return []; }   // loading it says what is wrong
    }

    /// <summary>The folders of images themselves: a dataset's train/ folder, or the plain folder.</summary>
    public static IEnumerable<string> ImageFolders(string model) =>
        DataFolders(model).Select(root => Directory.Exists(Path.Combine(root, "train")) ? Path.Combine(root, "train") : root);
}
