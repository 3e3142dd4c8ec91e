using System.Diagnostics;
using Microsoft.ML;
using Spectre.Console;
using Spectre.Console.Cli;
using SSM.Cli.Inputs;
using SSM.Cli.Models;
using SSM.Cli.Outputs;
using SSM.Cli.Report;
using SSM.Cli.Scoring;
using SSM.Cli.Training;
using SSM.MLNet;

namespace SSM.Cli.Commands;

/// <summary><c>ssm train</c>: trains through ML.NET and writes model.zip, metrics.json, report.html and ConsumeModel.cs.</summary>
public sealed class TrainCommand(IAnsiConsole console, Warnings warnings) : Command<TrainSettings>
{
    public override int Execute(CommandContext context, TrainSettings settings, CancellationToken cancellationToken)
    {
        settings.RequireDevice();
        using var threads = settings.UseThreads();
        return settings.EachCategory
            ? CategoryRuns.Run(console, warnings, settings, () => TrainOne(settings, context.Arguments, cancellationToken))
            : TrainOne(settings, context.Arguments, cancellationToken);
    }

    /// <summary>Trains on <see cref="TrainSettings.Data"/> alone and writes into <see cref="CommonSettings.Output"/>.</summary>
    /// <param name="arguments">The command's arguments as given, for <c>--from</c>.</param>
    private int TrainOne(TrainSettings settings, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        // A mistyped model is said at once, not after the images were listed and --add-good's hashed.
        if (settings.From is not null)
        {
            ModelRunner.RequireModelFile(settings.From);
            settings.RefuseOutputHoldingModel(settings.From, "ssm train", "--from");
        }
        var (data, notRead) = DatasetInput.OpenTraining(settings.Data, settings.Recursive);
        DatasetInput.WarnSkipped(warnings, data.Skipped, notRead);
        var added = AddedGood(data, settings.AddGood, settings.Recursive);
        // The next run would read the tree again, with this output's files in it.
        if (settings.Recursive)
            foreach (string root in added.Select(a => a.Root).Prepend(data.Root)) settings.RefuseOutputInside(root, "ssm train --recursive");
        data = data.WithTrainingImages([.. added.SelectMany(a => a.TrainPaths)]);
        settings.RefuseOutputAmong([.. data.TrainPaths, .. data.TestItems.Select(t => t.Path), .. data.TestItems.Select(t => t.MaskPath).OfType<string>()], "ssm train");
        using var staging = new OutputStaging(settings.Output);
        var mlContext = new MLContext(settings.Seed);
        // Loaded before the training images are read: a wrong path fails at once, and their notes use the model's size.
        using var start = settings.From is { } from ? StartingModel.Load(mlContext, from, settings, arguments) : null;
        int plannedEpochs = start?.Epochs(settings) ?? settings.EpochsToRun();
        var headersByPath = ImageHeaders.HeadersOf(data.TrainPaths);
        ImageHeaders.RefuseTooLarge(data.TrainPaths, headersByPath, settings.MaxPixels, "training images");
        var headers = headersByPath.OfType<SSM.Core.Data.ImageHeader>().ToList();
        int channels = settings.ChannelCount ?? ImageHeaders.ChannelsOf(headers, data.TrainPaths);
        var options = new SsmAnomalyDetectionOptions
        {
            ImageSize = settings.ImageSize, Tiles = settings.TileGrid, BaseWidth = settings.Width, Depth = settings.Depth, Epochs = settings.Epochs,
            LearningRate = settings.LearningRate, BatchSize = settings.BatchSize, HoldoutFraction = settings.Holdout,
            Channels = channels, Seed = settings.Seed, Device = settings.TorchDevice, MaxImagePixels = settings.MaxPixels,
            TrainingTime = settings.TimeBudgetSpan,
            InputNormalization = settings.InputNormalization, RestorationError = settings.RestorationError,
            ImageScoreError = settings.ImageScoreError,
            StandardizeMaps = !settings.RawMaps, RefinementRounds = settings.Rounds, SmoothingSigma = settings.Sigma, TrainingPrecision = settings.NetworkPrecision, ScoringPrecision = settings.NetworkPrecision,
            Flip = settings.Flip, Cancellation = cancellationToken,
        };
        var engineOptions = mlContext.Transforms.DetectAnomaliesSsm(options).EngineOptions;
        var run = (settings.TorchDevice, TorchSharp.torch.get_num_threads(), settings.TimeBudget,
            // What Auto chose on this machine: bfloat16 on one processor, float32 on another.
            SSM.Core.Scoring.NativeBFloat16.Resolve(settings.NetworkPrecision, new TorchSharp.torch.Device(settings.TorchDevice)).ToString());
        // A fine-tuning's are recorded from the model it makes (the settings it trained with), once it is made.
        var trainingSettings = RecordedSettings.Of(engineOptions, plannedEpochs, run);
        // A stopped --each-category run goes on where it stopped: a category this ssm trained before with these settings on
        // these files is kept (looked at before its test images are decoded: MVTec AD holds thousands).
        string? trainedStamp = settings.EachCategory ? CategoryRuns.Stamp(trainingSettings, data) : null;
        if (trainedStamp is not null && CategoryRuns.TrainedBefore(staging.Target, trainedStamp))
        {
            console.WriteLine($"Trained before by this ssm with these settings on these files: kept as it is in '{staging.Target}'.");
            return 0;
        }
        // Training images are read by the model itself, once, before the first epoch; test images are checked now because
        // they are scored only after the training.
        // A new model reads files upright; a model of an older build may not.
        DatasetInput.CheckTestSet(data, decodeImages: true, settings.MaxPixels, (settings.TileGrid, start?.Ssm.ReadsFilesUpright ?? true));
        int heldOut = HeldOut(data.TrainPaths.Count, options);
        string trainImages = Summary.TrainingImages(data.TrainPaths.Count, heldOut);
        // Said as what was found, not what is being trained on: the files are read next, and a bad one stops the run.
        console.WriteLine($"Found {trainImages} in {data.Root}" + (added.Count == 0 ? ""
            : $" ({string.Join(" and ", added.Select((a, i) => $"{a.TrainPaths.Count}{(i == 0 ? " of them" : "")} in {a.Root}"))}, from --add-good)"));
        if (start is not null) console.WriteLine(start.Describe());
        if (start?.ForgettingNote(data.Root, settings.Recursive, [.. added.Select(a => a.Root)]) is { } forgetting) console.WriteLine(forgetting);
        foreach (string note in ImageHeaders.TrainingNotes(headers, data.TrainPaths.Count, channels, settings.ChannelCount is null, settings.ImageSize, settings.SizeMultiple,
                     settings.TileGrid, fineTuning: start is not null))
            console.WriteLine(note);
        if (settings.ChannelCount is null && ImageHeaders.GreyAmongColour(data.TrainPaths, headersByPath) is { } mix) warnings.Write(mix);
        var checkpoints = settings.CheckpointEvery > 0 ? CheckpointFolder.Open(staging.Target, trainingSettings.Rows(withThreads: false), engineOptions, data.TrainPaths, TorchSharp.torch.get_num_threads()) : null;
        if (checkpoints?.Note is { } keptNote) warnings.Write(keptNote);
        if (checkpoints?.Kept is { } kept)
            console.WriteLine($"Continuing the stopped training kept in '{checkpoints.Path}' after epoch {kept.Done} of {kept.Planned}.");
        options.CheckpointFolder = checkpoints?.Path;
        options.CheckpointEvery = Math.Max(1, settings.CheckpointEvery);
        var seen = new List<EpochReport>();
        // Stopped in training or after it (scoring the test set, writing): the checkpoints say where the same command continues.
        try { return TrainAndWrite(); }
        catch (OperationCanceledException stop) when (checkpoints is not null)
        {
            throw checkpoints.Stopped(stop, seen);
        }
        catch when (checkpoints is not null)
        {
            checkpoints.DeleteUnlessKept();
            throw;
        }

        int TrainAndWrite()
        {
            var clock = Stopwatch.StartNew();
            var model = TrainingProgressView.Run(console, warnings, mlContext, plannedEpochs,
                () => start is null ? ModelRunner.Train(mlContext, data.TrainPaths, options)
                    : ModelRunner.FineTune(mlContext, start.Model, data.TrainPaths, start.FineTuning(settings, plannedEpochs, cancellationToken)), seen).Result;
            double seconds = clock.Elapsed.TotalSeconds;
            List<EpochReport> epochs = [.. checkpoints?.History ?? [], .. seen];
            // A fine-tuned chain's other steps are the loaded model's, which start disposes: only its SSM step is its own.
            using var _ = start is null ? model as IDisposable : ModelRunner.SsmOf(model);
            ModelRunner.Save(mlContext, model, staging.PathOf(OutputFiles.Model));
            var ssm = ModelRunner.SsmOf(model);
            string identity = ModelIdentity.Of(staging.PathOf(OutputFiles.Model));
            if (start is not null) trainingSettings = RecordedSettings.Of(ssm.Model.LastTrainingOptions, plannedEpochs, run);

            ImageHeaders.WarnForModel(warnings, [.. data.TestItems.Select(t => t.Path)], channels, ssm.ReadsFilesUpright);
            // A test folder the user made but left empty would otherwise end in "test set: none" without a word.
            if (data.TestItems.Count == 0 && Directory.Exists(Path.Combine(data.Root, "test")))
                warnings.Write($"'{Path.Combine(data.Root, "test")}' holds no test images, so the model is trained but not evaluated.");
            var evaluation = TestSetRun.Evaluate(console, warnings, mlContext, model, data, cancellationToken);
            new MetricsFile
            {
                Command = "train", Version = CliApp.Version, NetworkSha256 = identity, Dataset = data.Root, Recursive = settings.Recursive ? true : null, Threshold = ssm.Threshold,
                TrainingSeconds = Math.Round(seconds, 1), ContinuedAfterEpoch = checkpoints?.Kept?.Done, Settings = trainingSettings,
                FineTunedFrom = start?.Path, FineTunedFromSha256 = start?.Identity, TrainedBefore = start?.TrainedOn is { Count: > 0 } before ? [.. before] : null,
                AddedGood = added.Count > 0 ? [.. added.Select(a => a.Root)] : null, AddedGoodImages = added.Count > 0 ? added.Sum(a => a.TrainPaths.Count) : null,
            }.With(ssm.Model.LastTraining).With(evaluation).Write(staging.PathOf(OutputFiles.Metrics));

            List<(string, string)> rows =
            [
                ("dataset", data.Root), .. start is null ? [] : new[] { ("fine-tuned from", start.Describe(pathOnly: true)) },
                .. added.Count == 0 ? [] : new[] { ("added good images", string.Join("; ", added.Select(a => $"{a.TrainPaths.Count} from {a.Root}"))) },
                ("training images", trainImages),
                ("epochs run", (epochs.Count > 0 ? $"{epochs[^1].Epoch} of {plannedEpochs}" : "?") +
                               (checkpoints?.Kept is { } from ? $" (continued from epoch {from.Done})" : "")),
                // The model's own figure, as evaluate shows it: the epoch line's is rounded for the log, and rounded again it could differ.
                ("final loss", Summary.F(ssm.Model.LastTraining?.FinalLoss ?? (epochs.Count > 0 ? epochs[^1].Loss : null))),
                // The epoch lines count from the first run's start (the checkpoint keeps its clock); this row is this run's.
                ("training time", $"{seconds:F1} s" + (checkpoints?.Kept is { } earlier ? $" (this run; epochs 1-{earlier.Done} ran before)" : "")),
                ("threshold", Summary.Threshold(ssm)),
                .. TestSetRun.Rows(evaluation),
            ];
            HtmlReport.Write(staging.PathOf(OutputFiles.Report), "SSM training report", [.. rows, .. trainingSettings.Rows().Select(r => ReportRow(r.Key, r.Value))], evaluation, epochs, ssm);
            ConsumeModelWriter.Write(staging.PathOf(OutputFiles.ConsumeCode), ssm);
            if (trainedStamp is not null) File.WriteAllText(staging.PathOf(CategoryRuns.StampFile), trainedStamp);
            cancellationToken.ThrowIfCancellationRequested();
            // Looked at while the output is still locked: the model this one replaces, for a line retrained into last month's folder.
            string? replaced = EarlierModel(Path.Combine(staging.Target, OutputFiles.Model), identity, ssm.Threshold);
            string folder = staging.Commit(whileLocked: checkpoints is null ? null : checkpoints.DeleteAll);
            if (replaced is not null)
                warnings.Write($"'{Path.Combine(folder, OutputFiles.Model)}' replaced an earlier training's model ({replaced}): give each training its own --output to keep both.");
            Summary.Show(console, "train", [.. rows, ("output", folder), ("report", Path.Combine(folder, OutputFiles.Report))]);
            return 0;
        }
    }

    /// <summary>What an output's model.zip from before was, when it was another model or had another threshold: its
    /// identity's start, the threshold set since its training (evaluate --threshold), or that it could not be read; null
    /// when there was none or it was this same model (the same command run again).</summary>
    private static string? EarlierModel(string file, string identity, float threshold)
    {
        if (!File.Exists(file)) return null;
        try
        {
            string earlier = ModelIdentity.Of(file);
            if (earlier != identity) return $"network sha256 {earlier[..16]}...";
            var model = ModelRunner.Load(new MLContext(seed: 0), file);
            using var owned = model as IDisposable;
            float before = ModelRunner.SsmOf(model).Threshold;
            return before == threshold ? null : $"the same network, with the threshold {Summary.T(before)} set since, {Summary.T(threshold)} now";
        }
        catch (CliException) { return "not a model ssm reads"; }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return "unreadable: " + ex.Message; }
    }

    /// <summary>How the report shows a setting of metrics.json: as the option that sets it ("imageSize" is --image-size).</summary>
    internal static (string Option, string Value) ReportRow(string setting, string value) => setting switch
    {
        "timeBudgetMinutes" => ("--time-budget (minutes)", value),
        "precisionUsed" => ("--precision (used)", value),
        "standardizeMaps" => ("--raw-maps", value == "true" ? "false" : "true"),
        _ => ("--" + string.Concat(setting.Select(c => char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : c.ToString())), value),
    };

    /// <summary>How many of <paramref name="count"/> training images the engine holds out to calibrate (its own split).</summary>
    private static int HeldOut(int count, SsmAnomalyDetectionOptions options) =>
        SSM.Core.Training.SsmTrainer.Split(count, new SSM.Core.SsmOptions().Training with { HoldoutFraction = options.HoldoutFraction }).HeldOut.Length;

    /// <summary>The good images of each <c>--add-good</c> folder (<see cref="DatasetInput.OpenAddedGood"/>): none may be, by
    /// content, a training image of <paramref name="data"/> or of an earlier folder (trained on twice without a word, and one
    /// copy may be held out to set the threshold on an image the network saw) or a test image of <paramref name="data"/> (the
    /// test figures would be those of images trained on). By content, so a link, another spelling of the path or a copy is
    /// caught too.</summary>
    private List<SSM.Core.Data.MvtecDataset> AddedGood(SSM.Core.Data.MvtecDataset data, IReadOnlyList<string> folders, bool recursive)
    {
        var added = new List<SSM.Core.Data.MvtecDataset>();
        foreach (string folder in folders)
        {
            var (more, notRead) = DatasetInput.OpenAddedGood(folder, recursive);
            DatasetInput.WarnSkipped(warnings, more.Skipped, notRead);
            foreach (var (earlier, name) in added.Select(a => (a.TrainPaths, $"the --add-good folder '{a.Root}'")).Prepend((data.TrainPaths, "<DATA>")))
                if (SameImages.Among(more.TrainPaths, earlier) is { Count: > 0 } twice)
                    throw new CliException($"{twice.Count} of the {more.TrainPaths.Count} images of --add-good '{more.Root}' {(twice.Count == 1 ? "is a training image" : "are training images")} of {name} " +
                                           $"({SameImages.Example(twice)}): they would be trained on twice. " +
                                           "Give --add-good a folder of other good images.") { ExitCode = 2 };
            if (SameImages.TestImagesAmong(more.TrainPaths, data) is { Count: > 0 } shared)
                throw new CliException($"{shared.Count} of the {more.TrainPaths.Count} images of --add-good '{more.Root}' {(shared.Count == 1 ? "is a test image" : "are test images")} of <DATA> ({SameImages.Example(shared)}): " +
                                       "the test figures would be those of images trained on. " +
                                       "Give --add-good other good images.") { ExitCode = 2 };
            added.Add(more);
        }
        return added;
    }
}
