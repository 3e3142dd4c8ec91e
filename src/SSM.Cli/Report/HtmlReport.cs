using System.Globalization;
using System.Net;
using System.Text;
using SSM.Cli.Inputs;
using SSM.Cli.Scoring;
using SSM.Cli.Training;
using SSM.Core.Data;
using SSM.MLNet;

namespace SSM.Cli.Report;

/// <summary>
/// Writes report.html: one self-contained file (charts as inline SVG, images as base64 PNG data URIs) with the summary, ROC
/// curves (image and pixel level), score histograms with the threshold, and per-image panels, worst misses first.
/// </summary>
public static class HtmlReport
{
    /// <summary>Most per-image panels drawn.</summary>
    public const int MaxPanels = 24;

    /// <param name="path">The file to write.</param>
    /// <param name="title">Heading.</param>
    /// <param name="summary">Key/value rows of the summary table.</param>
    /// <param name="evaluation">Test-set results; null when there is no labelled test set.</param>
    /// <param name="epochs">Training epochs (loss curve); empty for evaluate.</param>
    /// <param name="model">The model whose maps the panels draw: its colour scale (<see cref="HeatScale.Of"/>), its threshold in
    /// map units and how it turns files (<see cref="SsmAnomalyTransformer.ReadsFilesUpright"/>).</param>
    /// <param name="terms">How the text names the settings and files a reader can act on; null: the CLI's.</param>
    public static void Write(string path, string title, IReadOnlyList<(string Key, string Value)> summary, EvaluationResult? evaluation,
        IReadOnlyList<EpochReport> epochs, SsmAnomalyTransformer model, ReportTerms? terms = null)
    {
        terms ??= ReportTerms.Cli;
        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{E(title)}}</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
            figure{display:inline-block;margin:8px;vertical-align:top}figcaption{font-size:13px;color:#444;max-width:360px}
            .panel{display:inline-block;margin:6px;padding:6px;border:1px solid #ddd;font-size:12px;vertical-align:top;max-width:100%;box-sizing:border-box}.panel img{max-width:100%;height:auto}.miss{border-color:#d33;background:#fff4f4}
            .legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 10px;vertical-align:middle}
            .scale{width:480px;margin:4px 0 10px;font-size:12px;color:#444}.scale div{height:12px;border:1px solid #999}.scale p{display:flex;justify-content:space-between;gap:12px;margin:2px 0}
            </style></head><body data-images-loaded="pending">
            <h1>{{E(title)}}</h1>
            <h2>Summary</h2><table>
            """);
        foreach (var (key, value) in summary) html.Append($"<tr><th>{E(key)}</th><td>{E(value)}</td></tr>\n");
        html.Append("</table>\n");

        if (epochs.Count > 1) html.Append(LossSection(epochs));
        if (evaluation is null)
            html.Append($"<p>No labelled test set (test/ folder): {terms.Evaluate} for metrics and panels.</p>\n");
        else
            html.Append(EvaluationSection(evaluation, model, terms));

        html.Append("""
            <script>
            (function(){
              function check(){
                var imgs=Array.prototype.slice.call(document.images);
                var ok=imgs.filter(function(i){return i.complete&&i.naturalWidth>0;}).length;
                if(ok===imgs.length){document.body.setAttribute('data-images-loaded',String(ok));return;}
                if(imgs.some(function(i){return i.complete&&i.naturalWidth===0;})){document.body.setAttribute('data-images-loaded','broken');return;}
                setTimeout(check,20);
              }
              check();
            })();
            </script>
            </body></html>
            """);
        File.WriteAllText(path, html.ToString());
    }

    private static string LossSection(IReadOnlyList<EpochReport> epochs)
    {
        double max = epochs.Max(e => e.Loss), min = Math.Min(0, epochs.Min(e => e.Loss));
        var chart = new Chart(Axis.Nice(epochs[0].Epoch, epochs[^1].Epoch, "epoch", minStep: 1), Axis.Nice(min, max, "loss"), "training loss");
        chart.Line([.. epochs.Select(e => ((double)e.Epoch, e.Loss))], "steelblue");
        return $"<h2>Training</h2><figure>{chart.ToSvg()}<figcaption>Training loss per epoch (last {F(epochs[^1].Loss)}).</figcaption></figure>\n";
    }

    private static string EvaluationSection(EvaluationResult e, SsmAnomalyTransformer model, ReportTerms terms)
    {
        var s = new StringBuilder("<h2>Test set</h2>\n");
        if (e.ImageRoc is not null)
            s.Append($"<figure>{RocChart.Draw(e.ImageRoc, "#286edc", "image ROC")}" +
                     $"<figcaption>Image-level ROC. AUROC {E(TestSetRun.WithInterval(e.ImageAuroc, e.Intervals?.ImageAuroc))}.</figcaption></figure>\n");
        if (e.PixelRoc is not null)
            s.Append($"<figure>{RocChart.Draw(e.PixelRoc, "#dc3228", "pixel ROC")}" +
                     $"<figcaption>Pixel-level ROC. AUROC {E(TestSetRun.WithInterval(e.Pixel?.Auroc, e.Intervals?.PixelAuroc))}, AUPRO {E(TestSetRun.WithInterval(e.Pixel?.Aupro, e.Intervals?.Aupro))}.</figcaption></figure>\n");
        var (histogram, clippedAt) = ScoreHistogram.Draw([.. e.Images.Where(i => !i.IsAnomalous).Select(i => i.Score)],
            [.. e.Images.Where(i => i.IsAnomalous).Select(i => i.Score)], e.Threshold);
        s.Append($"<figure>{histogram}<figcaption class=\"legend\">Image scores:" +
                 $"<span style=\"background:{ScoreHistogram.Normal}\"></span>normal<span style=\"background:{ScoreHistogram.Defective}\"></span>defective; " +
                 $"dashed line: threshold {Commands.Summary.T(e.Threshold)}" +
                 (clippedAt is { } end ? $"; the last bar also counts every score above {F(end)} (up to {F(e.Images.Max(i => i.Score))})" : "") +
                 ".</figcaption></figure>\n");

        if (e.Categories.Count > 0)
        {
            // Pixel columns only with masks: without them every cell would be empty.
            bool pixels = e.Categories.Any(c => c.PixelAuroc is not null);
            s.Append("<h3>By category</h3><table><tr><th>category</th><th>images</th><th>flagged at the threshold</th><th>image AUROC against the good images</th>" +
                     (pixels ? "<th>pixel AUROC</th><th>AUPRO</th>" : "") + "</tr>\n");
            foreach (var c in e.Categories)
                s.Append($"<tr><td>{E(c.Category)}</td><td>{c.Images}</td><td>{c.Flagged}</td><td>{TestSetRun.Metric(c.ImageAuroc)}</td>" +
                         (pixels ? $"<td>{TestSetRun.Metric(c.PixelAuroc)}</td><td>{TestSetRun.Metric(c.Aupro)}</td>" : "") + "</tr>\n");
            s.Append("</table>\n");
        }

        var ordered = Panels(e);
        int missed = e.Images.Count(i => i.IsAnomalous && !i.Predicted), falseAlarms = e.Images.Count(i => !i.IsAnomalous && i.Predicted);
        var caption = Captions(e.Images);
        // Colours and the contour of each image are in its own map's units, which the size correction moves with the size.
        // The contour is the model's own, as predict draws it and --masks writes it: one drawn at the test set's best pixel
        // F1 (as until 2026-12-04) outlined half a tile that predict outlined as a spot, and no deployed model has it.
        var drawn = ordered.Select(i =>
        {
            var source = model.FileSize(i.Path);
            return (Image: i, Source: source, Colours: HeatScale.Of(model, source.Width, source.Height),
                    Contour: model.MaskThresholdFor(source.Width, source.Height));
        }).ToList();
        // Both move with the image's original size (the size correction): one value, or the range the panels span.
        string BySize(Func<(EvaluatedImage Image, (int Width, int Height) Source, HeatScale Colours, float Contour), float> value)
        {
            float lowest = drawn.Count == 0 ? 0 : drawn.Min(value), highest = drawn.Count == 0 ? 0 : drawn.Max(value);
            return highest - lowest < 1e-3f ? F(lowest) : $"{F(lowest)} to {F(highest)} (by the image's original size: the size correction)";
        }
        string green = "green at " + BySize(d => d.Colours.Limit);
        string contourAt = "map ≥ " + (model.MaskThreshold is { } maskAt ? Commands.Summary.T(maskAt) : BySize(d => d.Contour));
        var scoring = model.Model.Options.Scoring;
        bool oneMap = scoring.ImageScoreError == scoring.Error;
        int misses = missed + falseAlarms;
        s.Append($"<h2>Images ({PanelsTitle(e, ordered)})</h2>\n" +
                 (misses == 0 ? "" : $"<p>{missed} missed defect{(missed == 1 ? "" : "s")} and {falseAlarms} false alarm{(falseAlarms == 1 ? "" : "s")} " +
                                     $"at the model's threshold; {(misses <= MaxListedMisses ? "every miss is" : $"the worst {MaxListedMisses} are")} listed after the panels.</p>\n") +
                 "<p class=\"legend\">Each panel: the image, and its anomaly map overlaid in the model's fixed colours. Map values are " +
                 $"the model's own units (standard deviations of each pixel over held-out normal images with standardised maps), not " +
                 $"image scores: dark blue at 0, {green}, " + (oneMap ? "where the map's maximum makes the image's score reach" : "the map value of") + " the model's default threshold; red from " +
                 "twice that. White contour: pixels predicted defective, " + (model.MaskThreshold is null
                     ? "where the map reaches the model's threshold (" + contourAt + ", as " + terms.Masks + "): " + (oneMap
                         ? "an image has a contour exactly when it is flagged, but for one flagged by a contrast far below the training images' (a blank frame)."
                         : "the score comes from another map than the one drawn (" + terms.ScoreErrorDiffers + "), so a flagged image may show no contour and a passed one may.")
                     : "from the model's mask threshold (" + contourAt + ", <code>" + E(terms.MaskThreshold(Commands.Summary.T(model.MaskThreshold.Value))) + "</code>; as " + terms.Masks + "), " +
                       "in every image: a passed image may show a contour, and the verdict is the image's score.") +
                 (e.PixelThreshold is { } pixel ? $" Green contour: the ground truth. On this test set the best pixel F1 lies at map ≥ {Commands.Summary.T(pixel)} (" +
                                                  (terms.MetricsFile is { } file ? $"{E(file)}: <code>pixelF1Threshold</code>; " : "") +
                                                  $"<code>{E(terms.MaskThreshold(Commands.Summary.T(pixel)))}</code> draws contours and masks there).</p>\n"
                     : "</p>\n"));
        if (drawn.Count > 0) s.Append(ColourScale());
        // The panels show the files as stored: a grey model's missed colour defect is plain to the reader, not to the model.
        if (model.Channels == 1 && drawn.Any(d => ImageFile.HoldsColour(d.Image.Path)))
            s.Append("<p class=\"legend\">The images are shown in colour, as stored; this model reads them in grey, by their luminance " +
                     "(it was trained with 1 channel), so a defect of colour alone does not show in its map.</p>\n");
        foreach (var (image, source, colours, contour) in drawn)
        {
            var (plain, overlay) = ImagePanel.Panel(image.Path, image.Map, (image.MapWidth, image.MapHeight), colours, contour, image.MaskPath, model.ReadsFilesUpright, source);
            bool miss = image.Predicted != image.IsAnomalous;
            string verdict = miss ? (image.IsAnomalous ? "missed defect" : "false alarm") : "correct";
            s.Append($"<div class=\"panel{(miss ? " miss" : "")}\"><img alt=\"image\" src=\"{plain}\"> <img alt=\"overlay\" src=\"{overlay}\"><br>" +
                     $"<span title=\"{E(image.Path)}\">{E(caption(image.Path, image.Category))}</span>: score {image.Score.ToString("0.00", CultureInfo.InvariantCulture)} — {verdict}</div>\n");
        }
        s.Append(MissTable(e, caption, terms));
        return s.ToString();
    }

    /// <summary>The overlays' colour scale as a bar: <see cref="HeatColors"/> from 0 to twice the map level at which an image
    /// reaches the model's default threshold (its green, <see cref="HeatScale"/>), not a threshold given to evaluate.</summary>
    private static string ColourScale()
    {
        string stops = string.Join(",", Enumerable.Range(0, 9).Select(i => HeatColors.At(i / 8f)).Select(c => $"#{c.Red:x2}{c.Green:x2}{c.Blue:x2}"));
        return $"<div class=\"scale\"><div style=\"background:linear-gradient(to right,{stops})\"></div>" +
               "<p><span>0</span><span>green: the map level of the default threshold</span><span>twice that</span></p></div>\n";
    }

    /// <summary>
    /// The panels a report shows: the misses first, each category's in turn, worst first (false alarms are the good
    /// categories' misses: sorted together, a walkthrough's 129 missed scratches far below the threshold hid all 22 false
    /// alarms just above it), then each category's images nearest the threshold in turn, so that every kind of defect shows
    /// even when nothing is missed; at most <see cref="MaxPanels"/>.
    /// </summary>
    internal static List<EvaluatedImage> Panels(EvaluationResult e)
    {
        var misses = InTurn(e.Images.Where(i => i.Predicted != i.IsAnomalous), i => -Math.Abs(i.Score - e.Threshold), MaxPanels);
        return [.. misses, .. InTurn(e.Images.Where(i => i.Predicted == i.IsAnomalous), i => Math.Abs(i.Score - e.Threshold), MaxPanels - misses.Count)];
    }

    /// <summary>What the panels show, for their heading. "Each category" only when each category with a right decision has a
    /// panel: after 21 misses 3 of the 24 panels were left, under a heading of each category's closest calls that showed three
    /// categories of four.</summary>
    internal static string PanelsTitle(EvaluationResult e, IReadOnlyList<EvaluatedImage> panels)
    {
        int misses = e.Images.Count(i => i.Predicted != i.IsAnomalous), missesShown = panels.Count(i => i.Predicted != i.IsAnomalous);
        int withCalls = e.Images.Where(i => i.Predicted == i.IsAnomalous).Select(i => i.Category).Distinct().Count();
        int shownCalls = panels.Where(i => i.Predicted == i.IsAnomalous).Select(i => i.Category).Distinct().Count();
        string calls = shownCalls < withCalls ? $"the closest calls of {shownCalls} of the {withCalls} categories" : "the closest calls of each category";
        return misses == 0 ? $"no misses: {calls}, {panels.Count} of {e.Images.Count}"
            : missesShown < misses ? $"{missesShown} of the {misses} misses, each category's in turn"
            : $"{(misses == 1 ? "the miss" : $"all {misses} misses")}, then {calls}: {panels.Count} of {e.Images.Count}";
    }

    /// <summary>Up to <paramref name="count"/> images, one of each category in turn (categories in order of first image), each
    /// category's by <paramref name="order"/>.</summary>
    private static List<EvaluatedImage> InTurn(IEnumerable<EvaluatedImage> images, Func<EvaluatedImage, float> order, int count)
    {
        var queues = images.GroupBy(i => i.Category).Select(g => new Queue<EvaluatedImage>(g.OrderBy(order))).ToList();
        var taken = new List<EvaluatedImage>();
        while (taken.Count < count && queues.Any(q => q.Count > 0))
            foreach (var queue in queues.Where(q => q.Count > 0))
                if (taken.Count < count) taken.Add(queue.Dequeue());
        return taken;
    }

    /// <summary>Where each image is, for its caption: its path from the folder all the test images share (a labels CSV's images
    /// of one name in many folders told apart), after its category unless the path starts with it (MVTec's test/&lt;category&gt;).</summary>
    internal static Func<string, string, string> Captions(IReadOnlyList<EvaluatedImage> images)
    {
        string root = DatasetInput.CommonFolder(images.Select(i => Path.GetDirectoryName(i.Path) ?? ""));
        return (path, category) =>
        {
            string relative = root.Length == 0 ? path : Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
            return relative.StartsWith(category + "/", StringComparison.Ordinal) ? relative : $"{category}: {relative}";
        };
    }

    /// <summary>Every miss as a table row (worst first), beyond the panels: a QA reader looks for the file behind each.</summary>
    private static string MissTable(EvaluationResult e, Func<string, string, string> caption, ReportTerms terms)
    {
        var misses = e.Images.Where(i => i.Predicted != i.IsAnomalous).OrderByDescending(i => Math.Abs(i.Score - e.Threshold)).ToList();
        if (misses.Count == 0) return "";
        var s = new StringBuilder($"<h2>Every miss ({misses.Count})</h2>\n<table><tr><th>image</th><th>score</th><th>decision</th></tr>\n");
        foreach (var i in misses.Take(MaxListedMisses))
            s.Append($"<tr><td title=\"{E(i.Path)}\">{E(caption(i.Path, i.Category))}</td><td>{i.Score.ToString("0.00", CultureInfo.InvariantCulture)}</td>" +
                     $"<td>{(i.IsAnomalous ? "missed defect" : "false alarm")}</td></tr>\n");
        s.Append("</table>\n");
        if (misses.Count > MaxListedMisses)
            s.Append($"<p>and {misses.Count - MaxListedMisses} more" +
                     (terms.MetricsFile is { } file ? $": {E(file)} lists every image (<code>images</code>).</p>\n" : ".</p>\n"));
        return s.ToString();
    }

    /// <summary>Most misses listed in the report's table (about 100 bytes each).</summary>
    public const int MaxListedMisses = 1000;

    private static string E(string text) => WebUtility.HtmlEncode(text);
    private static string F(double? v) => Commands.Summary.F(v);   // the summary's numbers, so report and console agree
}
