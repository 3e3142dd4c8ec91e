using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML;
using Spectre.Console;
using Spectre.Console.Cli;
using SSM.Cli.Running;

namespace SSM.Cli.Commands;

/// <summary>
/// <c>ssm info</c>: what a model.zip is, read from the file alone: its identity (<see cref="ModelIdentity"/>), threshold,
/// the settings and what it recorded of its training. The model holds no clock, host or data list (a seed gives the same
/// file); those come from the training's metrics.json when one lies beside the model with the same identity.
/// </summary>
public sealed class InfoCommand(IAnsiConsole console) : Command<InfoSettings>
{
    /// <summary>The facts, under metrics.json's keys (a script that reads one reads the other).</summary>
    public sealed record ModelFacts
    {
        public string Model { get; init; } = "";
        public string NetworkSha256 { get; init; } = "";
        public float Threshold { get; init; }
        public int Channels { get; init; }
        public int? TrainImages { get; init; }
        public int? EpochsRun { get; init; }
        public double? FinalLoss { get; init; }
        public RecordedSettings Settings { get; init; } = new();
        /// <summary>The training's metrics.json beside the model with the same identity; null when there is none.</summary>
        public string? TrainingRecord { get; init; }
        /// <summary>From the training record: the ssm that trained, the data, the seconds, whether it went on from a checkpoint.</summary>
        public string? Version { get; init; }
        public string? Dataset { get; init; }
        public bool? Recursive { get; init; }
        public double? TrainingSeconds { get; init; }
        public int? ContinuedAfterEpoch { get; init; }
    }

    public override int Execute(CommandContext context, InfoSettings settings, CancellationToken cancellationToken)
    {
        var facts = Read(settings.Model, out string? otherRecord);
        if (settings.Json)
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(facts, Json));
            return 0;
        }
        Summary.Show(console, "model", [
            ("model", facts.Model), ("network sha256", facts.NetworkSha256), ("threshold", Summary.F(facts.Threshold)),
            ("channels", facts.Channels == 3 ? "3 (colour)" : "1 (grey)"),
            .. facts.TrainImages is { } n ? [("training images", n.ToString())] : Array.Empty<(string, string)>(),
            .. facts.EpochsRun is { } e ? [("epochs run", e.ToString()), ("final loss", Summary.F(facts.FinalLoss))] : Array.Empty<(string, string)>(),
            ("training record", facts.TrainingRecord ?? otherRecord ?? "none beside the model (metrics.json)"),
            .. Recorded("trained by", facts.Version), .. Recorded("dataset", facts.Dataset),
            .. Recorded("training time", facts.TrainingSeconds is { } s ? $"{Summary.F(s)} s" : null),
            .. Recorded("continued after epoch", facts.ContinuedAfterEpoch?.ToString()),
            .. facts.Settings.Rows().Select(r => TrainCommand.ReportRow(r.Key, r.Value)),
        ]);
        return 0;
    }

    /// <summary>The facts of a model file; <paramref name="otherRecord"/> says why a metrics.json beside it was not used.</summary>
    internal static ModelFacts Read(string path, out string? otherRecord)
    {
        var model = ModelRunner.Load(new MLContext(seed: 0), path);
        using var owned = model as IDisposable;
        var ssm = ModelRunner.SsmOf(model);
        string full = Path.GetFullPath(path), identity = ModelIdentity.Of(full);
        var summary = ssm.Model.TrainingSummary;
        var facts = new ModelFacts
        {
            Model = full, NetworkSha256 = identity, Threshold = ssm.Threshold, Channels = ssm.Channels,
            TrainImages = summary?.TrainingImages, EpochsRun = summary?.EpochsRun, FinalLoss = summary?.FinalLoss,
            Settings = RecordedSettings.Of(ssm.Model.Options, ssm.Model.Options.Training.Epochs),
        };
        otherRecord = null;
        string recordPath = Path.Combine(Path.GetDirectoryName(full)!, "metrics.json");
        if (!File.Exists(recordPath)) return facts;
        MetricsFile record;
        try { record = MetricsFile.Read(recordPath); }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            otherRecord = $"{recordPath} cannot be read ({ex.Message})";
            return facts;
        }
        // evaluate's metrics.json names the model it read; only train's knows the training.
        if (record.Command != "train" || record.NetworkSha256 != identity)
        {
            otherRecord = record.Command != "train" ? $"{recordPath} is evaluate's, not a training's"
                : record.NetworkSha256 is null ? $"{recordPath} is from before 2026-12-04, without the identity to match it to the model"
                : $"{recordPath} is another model's (its network sha256 differs)";
            return facts;
        }
        return facts with
        {
            TrainingRecord = recordPath, Version = record.Version, Dataset = record.Dataset, Recursive = record.Recursive,
            TrainingSeconds = record.TrainingSeconds, ContinuedAfterEpoch = record.ContinuedAfterEpoch,
            // The run's own settings: the model's, with what only the run knew (device, threads, time budget, precision used).
            Settings = record.Settings,
        };
    }

    private static IEnumerable<(string, string)> Recorded(string key, string? value) => value is null ? [] : [(key, value)];

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
