using System.Globalization;
using System.Net;
using System.Text;
using SSM.Cli.Running;

namespace SSM.Cli.Report;

/// <summary>
/// Writes report.html: one self-contained file (every picture a base64 PNG data URI) with the summary, ROC curves (image and
/// pixel level), score histograms with the threshold, and per-image panels, worst misses first.
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
    /// <param name="colours">The model's heat-map colour scale (<see cref="HeatScale.Of"/>).</param>
    public static void Write(string path, string title, IReadOnlyList<(string Key, string Value)> summary, EvaluationResult? evaluation,
        IReadOnlyList<EpochReport> epochs, HeatScale colours)
    {
        var html = new StringBuilder();
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{E(title)}}</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
            figure{display:inline-block;margin:8px;vertical-align:top}figcaption{font-size:13px;color:#444;max-width:360px}
            .panel{display:inline-block;margin:6px;padding:6px;border:1px solid #ddd;font-size:12px;vertical-align:top}.miss{border-color:#d33;background:#fff4f4}
            .legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 10px;vertical-align:middle}
            </style></head><body data-images-loaded="pending">
            <h1>{{E(title)}}</h1>
            <h2>Summary</h2><table>
            """);
        foreach (var (key, value) in summary) html.Append($"<tr><th>{E(key)}</th><td>{E(value)}</td></tr>\n");
        html.Append("</table>\n");

        if (epochs.Count > 1) html.Append(LossSection(epochs));
        if (evaluation is null)
            html.Append("<p>No labelled test set (test/ folder): run <code>ssm evaluate model.zip &lt;dataset&gt;</code> for metrics and panels.</p>\n");
        else
            html.Append(EvaluationSection(evaluation, colours));

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
        using var chart = new Chart();
        chart.Polyline([.. epochs.Select((e, i) => ((double)i / (epochs.Count - 1), (e.Loss - min) / Math.Max(1e-12, max - min)))], SkiaSharp.SKColors.SteelBlue);
        return $"<h2>Training</h2><figure><img alt=\"training loss\" src=\"{chart.DataUri()}\"><figcaption>Training loss per epoch " +
               $"(epoch 1 → {epochs[^1].Epoch}, loss {F(min)} … {F(max)}; last {F(epochs[^1].Loss)}).</figcaption></figure>\n";
    }

    private static string EvaluationSection(EvaluationResult e, HeatScale colours)
    {
        var s = new StringBuilder("<h2>Test set</h2>\n");
        if (e.ImageRoc is not null)
            s.Append($"<figure><img alt=\"image ROC\" src=\"{RocChart.Draw(e.ImageRoc, new SkiaSharp.SKColor(40, 110, 220))}\">" +
                     $"<figcaption>Image-level ROC (x: false-positive rate, y: true-positive rate). AUROC {E(Running.TestSetRun.WithInterval(e.ImageAuroc, e.Intervals?.ImageAuroc))}.</figcaption></figure>\n");
        if (e.PixelRoc is not null)
            s.Append($"<figure><img alt=\"pixel ROC\" src=\"{RocChart.Draw(e.PixelRoc, new SkiaSharp.SKColor(220, 50, 40))}\">" +
                     $"<figcaption>Pixel-level ROC. AUROC {E(Running.TestSetRun.WithInterval(e.Pixel?.Auroc, e.Intervals?.PixelAuroc))}, AUPRO {E(Running.TestSetRun.WithInterval(e.Pixel?.Aupro, e.Intervals?.Aupro))}.</figcaption></figure>\n");
        var (hist, lo, hi) = ScoreHistogram.Draw([.. e.Images.Where(i => !i.IsAnomalous).Select(i => i.Score)],
            [.. e.Images.Where(i => i.IsAnomalous).Select(i => i.Score)], e.Threshold);
        s.Append($"<figure><img alt=\"score histogram\" src=\"{hist}\"><figcaption class=\"legend\">Image scores from {F(lo)} to {F(hi)}:" +
                 $"<span style=\"background:#286edc\"></span>normal<span style=\"background:#dc3228\"></span>defective; " +
                 $"dashed line: threshold {F(e.Threshold)}.</figcaption></figure>\n");

        if (e.Categories.Count > 0)
        {
            s.Append("<h3>By category</h3><table><tr><th>category</th><th>images</th><th>flagged at the threshold</th><th>image AUROC against the good images</th></tr>\n");
            foreach (var c in e.Categories)
                s.Append($"<tr><td>{E(c.Category)}</td><td>{c.Images}</td><td>{c.Flagged}</td><td>{F(c.ImageAuroc)}</td></tr>\n");
            s.Append("</table>\n");
        }

        var ordered = e.Images
            .OrderByDescending(i => i.IsAnomalous ? e.Threshold - i.Score : i.Score - e.Threshold)
            .Take(MaxPanels).ToList();
        s.Append($"<h2>Images (worst misses first, {ordered.Count} of {e.Images.Count})</h2>\n" +
                 "<p class=\"legend\">Each panel: the image, and the heat map overlaid in the model's fixed colours (dark blue at " +
                 $"{F(colours.Low)}, green at its normal limit {F(colours.Limit)}, red from {F(colours.High)}), the predicted-defect contour (white, map ≥ " +
                 $"{F(e.PixelThreshold)}) and the ground-truth contour (green).</p>\n");
        foreach (var image in ordered)
        {
            var (plain, overlay) = ImagePanel.Panel(image.Path, image.Map, image.Side, colours, e.PixelThreshold, image.MaskPath);
            bool miss = image.Predicted != image.IsAnomalous;
            string verdict = miss ? (image.IsAnomalous ? "missed defect" : "false alarm") : "correct";
            s.Append($"<div class=\"panel{(miss ? " miss" : "")}\"><img alt=\"image\" src=\"{plain}\"> <img alt=\"overlay\" src=\"{overlay}\"><br>" +
                     $"{E(image.Category)}/{E(Path.GetFileName(image.Path))}: score {F(image.Score)} — {verdict}</div>\n");
        }
        return s.ToString();
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
    private static string F(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("0.###", CultureInfo.InvariantCulture) : "n/a";
}
