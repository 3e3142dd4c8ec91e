namespace SSM.Cli.Report;

/// <summary>
/// How the summary rows and report.html name the settings a reader can act on: the CLI's options by default, the ML.NET
/// API's members for a program built on the library (the QuickStart and RealFolder examples), whose reader has no
/// <c>--threshold</c> to pass and no metrics.json to open.
/// </summary>
/// <param name="Threshold">Where an image threshold is set, given its value: "--threshold 2.10".</param>
/// <param name="MaskThreshold">Where a mask threshold is set, given its value: "--mask-threshold 1.80".</param>
/// <param name="MasksBy">What gives the predicted masks, in plain text: "predict --masks".</param>
/// <param name="Masks">What draws and writes the predicted masks (HTML).</param>
/// <param name="ScoreErrorDiffers">The setting that scores an image from another map than the one drawn (HTML).</param>
/// <param name="MetricsFile">The file that lists every image and the pixel threshold; null when nothing writes one.</param>
/// <param name="Evaluate">What gives metrics when there is no labelled test set (HTML).</param>
public sealed record ReportTerms(Func<string, string> Threshold, Func<string, string> MaskThreshold, string MasksBy, string Masks, string ScoreErrorDiffers,
    string? MetricsFile, string Evaluate)
{
    /// <summary>The CLI's words: its options and its output files.</summary>
    public static readonly ReportTerms Cli = new(
        t => $"--threshold {t}", t => $"--mask-threshold {t}",
        MasksBy: "predict --masks",
        Masks: "<code>ssm predict</code> draws it and <code>--masks</code> writes it",
        ScoreErrorDiffers: "<code>--score-error</code> differs from <code>--error</code>",
        MetricsFile: "metrics.json",
        Evaluate: "run <code>ssm evaluate model.zip &lt;dataset&gt;</code>");

    /// <summary>The ML.NET package's words, for a program that trains and scores through the library.</summary>
    public static readonly ReportTerms Library = new(
        t => $"WithThreshold({t})", t => $"WithMaskThreshold({t})",
        MasksBy: "SsmHeatMap.PredictedMask",
        Masks: "<code>SsmHeatMap.ToPng</code> draws it and <code>SsmHeatMap.PredictedMask</code> gives it",
        ScoreErrorDiffers: "<code>ImageScoreError</code> differs from <code>RestorationError</code>",
        MetricsFile: null,
        Evaluate: "evaluate with <code>EvaluateSsm</code>");
}
