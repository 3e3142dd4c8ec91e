using SSM.Cli.Commands;
using SSM.Cli.Inputs;
using SSM.Cli.Outputs;

namespace SSM.Cli.Models;

/// <summary>
/// What the metrics.json beside a model file says its training read, when that file is this model's training record
/// (<c>train</c>'s, with the model's <see cref="ModelIdentity"/>): a model copied elsewhere, or evaluated, has none.
/// </summary>
public static class TrainingRecord
{
    /// <summary>A folder a training read: its <c>&lt;DATA&gt;</c> or one of its <c>--add-good</c> folders (a full path), and
    /// whether that training read subfolders (<c>--recursive</c>).</summary>
    public readonly record struct TrainedFolder(string Folder, bool Recursive, bool Added);

    /// <summary>Most fine-tunings followed back: a chain of models each going on from the one before.</summary>
    private const int MaxChain = 32;

    /// <summary>The folders the network of the model at <paramref name="model"/> was trained on: its training's, and, for a
    /// model of <c>train --from</c>, those of the model it went on from, as far as their records are found (each beside its
    /// model); none when nothing is known.</summary>
    public static IReadOnlyList<TrainedFolder> DataFolders(string model)
    {
        var folders = new List<TrainedFolder>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (string? next = model; next is not null && folders.Count < 2 * MaxChain && seen.Add(next);)
        {
            if (Of(next) is not { Dataset: { } dataset } training) break;
            bool recursive = training.Recursive == true;
            folders.Add(new(ModelSettings.FullFolder(dataset), recursive, Added: false));
            folders.AddRange((training.AddedGood ?? []).Select(f => new TrainedFolder(ModelSettings.FullFolder(f), recursive, Added: true)));
            next = training.FineTunedFrom;
        }
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
                images.AddRange(added ? DatasetInput.OpenAddedGood(folder, recursive).Images.TrainPaths
                    : recursive ? DatasetInput.OpenTree(folder, minimumImages: 1).TrainPaths
                    : DatasetInput.Open(folder, needTrain: true, needTest: false, minimumImages: 1).TrainPaths);
            }
            catch (CliException) { }   // moved or changed since: what is still there is looked at
        }
        return images;
    }

    /// <summary>The training record of the model at <paramref name="model"/>, or null.</summary>
    private static MetricsFile? Of(string model)
    {
        // Asked before the model is loaded: a missing file or a folder is for loading to say, in its words.
        if (!File.Exists(model)) return null;
        string record = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(model))!, "metrics.json");
        try
        {
            return MetricsFile.TryRead(record, out _) is { Command: "train" } training && training.NetworkSha256 == ModelIdentity.Of(model)
                ? training : null;
        }
        catch (Exception e) when (e is CliException or IOException or UnauthorizedAccessException) { return null; }   // loading it says what is wrong
    }
}
