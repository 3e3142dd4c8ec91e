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
    /// <summary>The data folders the training of the model at <paramref name="model"/> read, as given to it (<c>&lt;DATA&gt;</c>,
    /// then <c>--add-good</c>'s), as full paths, and whether it read their subfolders (<c>--recursive</c>); none when that is
    /// not known.</summary>
    public static (IReadOnlyList<string> Folders, bool Recursive) DataFolders(string model)
    {
        if (Of(model) is not { Dataset: { } dataset } training) return ([], false);
        return ([.. new[] { dataset, training.AddedGood }.OfType<string>().Select(ModelSettings.FullFolder)], training.Recursive == true);
    }

    /// <summary>The images the training of the model at <paramref name="model"/> read, listed again from its folders as
    /// <c>train</c> reads them; none when that is not known or the folders are gone.</summary>
    public static IReadOnlyList<string> TrainingImages(string model)
    {
        var (folders, recursive) = DataFolders(model);
        var images = new List<string>();
        for (int i = 0; i < folders.Count; i++)
        {
            try
            {
                images.AddRange(i == 0
                    ? (recursive ? DatasetInput.OpenTree(folders[i], minimumImages: 1) : DatasetInput.Open(folders[i], needTrain: true, needTest: false, minimumImages: 1)).TrainPaths
                    : DatasetInput.OpenAddedGood(folders[i], recursive).Images.TrainPaths);
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
