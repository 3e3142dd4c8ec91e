using System.Text.Json;
using Microsoft.ML;
using Spectre.Console;
using Spectre.Console.Cli;
using SSM.Cli.Models;
using SSM.Cli.Outputs;
using SSM.MLNet;

namespace SSM.Cli.Commands;

/// <summary>
/// <c>ssm info</c>: what a model.zip is, read from the file alone: its identity (<see cref="ModelIdentity"/>), threshold,
/// the settings and what it recorded of its training. The model holds no clock, host or data list (a seed gives the same
/// file); those come from the training's metrics.json when one lies beside the model with the same identity.
/// </summary>
public sealed class InfoCommand(IAnsiConsole console) : Command<InfoSettings>
{
    /// <summary>The facts, under the key names metrics.json uses for them.</summary>
    public sealed record ModelFacts
    {
        /// <summary>The model file, as a full path.</summary>
        public string Model { get; init; } = "";
        public string NetworkSha256 { get; init; } = "";
        public float Threshold { get; init; }
        /// <summary>The model's mask threshold (<c>evaluate --mask-threshold</c>); absent when its masks mark where each image's verdict lies.</summary>
        public float? MaskThreshold { get; init; }
        public int Channels { get; init; }
        public int? TrainImages { get; init; }
        /// <summary>How many normal images calibrated the model after its training (<c>evaluate --calibrate-on</c>); absent for
        /// a model its training calibrated.</summary>
        public int? CalibrationImages { get; init; }
        public int? EpochsRun { get; init; }
        public double? FinalLoss { get; init; }
        public RecordedSettings Settings { get; init; } = new();
        /// <summary>The training's metrics.json beside the model with the same identity; null when there is none.</summary>
        public string? TrainingRecord { get; init; }
        /// <summary>Why no training record is given: none beside the model, or a metrics.json that is evaluate's, another model's or unreadable.</summary>
        public string? TrainingRecordNote { get; init; }
        /// <summary>From the training record: the ssm that trained, the data, the seconds, whether it went on from a checkpoint.</summary>
        public string? Version { get; init; }
        public string? Dataset { get; init; }
        public bool? Recursive { get; init; }
        public double? TrainingSeconds { get; init; }
        public int? ContinuedAfterEpoch { get; init; }
        /// <summary>From the training record of <c>train --from</c>: the model it went on from and that model's identity.</summary>
        public string? FineTunedFrom { get; init; }
        public string? FineTunedFromSha256 { get; init; }
        /// <summary>From the training record of <c>train --add-good</c>: the folders whose good images trained beside the dataset's, and how many.</summary>
        public List<string>? AddedGood { get; init; }
        public int? AddedGoodImages { get; init; }
        /// <summary>From the training record of <c>train --from</c>: the folders the network had been trained on before.</summary>
        public List<TrainedFolder>? TrainedBefore { get; init; }
    }

    public override int Execute(CommandContext context, InfoSettings settings, CancellationToken cancellationToken)
    {
        var model = ModelRunner.Load(new MLContext(seed: 0), settings.Model);
        using var owned = model as IDisposable;
        var ssm = ModelRunner.SsmOf(model);
        var facts = Facts(ssm, Path.GetFullPath(settings.Model));
        if (settings.Json)
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(facts, MetricsFile.Json));
            return 0;
        }
        Summary.Show(console, "model", [
            ("model", facts.Model), ("network sha256", facts.NetworkSha256), ("threshold", Summary.Threshold(ssm)),
            .. Recorded("mask threshold", facts.MaskThreshold is { } mask ? $"{Summary.T(mask)} (anomaly-map value from which masks and contours mark a pixel)" : null),
            ("channels", Summary.Channels(ssm)), .. Summary.Training(ssm),
            ("training record", facts.TrainingRecord ?? facts.TrainingRecordNote ?? ""),
            .. Recorded("trained by", facts.Version),
            .. Recorded("dataset", facts.Dataset is { } data && facts.Recursive == true ? $"{data} (with its subfolders: --recursive)" : facts.Dataset),
            // The dataset row alone would say a model of train --from --add-good knew only the new images.
            .. Recorded("added good", facts.AddedGood is { } added ? $"{string.Join(", ", added)} ({facts.AddedGoodImages} images)" : null),
            .. Recorded("fine-tuned from", facts.FineTunedFrom is { } source ? $"{source} (network sha256 {facts.FineTunedFromSha256})" : null),
            .. Recorded("trained before on", facts.TrainedBefore is { } before ? string.Join(", ", before.Select(f => f.Folder)) : null),
            // A continued training's record has the last run's time, as train's summary says it.
            .. Recorded("training time", facts.TrainingSeconds is { } s
                ? $"{Summary.F(s)} s" + (facts.ContinuedAfterEpoch is { } from ? $" (the last run's; epochs 1-{from} ran before)" : "")
                  + (facts.FineTunedFrom is null ? "" : " (the last fine-tuning's, as are the settings below)") : null),
            .. facts.Settings.Rows().Select(r => TrainCommand.ReportRow(r.Key, r.Value)),
        ]);
        return 0;
    }

    /// <summary>The facts of a loaded model and its file.</summary>
    internal static ModelFacts Facts(SsmAnomalyTransformer ssm, string file)
    {
        string identity = ModelIdentity.Of(file);
        var summary = ssm.Model.LastTraining;   // with the settings of the same training (LastTrainingOptions)
        var facts = new ModelFacts
        {
            Model = file, NetworkSha256 = identity, Threshold = ssm.Threshold, MaskThreshold = ssm.MaskThreshold, Channels = ssm.Channels,
            TrainImages = summary?.TrainingImages,
            CalibrationImages = Summary.CalibrationImages(ssm), EpochsRun = summary?.EpochsRun, FinalLoss = summary?.FinalLoss,
            Settings = RecordedSettings.Of(ssm.Model.LastTrainingOptions, ssm.Model.LastTrainingOptions.Training.Epochs),
        };
        string recordPath = Path.Combine(Path.GetDirectoryName(file)!, OutputFiles.Metrics);
        if (MetricsFile.TryRead(recordPath, out string? problem) is not { } record)
            return facts with { TrainingRecordNote = problem is null ? "none beside the model (metrics.json)" : $"{recordPath} cannot be read ({problem})" };
        // evaluate's metrics.json names the model it read; only train's knows the training.
        if (record.Command != "train" || record.NetworkSha256 != identity)
            return facts with
            {
                TrainingRecordNote = record.Command != "train" ? $"{recordPath} is evaluate's, not a training's"
                    : record.NetworkSha256 is null ? $"{recordPath} is from before 2026-12-04, without the identity to match it to the model"
                    : $"{recordPath} is another model's (its network sha256 differs)",
            };
        return facts with
        {
            TrainingRecord = recordPath, Version = record.Version, Dataset = record.Dataset, Recursive = record.Recursive,
            TrainingSeconds = record.TrainingSeconds, ContinuedAfterEpoch = record.ContinuedAfterEpoch,
            FineTunedFrom = record.FineTunedFrom, FineTunedFromSha256 = record.FineTunedFromSha256,
            AddedGood = record.AddedGood, AddedGoodImages = record.AddedGoodImages, TrainedBefore = record.TrainedBefore,
            // The model's settings, with what only the run knew (device, threads, time budget, precision used, the epochs
            // planned): a record of an earlier version lacks what it did not know (before tileOverlap, side-by-side tiles
            // were the only kind, and a missing overlap now reads as the default, overlapping).
            Settings = facts.Settings with
            {
                Device = record.Settings.Device, Threads = record.Settings.Threads, TimeBudgetMinutes = record.Settings.TimeBudgetMinutes,
                PrecisionUsed = record.Settings.PrecisionUsed, Epochs = record.Settings.Epochs,
            },
        };
    }

    private static IEnumerable<(string, string)> Recorded(string key, string? value) => value is null ? [] : [(key, value)];
}
