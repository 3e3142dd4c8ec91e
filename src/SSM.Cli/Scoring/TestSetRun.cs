using Microsoft.ML;
using Spectre.Console;
using SSM.Cli.Models;
using SSM.Core.Data;
using SSM.Core.Evaluation;

namespace SSM.Cli.Scoring;

/// <summary>Scores a dataset's test images with a model and computes the metrics (shared by train and evaluate).</summary>
public static class TestSetRun
{
    public static EvaluationResult? Evaluate(IAnsiConsole console, Warnings warnings, MLContext mlContext, ITransformer model, MvtecDataset data,
        CancellationToken cancellation = default)
    {
        if (data.TestItems.Count == 0) return null;
        var ssm = ModelRunner.SsmOf(model);
        var scored = ScoringProgressView.Run(console, "test images", data.TestItems.Count, cancellation,
            progress => ModelRunner.Score(mlContext, model, [.. data.TestItems.Select(t => t.Path)], progress));
        var result = EvaluationResult.Compute(data.TestItems, scored, ssm.Threshold, i =>
        {
            var (width, height) = ssm.FileSize(data.TestItems[i].Path);
            return ssm.MaskThresholdFor(width, height);
        }, ssm.MaskThreshold);
        if (result.MasksLostAtModelSize is { Count: > 0 } lost)
            warnings.Write($"{lost.Count} of {result.Images.Count(i => i.IsAnomalous)} defective test images keep no defect pixel in their mask at the " +
                           $"model's {ssm.MapWidth} x {ssm.MapHeight} map (their defects are thinner than one of its pixels; e.g. " +
                           $"{Shown(result, lost[0])}): the pixel metrics see no defect in them. A larger --image-size keeps them.");
        if (result.MasksMarkingNothing is { Count: > 0 } empty)
            warnings.Write($"{empty.Count} of {result.Images.Count(i => i.IsAnomalous)} defective test images have a mask that marks no pixel " +
                           $"(all black): {string.Join(", ", empty.Take(5).Select(p => Shown(result, p)))}{(empty.Count > 5 ? ", ..." : "")}. " +
                           "The pixel metrics count every pixel of theirs as normal; give each its defect's mask.");
        return result;
    }

    /// <summary>An image as "category/file name": one name can be in several categories.</summary>
    private static string Shown(EvaluationResult result, string path) =>
        $"{result.Images.First(i => i.Path == path).Category}/{Path.GetFileName(path)}";

    /// <summary>"0.928 (95 % interval 0.907-0.948)": the figure and how far another test set of the same make-up could move it.</summary>
    public static string WithInterval(double? value, SSM.Core.Evaluation.ConfidenceInterval? interval) =>
        Metric(value) + (interval is { } i ? $" ({i})" : "") +
        // Every redraw of a perfectly separated test set separates perfectly, and one of a single image per category gives
        // the same figure: the interval cannot show how few images there were.
        (value >= 1 && interval is { Low: >= 1 } ? " (every redraw separates perfectly: the interval cannot show the test set's size)"
         : interval is { } same && same.Low == same.High ? " (every redraw gives the same figure: too few images for the interval to show the spread)" : "");

    /// <summary>A metric in [0, 1] with three decimals, as its interval: "0.840", not "0.84".</summary>
    public static string Metric(double? value) =>
        value is { } v && double.IsFinite(v) ? v.ToString("F3", System.Globalization.CultureInfo.InvariantCulture) : "n/a";

    private const string NeedsBothKinds = "n/a: needs good and defective test images";

    /// <summary>Summary rows for a test-set evaluation, naming the settings in <paramref name="terms"/>' words (the CLI's by default).</summary>
    public static IEnumerable<(string, string)> Rows(EvaluationResult? e, Report.ReportTerms? terms = null)
    {
        terms ??= Report.ReportTerms.Cli;
        if (e is null) { yield return ("test set", "none"); yield break; }
        yield return ("test images", $"{e.Images.Count} ({e.Images.Count(i => i.IsAnomalous)} defective)");
        // Both are null together: they rank defective images against good ones, so a test set of one kind has neither.
        yield return ("image AUROC", e.ImageAuroc is null ? NeedsBothKinds : WithInterval(e.ImageAuroc, e.Intervals?.ImageAuroc));
        yield return ("image F1-max", e.ImageF1Max is null ? NeedsBothKinds
            : $"{Metric(e.ImageF1Max)} with {terms.Threshold(Commands.Summary.T(e.ImageF1Threshold))}" + (e.ImageF1FlagsAll ? " (flags every image: no better than calling all defective)"
                // F1 counts no true negatives: where defects outnumber good images it can sit where most good ones are flagged
                // (a walkthrough's MTD model: 185 of 191), which a reader taking it as --threshold needs to see.
                : $" ({e.Images.Count(i => !i.IsAnomalous && ConfusionCounts.Flags(i.Score, e.ImageF1Threshold!.Value))} of {e.Images.Count(i => !i.IsAnomalous)} good images flagged there)"));
        yield return ("at threshold", $"{Commands.Summary.T(e.Threshold)}: TP {e.Confusion.TruePositives} FP {e.Confusion.FalsePositives} TN {e.Confusion.TrueNegatives} FN {e.Confusion.FalseNegatives}");
        long good = e.Images.Count(i => !i.IsAnomalous), defective = e.Images.Count - good;
        foreach (var f in e.FalseAlarmThresholds)
            yield return ($"for ≤ {f.Rate * 100:0} % false alarms", $"{terms.Threshold(Commands.Summary.T(f.Threshold))}: " +
                                                                 $"{f.Counts.FalsePositives} of {good} good images flagged" +
                                                                 (defective > 0 ? $", {f.Counts.TruePositives} of {defective} defects found" : ""));
        if (e.Pixel is { } p)
        {
            yield return ("pixel AUROC", WithInterval(p.Auroc, e.Intervals?.PixelAuroc));
            yield return ("pixel F1-max", $"{Metric(p.F1Max)} with {terms.MaskThreshold(Commands.Summary.T(e.PixelThreshold))}");
            if (e.PixelsAtThreshold is { } m)
                yield return ("pixels at threshold", $"precision {Metric(m.Precision)}, recall {Metric(m.Recall)}, F1 {Metric(m.F1)} (what {terms.MasksBy} marks" +
                                                     (e.MaskThreshold is { } mask ? $": map ≥ {Commands.Summary.T(mask)}, the model's mask threshold)" : ": where each map reaches the decision threshold)"));
            yield return ("AUPRO (FPR ≤ 0.3)", WithInterval(p.Aupro, e.Intervals?.Aupro));
        }
        else if (e.Images.Any(i => i.IsAnomalous))
            yield return ("pixel metrics", e.Images.All(i => i.MaskPath is null)
                ? "not computed: the test set has no masks (no ground_truth folder, or a labels CSV without a mask column)"
                : "n/a: no ground-truth mask marks a defective pixel (every mask is black; defects must be white, or non-zero in a 0/1 label image)");
        if (e.MasksMarkingNothing.Count > 0)
            yield return ("empty masks", $"{e.MasksMarkingNothing.Count} defective image(s) have a mask that marks no pixel, so the pixel metrics " +
                                         $"see no defect in them (e.g. {Shown(e, e.MasksMarkingNothing[0])})");
        if (e.MasksLostAtModelSize.Count > 0)
            yield return ("masks lost", $"{e.MasksLostAtModelSize.Count} defective image(s) keep no defect pixel at the model's size, so the pixel metrics " +
                                        $"see no defect in them (e.g. {Shown(e, e.MasksLostAtModelSize[0])})");
        foreach (var c in e.Categories)
            yield return ($"{c.Category} images", c.Category == SSM.Core.Data.LabeledImage.GoodCategory
                ? $"{c.Flagged} of {c.Images} flagged (false alarms)"
                : $"{c.Flagged} of {c.Images} found{(c.ImageAuroc is { } a ? $", image AUROC {Metric(a)}" : "")}" +
                  (c.PixelAuroc is { } pa ? $", pixel AUROC {Metric(pa)}, AUPRO {Metric(c.Aupro)}" : ""));
    }
}
