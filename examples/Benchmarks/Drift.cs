using SkiaSharp;
using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Evaluation;

namespace SSM.Benchmarks;

/// <summary>
/// `drift`: what happens to a trained model's verdicts when the camera or the lighting changes after training. Every test
/// image of an MVTec folder is changed the same way (the lamp dimmer or brighter, the contrast or gamma, sensor noise,
/// defocus, JPEG compression, the part shifted or turned, a camera of half the resolution), scored, and compared with the
/// unchanged images: good images flagged at the threshold, defects found, image AUROC, and how far the good images'
/// median score moved. Scores are in standard deviations of the model's held-out normal scores, the scale of `ssm train`'s
/// default threshold of 3.
/// </summary>
internal static class Drift
{
    public static int Run(Arguments a)
    {
        string modelPath = a.String("model") ?? throw new ArgumentException("--model <model.zip or SsmModel.bin> is required.");
        string root = a.DataFolder();
        int? limit = a.Int("limit");
        double threshold = a.Double("threshold") ?? 3;
        a.RejectUnknown();

        var (model, owner) = SavedModel.Load(modelPath);
        using var _ = owner;
        var calibration = model.Calibration ?? throw new ArgumentException($"'{modelPath}' holds no calibration.");
        var dataset = MvtecFolder.Load(root, channels: model.Options.Network.InputChannels, allowMissingMasks: true);
        var items = Indices.Every(dataset.TestItems.Count, limit).Select(i => dataset.TestItems[i]).ToList();
        var images = items.Select(i => dataset.LoadTest(i).Image).ToList();
        bool[] anomalous = [.. items.Select(i => i.IsAnomalous)];
        int good = anomalous.Count(x => !x), defects = anomalous.Length - good;
        Console.WriteLine($"Model {modelPath}; {images.Count} test images of {root} ({good} good, {defects} defective); flagged at {threshold} sd; load {Machine.LoadAverage()}.");
        Console.WriteLine("| change | good images flagged | defects found | image AUROC | median good score (median change per image) |");
        Console.WriteLine("|---|---|---|---|---|");

        float[]? baseline = null;
        foreach (var (name, change) in Changes())
        {
            var scores = model.Score([.. images.Select(change)]).Select(s => (s.Score - calibration.NormalMean) / calibration.NormalStd).ToArray();
            baseline ??= scores;
            var goodShift = Enumerable.Range(0, scores.Length).Where(i => !anomalous[i]).Select(i => (double)(scores[i] - baseline[i])).ToList();
            int flagged = Enumerable.Range(0, scores.Length).Count(i => !anomalous[i] && scores[i] >= threshold);
            int found = Enumerable.Range(0, scores.Length).Count(i => anomalous[i] && scores[i] >= threshold);
            double median = Median(Enumerable.Range(0, scores.Length).Where(i => !anomalous[i]).Select(i => (double)scores[i]));
            Console.WriteLine($"| {name} | {flagged} of {good} | {found} of {defects} | {Roc.Auroc(scores, anomalous):F3} | {median:F2} ({Median(goodShift):+0.00;-0.00;0.00}) |");
        }
        return 0;
    }

    /// <summary>A model.zip of the ML.NET API or `ssm train` (loaded by ML.NET, its SSM step's engine model), or the engine's
    /// own file; with what to dispose (the transformer owns its model).</summary>
    /// <summary>The changes, each at a few strengths; the first is none.</summary>
    private static IEnumerable<(string Name, Func<FloatImage, FloatImage> Change)> Changes()
    {
        yield return ("none", x => x);
        foreach (double k in new[] { 0.5, 0.7, 1.3, 1.6 }) yield return ($"brightness x{k}", x => Map(x, v => v * k));
        foreach (double k in new[] { 0.5, 0.7, 1.5 }) yield return ($"contrast x{k}", x => Contrast(x, k));
        foreach (double g in new[] { 0.7, 1.4 }) yield return ($"gamma {g}", x => Map(x, v => Math.Pow(v, g)));
        foreach (double sigma in new[] { 2.0, 5, 10 }) yield return ($"noise sigma {sigma}/255", x => Noise(x, sigma / 255));
        foreach (double sigma in new[] { 0.7, 1.5, 3 }) yield return ($"blur sigma {sigma} px", x => Blur(x, sigma));
        foreach (int q in new[] { 90, 50, 20 }) yield return ($"JPEG quality {q}", x => Jpeg(x, q));
        foreach (int d in new[] { 4, 16 }) yield return ($"shift {d} px", x => Warp(x, (u, v) => (u - d, v - d)));
        foreach (double deg in new[] { 1.0, 3 }) yield return ($"rotation {deg} deg", x => Rotate(x, deg));
        yield return ("half the resolution", x => ImageResize.Resize(ImageResize.Resize(x, x.Height / 2, x.Width / 2), x.Height, x.Width));
    }

    private static FloatImage Map(FloatImage x, Func<double, double> f) =>
        new(x.Channels, x.Height, x.Width, [.. x.Pixels.Select(v => (float)Math.Clamp(f(v), 0, 1))]);

    /// <summary>Each channel scaled about its own mean: for colour images this changes the saturation too.</summary>
    private static FloatImage Contrast(FloatImage x, double k)
    {
        int plane = x.Height * x.Width;
        var result = new float[x.Pixels.Length];
        for (int c = 0; c < x.Channels; c++)
        {
            var channel = x.Pixels.AsSpan(c * plane, plane);
            double mean = 0;
            foreach (float v in channel) mean += v;
            mean /= plane;
            for (int i = 0; i < plane; i++) result[c * plane + i] = (float)Math.Clamp(mean + k * (channel[i] - mean), 0, 1);
        }
        return new(x.Channels, x.Height, x.Width, result);
    }

    /// <summary>Gaussian sensor noise, the same draw for every run: one field per image size, so images of a size get the same
    /// pattern (fixed-pattern noise more than one frame's).</summary>
    private static FloatImage Noise(FloatImage x, double sigma)
    {
        var random = new Random(x.Height * 7919 + x.Width);
        return Map(x, v => v + sigma * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
    }

    /// <summary>A separable Gaussian blur, edges replicated.</summary>
    private static FloatImage Blur(FloatImage x, double sigma)
    {
        int r = (int)Math.Ceiling(3 * sigma);
        var kernel = Enumerable.Range(-r, 2 * r + 1).Select(i => Math.Exp(-i * i / (2 * sigma * sigma))).ToArray();
        double sum = kernel.Sum();
        var rows = Convolve(x, kernel.Select(k => k / sum).ToArray(), horizontal: true);
        return Convolve(rows, kernel.Select(k => k / sum).ToArray(), horizontal: false);
    }

    private static FloatImage Convolve(FloatImage x, double[] kernel, bool horizontal)
    {
        int r = kernel.Length / 2;
        var result = new float[x.Pixels.Length];
        for (int c = 0; c < x.Channels; c++)
            for (int y = 0; y < x.Height; y++)
                for (int u = 0; u < x.Width; u++)
                {
                    double v = 0;
                    for (int k = -r; k <= r; k++)
                        v += kernel[k + r] * (horizontal ? x[c, y, Math.Clamp(u + k, 0, x.Width - 1)] : x[c, Math.Clamp(y + k, 0, x.Height - 1), u]);
                    result[(c * x.Height + y) * x.Width + u] = (float)v;
                }
        return new(x.Channels, x.Height, x.Width, result);
    }

    /// <summary>Each pixel (u, v) takes the value at <paramref name="source"/>(u, v), bilinear, edges replicated: new content
    /// entering the frame is the border smeared, as a fixed crop of a moved part gives something else there too.</summary>
    private static FloatImage Warp(FloatImage x, Func<double, double, (double U, double V)> source)
    {
        var result = new float[x.Pixels.Length];
        for (int y = 0; y < x.Height; y++)
            for (int u = 0; u < x.Width; u++)
            {
                var (su, sv) = source(u, y);
                su = Math.Clamp(su, 0, x.Width - 1);
                sv = Math.Clamp(sv, 0, x.Height - 1);
                int u0 = Math.Min((int)su, x.Width - 2), v0 = Math.Min((int)sv, x.Height - 2);   // images are at least 8 x 8
                double fu = su - u0, fv = sv - v0;
                for (int c = 0; c < x.Channels; c++)
                    result[(c * x.Height + y) * x.Width + u] = (float)(
                        (1 - fv) * ((1 - fu) * x[c, v0, u0] + fu * x[c, v0, u0 + 1]) + fv * ((1 - fu) * x[c, v0 + 1, u0] + fu * x[c, v0 + 1, u0 + 1]));
            }
        return new(x.Channels, x.Height, x.Width, result);
    }

    private static FloatImage Rotate(FloatImage x, double degrees)
    {
        double angle = degrees * Math.PI / 180, cos = Math.Cos(angle), sin = Math.Sin(angle);
        double cx = (x.Width - 1) / 2.0, cy = (x.Height - 1) / 2.0;
        return Warp(x, (u, v) => (cx + cos * (u - cx) + sin * (v - cy), cy - sin * (u - cx) + cos * (v - cy)));
    }

    /// <summary>Encoded as JPEG at <paramref name="quality"/> with SkiaSharp and decoded again (8 bits per channel).</summary>
    private static FloatImage Jpeg(FloatImage x, int quality)
    {
        bool grey = x.Channels == 1;
        using var bitmap = new SKBitmap(new SKImageInfo(x.Width, x.Height, grey ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque));
        for (int y = 0; y < x.Height; y++)
            for (int u = 0; u < x.Width; u++)
            {
                byte Level(int c) => (byte)Math.Round(Math.Clamp(x[c, y, u], 0, 1) * 255);
                bitmap.SetPixel(u, y, grey ? new SKColor(Level(0), Level(0), Level(0)) : new SKColor(Level(0), Level(1), Level(2)));
            }
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, quality);
        using var decoded = SKBitmap.Decode(data);
        var result = new float[x.Pixels.Length];
        int plane = x.Height * x.Width;
        for (int y = 0; y < x.Height; y++)
            for (int u = 0; u < x.Width; u++)
            {
                var colour = decoded.GetPixel(u, y);
                if (grey) result[y * x.Width + u] = colour.Red / 255f;
                else
                {
                    result[y * x.Width + u] = colour.Red / 255f;
                    result[plane + y * x.Width + u] = colour.Green / 255f;
                    result[2 * plane + y * x.Width + u] = colour.Blue / 255f;
                }
            }
        return new(x.Channels, x.Height, x.Width, result);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
