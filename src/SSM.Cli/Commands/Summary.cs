using Spectre.Console;

namespace SSM.Cli.Commands;

/// <summary>The short table every command ends with.</summary>
internal static class Summary
{
    public static void Show(IAnsiConsole console, string title, IEnumerable<(string Key, string Value)> rows)
    {
        var table = new Table().Title(title).AddColumn("").AddColumn("");
        table.HideHeaders();
        foreach (var (k, v) in rows) table.AddRow(TerminalText.Markup(k), TerminalText.Markup(v));
        console.Write(table);
    }

    /// <summary>The model's threshold as the summaries show it, in words: "3 (standard deviations of the held-out normal
    /// images' scores above their mean)".</summary>
    public static string Threshold(SSM.MLNet.SsmAnomalyTransformer ssm) => $"{T(ssm.Threshold)} (" + (ssm.ScoreNormalization == SSM.MLNet.SsmScoreNormalization.ZScore
        ? $"standard deviations of the {(ssm.Calibration.Recalibrated == true ? "calibration" : "held-out normal")} images' scores above their mean)" : "raw image score)");

    /// <summary>A model calibrated after its training on other normal images (<c>evaluate --calibrate-on</c>) says so: its
    /// training's held-out images no longer set its threshold.</summary>
    public static IEnumerable<(string Key, string Value)> Recalibration(SSM.MLNet.SsmAnomalyTransformer ssm) =>
        CalibrationImages(ssm) is { } images
            ? [("calibrated on", $"{images} normal images after training, in place of its " +
                                   (ssm.Model.LastTraining is { } s ? $"{s.HeldOutImages} held-out ones" : "held-out ones"))]
            : [];

    /// <summary>How many normal images calibrated the model after its training; null when its training calibrated it.</summary>
    public static int? CalibrationImages(SSM.MLNet.SsmAnomalyTransformer ssm) =>
        ssm.Calibration.Recalibrated == true ? ssm.Calibration.NormalImageScores.Count : null;

    /// <summary>The training images as train says them: "761 images (685 to train the network, 76 held out to calibrate the scores)".</summary>
    public static string TrainingImages(int count, int heldOut) =>
        $"{count} images ({count - heldOut} to train the network, {heldOut} held out to calibrate the scores)";

    /// <summary>What a saved model recorded of its training, in the rows of train's summary; none for models saved before it
    /// was recorded. A fine-tuned model's first training is one row, as each fine-tuning is: rows named "training images",
    /// "epochs run" and "final loss" would give the first training's figures where info's JSON and metrics.json give the
    /// last training's under those names.</summary>
    public static IEnumerable<(string Key, string Value)> Training(SSM.MLNet.SsmAnomalyTransformer ssm)
    {
        var first = ssm.Model.TrainingSummary;
        IEnumerable<(string, string)> trained = first is null ? []
            : ssm.Model.FineTunings is { Count: > 0 } ? [("trained first", Run(first, ssm.Model.Options.Training))]
            : [("training images", TrainingImages(first.TrainingImages, first.HeldOutImages)),
               ("epochs run", $"{first.EpochsRun} of {ssm.Model.Options.Training.Epochs}"), ("final loss", F(first.FinalLoss))];
        return [.. trained, .. FineTunings(ssm), .. Recalibration(ssm)];
    }

    /// <summary>A row for each fine-tuning since the training (<c>train --from</c>), oldest first: the last one's held-out
    /// images calibrated the model, unless it was calibrated again since.</summary>
    public static IEnumerable<(string Key, string Value)> FineTunings(SSM.MLNet.SsmAnomalyTransformer ssm) =>
        (ssm.Model.FineTunings ?? []).Select(f => ("fine-tuned", Run(f.Summary, f.Training)));

    /// <summary>One training in a row: "3 of 3 epochs on 100 images (90 to train the network, 10 held out to calibrate the
    /// scores), learning rate 0.001, final loss 1.562".</summary>
    private static string Run(SSM.Core.Training.TrainingSummary summary, SSM.Core.TrainingOptions training) =>
        $"{summary.EpochsRun} of {training.Epochs} epochs on {TrainingImages(summary.TrainingImages, summary.HeldOutImages)}, " +
        $"learning rate {training.LearningRate.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}, final loss {F(summary.FinalLoss)}";

    /// <summary>The channels a model reads, as the summaries show them.</summary>
    public static string Channels(SSM.MLNet.SsmAnomalyTransformer ssm) =>
        ssm.Channels == 3 ? "3 (colour)" : "1 (grey)";

    /// <summary>A threshold to paste into an option: the shortest text that reads back as the same float ("-0.093",
    /// "-0.086077146" where no round value decides the same), not rounded to three decimals as <see cref="F"/> does, which
    /// could move it across a score.</summary>
    public static string T(float? v) => v is { } x && float.IsFinite(x) ? x.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "n/a";

    public static string F(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) : "n/a";
}
