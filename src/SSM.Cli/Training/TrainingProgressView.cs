using Microsoft.ML;
using Microsoft.ML.Runtime;
using Spectre.Console;
using SSM.Core.Training;
using SSM.MLNet;

namespace SSM.Cli.Training;

/// <summary>
/// Shows training progress: a live Spectre progress bar with ETA and the current losses on an interactive terminal, one plain
/// line per epoch when the output is redirected (CI, tests, pipes), and within a long epoch a line a minute (<see cref="StepLines"/>).
/// </summary>
public static class TrainingProgressView
{
    /// <summary>Runs <paramref name="train"/> while listening to the MLContext's log; returns its result and the epochs seen.
    /// The model's warnings go to <paramref name="warnings"/>, or above the live bar, where a second stream would break it.</summary>
    /// <param name="seen">Receives the epochs as they are reported, so that a caller still has them when training stops
    /// with an exception; null = a new list.</param>
    /// <param name="live">Whether to draw the live bar; null = when <see cref="IsLive"/> (a test draws it on a console of its own).</param>
    public static (T Result, List<EpochReport> Epochs) Run<T>(IAnsiConsole console, Warnings warnings, MLContext mlContext, int plannedEpochs, Func<T> train,
        List<EpochReport>? seen = null, bool? live = null)
    {
        var epochs = seen ?? [];
        if (!(live ?? IsLive(console)))
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var stepLines = new StepLines(StepLines.Every);
            void Plain(object? _, LoggingEventArgs e)
            {
                if (SaidByTrain(e)) return;
                if (ModelWarning(e) is { } warning) { warnings.Write(warning); return; }
                if (!e.Source.Contains("Ssm", StringComparison.Ordinal)) return;
                if (EpochReport.TryParseStep(e.RawMessage) is { } step)
                {
                    if (stepLines.Step(step.Epoch, step.Planned, step.Step, step.Steps, clock.Elapsed) is { } line) console.WriteLine(line);
                    return;
                }
                var epoch = EpochReport.TryParse(e.RawMessage);
                if (epoch is null)
                {
                    // The command says which training it continues, and where a stopped one is kept, in its own words
                    // (the library's speak of Fit).
                    if (e.RawMessage.StartsWith("SSM:", StringComparison.Ordinal) && !e.RawMessage.StartsWith("SSM: continuing", StringComparison.Ordinal)
                        && !e.RawMessage.StartsWith("SSM: stopped", StringComparison.Ordinal))
                        console.WriteLine(e.RawMessage);
                    return;
                }
                epochs.Add(epoch);
                console.WriteLine($"epoch {epoch.Epoch}/{epoch.Planned} loss {epoch.Loss:F4} (mse {epoch.Mse:F3} gms {epoch.MsGms:F3} ssim {epoch.Ssim:F3}) " +
                                  $"{TrainingProgress.Clock(epoch.Elapsed)} ETA {TrainingProgress.Clock(epoch.Remaining)}");
                stepLines.Written(clock.Elapsed);
            }
            mlContext.Log += Plain;
            try { return (train(), epochs); }
            finally { mlContext.Log -= Plain; }
        }

        T result = default!;
        Bar(console).Start(ctx =>
            {
                // The model reads every image before the first epoch; the engine's "SSM: training on" line ends that.
                var task = ctx.AddTask("reading the images", maxValue: plannedEpochs);
                void Live(object? _, LoggingEventArgs e)
                {
                    if (SaidByTrain(e)) return;
                    if (ModelWarning(e) is { } warning) { new Warnings(console).Write(warning); return; }
                    if (!e.Source.Contains("Ssm", StringComparison.Ordinal)) return;
                    if (EpochReport.TryParseStep(e.RawMessage) is { } step)
                    {
                        // Within an epoch: the bar moves by the share of its steps done (the description stays the last epoch's).
                        task.MaxValue = step.Planned;
                        task.Value = step.Epoch - 1 + (double)step.Step / step.Steps;
                        if (step.Epoch == 1) task.Description = $"epoch 1/{step.Planned}: step {step.Step} of {step.Steps}";
                        return;
                    }
                    if (EpochReport.TryParseCalibration(e.RawMessage) is { } calibration)
                    {
                        task.Description = $"calibrating: {calibration.Scored} of {calibration.Total} scored";
                        return;
                    }
                    var epoch = EpochReport.TryParse(e.RawMessage);
                    if (epoch is null)
                    {
                        // "SSM: reading the training images: 120 of 300 read", every few seconds while large files decode.
                        if (e.RawMessage.StartsWith(ReadingPrefix, StringComparison.Ordinal)) task.Description = "reading the images: " + e.RawMessage[ReadingPrefix.Length..];
                        if (e.RawMessage.StartsWith("SSM: training on", StringComparison.Ordinal) || e.RawMessage.StartsWith("SSM: fine-tuning on", StringComparison.Ordinal))
                            task.Description = "training";
                        if (e.RawMessage.StartsWith("SSM: calibrating", StringComparison.Ordinal)) task.Description = "calibrating";
                        return;
                    }
                    epochs.Add(epoch);
                    task.MaxValue = epoch.Planned;
                    task.Value = epoch.Epoch;
                    task.Description = $"epoch {epoch.Epoch}/{epoch.Planned} loss {epoch.Loss:F4} " +
                                       $"[grey]mse {epoch.Mse:F3} gms {epoch.MsGms:F3} ssim {epoch.Ssim:F3}[/]";
                }
                mlContext.Log += Live;
                try { result = train(); }
                finally { mlContext.Log -= Live; }
                task.Description = epochs.Count > 0 ? $"trained {epochs[^1].Epoch} epochs, loss {epochs[^1].Loss:F4}" : "trained";
                task.Value = task.MaxValue;
                task.StopTask();
            });
        return (result, epochs);
    }

    private const string ReadingPrefix = "SSM: reading the training images: ";

    /// <summary>The log message as the command line warns of it when it is a warning of the model's (<see cref="InCliTerms"/>);
    /// null for every other message.</summary>
    internal static string? ModelWarning(LoggingEventArgs e) =>
        e.Kind == ChannelMessageKind.Warning && e.Source.Contains("Ssm", StringComparison.Ordinal) ? InCliTerms(e.RawMessage) : null;

    /// <summary>Whether <c>train</c> says this warning of the model's itself, from the files' headers and in its options' terms
    /// (<see cref="Inputs.ImageHeaders.TrainingNotes"/>, <see cref="Inputs.ImageHeaders.GreyAmongColour"/>): a new grey model's
    /// colour images, which a review saw said twice, the second time as "the training images in column 'ImagePath' are in
    /// colour" where 10 of 16 were grey. A fine-tuning's is the model's to say: the command cannot change its channels.</summary>
    private static bool SaidByTrain(LoggingEventArgs e) =>
        e.Kind == ChannelMessageKind.Warning && e.RawMessage.Contains($"are in colour, and the model reads grey ({nameof(SsmAnomalyDetectionOptions.Channels)} = 1", StringComparison.Ordinal);

    /// <summary>A warning of the model's as the command line says it: without the "SSM: " of the log, naming the option of
    /// <c>train</c> instead of the options class's property.</summary>
    internal static string InCliTerms(string message) => OptionName.Replace(ChannelsValue.Replace(
        TileGridValue.Replace(message.StartsWith("SSM: ", StringComparison.Ordinal) ? message[5..] : message, "--tiles $1x$2"), "--channels $1"), m => CliOptions[m.Value]);

    // "Tiles = new TileGrid(8, 1)", as the options class is set, is "--tiles 8x1" on the command line.
    private static readonly System.Text.RegularExpressions.Regex TileGridValue = new($@"\b{nameof(SsmAnomalyDetectionOptions.Tiles)} = new TileGrid\((\d+), (\d+)\)");

    // "Channels = 3" is "--channels 3"; the options class's default 1 is not the command's (auto, from the files).
    private static readonly System.Text.RegularExpressions.Regex ChannelsValue = new($@"\b{nameof(SsmAnomalyDetectionOptions.Channels)} = (\d)(, the default)?");

    private static readonly Dictionary<string, string> CliOptions = new()
    {
        [nameof(SsmAnomalyDetectionOptions.HoldoutFraction)] = "--holdout",
        [nameof(SsmAnomalyDetectionOptions.ImageSize)] = "--image-size",
        [nameof(SsmAnomalyDetectionOptions.Tiles)] = "--tiles",
        [nameof(SsmAnomalyDetectionOptions.BatchSize)] = "--batch-size",
        [nameof(SsmAnomalyDetectionOptions.BaseWidth)] = "--width",
        [nameof(SsmAnomalyDetectionOptions.Channels)] = "--channels",
        [nameof(SsmAnomalyDetectionOptions.Seed)] = "--seed",
        [nameof(SsmAnomalyDetectionOptions.TrainingTime)] = "--time-budget",
        [nameof(SsmFineTuningOptions.LearningRate)] = "--learning-rate",
    };

    // Whole words only: ScoringBatchSize is not BatchSize.
    private static readonly System.Text.RegularExpressions.Regex OptionName = new($@"\b({string.Join("|", CliOptions.Keys)})\b");

    /// <summary>Whether a live bar can be drawn: the terminal itself, interactive, not redirected (CI, tests, pipes).</summary>
    internal static bool IsLive(IAnsiConsole console) =>
        console.Profile.Capabilities.Interactive && !Console.IsOutputRedirected && console == AnsiConsole.Console;

    /// <summary>The progress display of training and scoring: description, bar, percentage, time left.</summary>
    internal static Progress Bar(IAnsiConsole console) => console.Progress()
        .AutoClear(false)
        .Columns(new TaskDescriptionColumn(), new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn());
}
