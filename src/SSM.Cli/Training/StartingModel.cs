using Microsoft.ML;
using SSM.Cli.Commands;
using SSM.Cli.Models;
using SSM.Core;
using SSM.Core.Training;
using SSM.MLNet;

namespace SSM.Cli.Training;

/// <summary>
/// The model <c>train --from</c> goes on from: loaded before anything else is read, its settings taken into the command's
/// (<see cref="TrainSettings.TakeModelOptions"/>), and the fine-tuning the command's schedule options ask of it.
/// </summary>
public sealed class StartingModel : IDisposable
{
    private StartingModel(ITransformer model, string path, string identity)
    {
        Model = model;
        Path = path;
        Identity = identity;
        // Read now, while the record beside the model is the one it was trained with (a later training into that folder
        // replaces it).
        TrainedOn = TrainingRecord.DataFolders(path);
    }

    /// <summary>The model as loaded (a chain or the SSM step).</summary>
    public ITransformer Model { get; }

    /// <summary>The model file, as a full path.</summary>
    public string Path { get; }

    /// <summary>Its <see cref="ModelIdentity"/>.</summary>
    public string Identity { get; }

    /// <summary>The folders its network was trained on (<see cref="TrainingRecord.DataFolders"/>); none when its training
    /// record is not beside it.</summary>
    public IReadOnlyList<TrainedFolder> TrainedOn { get; }

    /// <summary>The model's SSM step.</summary>
    public SsmAnomalyTransformer Ssm => ModelRunner.SsmOf(Model);

    private SsmModel Engine => Ssm.Model;

    /// <summary>Loads the model at <paramref name="path"/> and sets <paramref name="settings"/>' network, input and scoring
    /// options to its own (<see cref="TrainSettings.TakeModelOptions"/>).</summary>
    /// <exception cref="CliException">No model there, not one ssm reads, one that does not read image paths itself, or options
    /// given that the model sets.</exception>
    /// <param name="arguments">The command's arguments as given: the options that shape the network are refused among them.</param>
    public static StartingModel Load(MLContext mlContext, string path, TrainSettings settings, IReadOnlyList<string> arguments)
    {
        var model = ModelRunner.Load(mlContext, path, maxPixels: settings.MaxPixels, toFineTune: true);
        try
        {
            string full = System.IO.Path.GetFullPath(path);
            var start = new StartingModel(model, full, ModelIdentity.Of(full));
            settings.TakeModelOptions(start.Engine.Options, arguments);
            return start;
        }
        catch
        {
            (model as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>The epochs the fine-tuning runs: <c>--epochs</c>, else the model's default (<see cref="SsmTrainer.FineTuningEpochsFor"/>:
    /// 10, divided by the tiles per image).</summary>
    public int Epochs(TrainSettings settings) => settings.Epochs ?? SsmTrainer.FineTuningEpochsFor(Engine);

    /// <summary>The fine-tuning the command's options ask for.</summary>
    public SsmFineTuningOptions FineTuning(TrainSettings settings, int epochs, CancellationToken cancellation) => new()
    {
        Epochs = epochs, LearningRate = settings.LearningRate, BatchSize = settings.BatchSize, HoldoutFraction = settings.Holdout,
        Seed = settings.Seed, TrainingTime = settings.TimeBudgetSpan, Device = settings.TorchDevice,
        Cancellation = cancellation,
    };

    /// <summary>The note for a fine-tuning that does not read every folder the network was trained on (<see cref="TrainedOn"/>):
    /// it may forget their images (on MTD after a camera move the old camera's test set fell from image AUROC 0.959 to 0.757),
    /// which <c>--add-good</c> keeps. Null when no other folder is known.</summary>
    /// <param name="data">The folder the fine-tuning reads, as a full path.</param>
    /// <param name="recursive">Whether the fine-tuning reads subfolders (<c>--recursive</c>, for <paramref name="data"/> and its
    /// <c>--add-good</c> folders alike).</param>
    /// <param name="added">The fine-tuning's <c>--add-good</c> folders.</param>
    public string? ForgettingNote(string data, bool recursive, IReadOnlyList<string> added)
    {
        // A folder inside one the fine-tuning reads, or holding it, shares its images: --add-good would refuse them.
        IReadOnlyList<string> reads = [data, .. added];
        bool Overlaps(string folder) => reads.Any(r => ModelSettings.SameFolder(r, folder) || ModelSettings.IsInside(r, folder) || ModelSettings.IsInside(folder, r));
        var forgotten = new List<TrainedFolder>();
        foreach (var f in TrainedOn)
            if (!Overlaps(f.Folder) && !forgotten.Any(known => ModelSettings.SameFolder(known.Folder, f.Folder))) forgotten.Add(f);
        if (forgotten.Count == 0) return null;
        // An MVTec dataset is read by its train/good either way; a tree only with --recursive, which an MVTec <DATA> refuses.
        bool needsTree = !recursive && forgotten.Any(f => f.Recursive && SSM.Core.Data.MvtecFolder.TrainingGoodFolder(f.Folder) is null);
        string tree = !needsTree ? "" : SSM.Core.Data.MvtecFolder.TrainingGoodFolder(data) is { } good
            ? $" and --recursive, which refuses an MVTec dataset as <DATA>: give '{good}' as <DATA> then"
            : " --recursive";
        return $"The network may forget the images it was trained on that this training does not read: where they must stay normal too, give " +
               $"them with {string.Join(" ", forgotten.Select(f => $"--add-good \"{f.Folder}\""))}{tree} (on MTD after a camera move, the old camera's " +
               "image AUROC was 0.757 without them, 0.926 with).";
    }

    /// <summary>What the model is: "Going on from '…' (network sha256 …): trained 105 epochs on 100 images", or, <paramref name="pathOnly"/>, the path
    /// and identity alone.</summary>
    public string Describe(bool pathOnly = false)
    {
        string id = $"{Path} (network sha256 {Identity[..16]}...)";
        if (pathOnly) return id;
        var e = Engine;
        string trained = e.TrainingSummary is { } t ? $": trained {t.EpochsRun} epochs on {t.TrainingImages} images" : "";
        int tunings = e.FineTunings?.Count ?? 0;
        return $"Going on from {id}{trained}{(tunings switch { 0 => "", 1 => ", fine-tuned once", _ => $", fine-tuned {tunings} times" })}.";
    }

    public void Dispose() => (Model as IDisposable)?.Dispose();
}
