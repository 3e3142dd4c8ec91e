using SSM.Cli.Commands;
using SSM.Cli.Inputs;
using SSM.Cli.Outputs;

namespace SSM.Cli.Models;

/// <summary>
/// What the metrics.json beside a model file says its network was trained on, when that file is this model's training
/// record (<c>train</c>'s, with the model's <see cref="ModelIdentity"/>): a model copied elsewhere, or evaluated, has none.
/// </summary>
public static class TrainingRecord
{
    /// <summary>The folders the network of the model at <paramref name="model"/> was trained on: its training's
    /// <c>&lt;DATA&gt;</c> and <c>--add-good</c> folders and, for a fine-tuning, those its starting model had been trained on
    /// (recorded with it, <see cref="MetricsFile.TrainedBefore"/>: the starting model's own record may be gone or replaced
    /// since); each once. None when nothing is known.</summary>
    public static IReadOnlyList<TrainedFolder> DataFolders(string model)
    {
        if (Of(model) is not { Dataset: { } dataset } training) return [];
        bool recursive = training.Recursive == true;
        var folders = new List<TrainedFolder>();
        // In the order trained: the earlier trainings', then this one's <DATA> and --add-good folders.
        foreach (var folder in (training.TrainedBefore ?? []).Append(new(ModelSettings.FullFolder(dataset), recursive, Added: false))
                     .Concat((training.AddedGood ?? []).Select(f => new TrainedFolder(ModelSettings.FullFolder(f), recursive, Added: true))))
            if (!folders.Contains(folder)) folders.Add(folder);
        return folders;
    }

    /// <summary>The images the network of the model at <paramref name="model"/> was trained on (<see cref="DataFolders"/>),
    /// listed again as <c>train</c> reads its folders; none when that is not known or the folders are gone.</summary>
    public static IReadOnlyList<string> TrainingImages(string model)
    {
        var images = new List<string>();
        foreach (var (folder, recursive, added) in DataFolders(model))
        {
            try
            {
                images.AddRange((added ? DatasetInput.OpenAddedGood(folder, recursive) : DatasetInput.OpenTraining(folder, recursive, minimumImages: 1))
                    .Images.TrainPaths);
            }
            // Moved, changed or unreadable since: what can still be read is looked at.
            catch (Exception e) when (e is CliException or IOException or UnauthorizedAccessException) { }
        }
        return [.. images.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>The training record of the model at <paramref name="model"/>, or null.</summary>
    private static MetricsFile? Of(string model)
    {
        // Asked before the model is loaded: a missing file or a folder is for loading to say, in its words.
        if (!File.Exists(model)) return null;
        string record = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(model))!, OutputFiles.Metrics);
        try
        {
            return MetricsFile.TryRead(record, out _) is { Command: "train" } training && training.NetworkSha256 == ModelIdentity.Of(model)
                ? training : null;
        }
        catch (Exception e) when (e is CliException or IOException or UnauthorizedAccessException) { return null; }   // loading it says what is wrong
    }
}

/// <summary>A folder a training read (a full path): its <c>&lt;DATA&gt;</c> or one of its <c>--add-good</c> folders, and
/// whether that training read subfolders (<c>--recursive</c>).</summary>
public readonly record struct TrainedFolder(string Folder, bool Recursive, bool Added);
