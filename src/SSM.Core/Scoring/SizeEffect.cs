namespace SSM.Core.Scoring;

/// <summary>
/// How the normal level of a map and the normal image score change with the size an image had before it was resized to
/// S x S: straight lines in log(width x height), fitted on the held-out normal images. An enlarged small crop looks
/// coarser to the network everywhere; on MTD (crops of 103-632 px) the map level of the normal test tiles fell with their
/// area (correlation -0.68), and taking the fitted level and score away raised image AUROC from 0.909 / 0.904 to 0.928 /
/// 0.921 and AUPRO from 0.556 / 0.543 to 0.594 / 0.583 (two seeds).
/// </summary>
/// <param name="LevelIntercept">Normal map level at log area 0 (standard deviations with standardised maps).</param>
/// <param name="LevelSlope">Change of the normal map level per unit of log area.</param>
/// <param name="ScoreIntercept">Normal image score at log area 0.</param>
/// <param name="ScoreSlope">Change of the normal image score per unit of log area.</param>
/// <param name="MinLogArea">Smallest held-out log area: sizes outside the fitted range are corrected as its nearest end
/// (null in fits made before the range was kept: no clamping).</param>
/// <param name="MaxLogArea">Largest held-out log area.</param>
public sealed record SizeEffect(float LevelIntercept, float LevelSlope, float ScoreIntercept, float ScoreSlope,
    double? MinLogArea = null, double? MaxLogArea = null)
{
    /// <summary>Held-out sizes must spread at least this much (standard deviation of log area) for a fit: images of one
    /// size (a fixed camera, vector inputs) have no size effect to learn.</summary>
    public const double MinimumSpread = 0.05;

    /// <summary>Held-out images a fit needs: 10, images and not tiles (a tile shares its image's size). A line through fewer tilts wildly: a walkthrough's fine-tuning of 30 MTD tiles
    /// held 3 out, whose score slope of -31 per unit of log area (30 images: -3.4) ranked its test set worse than chance, image
    /// AUROC 0.372 against 0.620 without it; 3 to 8 other tiles fitted slopes of -5.5 to -183 and lowered AUROC in 15 of the
    /// 16 draws fitted, by up to 0.115, where 10 to 30 fitted -2.4 to -10 (docs/results.md, "How many images fit the size correction",
    /// 2026-12-08). Until then 3 were enough.</summary>
    public const int MinimumImages = 10;

    /// <summary>The fit, or null when the sizes hardly vary (<see cref="MinimumSpread"/>) or there are fewer than
    /// <see cref="MinimumImages"/> images.</summary>
    /// <param name="logAreas">Each entry's log(width x height) before resizing.</param>
    /// <param name="levels">Each entry's normal map level.</param>
    /// <param name="scores">Each entry's normal score.</param>
    /// <param name="images">The images the entries are of, when they are tiles (each shares its image's size); default one
    /// image an entry.</param>
    public static SizeEffect? Fit(IReadOnlyList<double> logAreas, IReadOnlyList<float> levels, IReadOnlyList<float> scores, int? images = null)
    {
        int n = logAreas.Count;
        // Images, not tiles: 3 images of 15 tiles each fitted a line through 3 sizes, which tilts wildly.
        if ((images ?? n) < MinimumImages) return null;
        double mean = logAreas.Average();
        double spread = logAreas.Sum(x => (x - mean) * (x - mean));
        if (Math.Sqrt(spread / (n - 1)) < MinimumSpread) return null;
        (float Intercept, float Slope) Line(IReadOnlyList<float> y)
        {
            double my = y.Average();
            double slope = Enumerable.Range(0, n).Sum(i => (logAreas[i] - mean) * (y[i] - my)) / spread;
            return ((float)(my - slope * mean), (float)slope);
        }
        var (levelIntercept, levelSlope) = Line(levels);
        var (scoreIntercept, scoreSlope) = Line(scores);
        return new SizeEffect(levelIntercept, levelSlope, scoreIntercept, scoreSlope, logAreas.Min(), logAreas.Max());
    }

    /// <summary>The normal map level expected of an image of this log area.</summary>
    public float Level(double logArea) => (float)(LevelIntercept + LevelSlope * Clamp(logArea));

    /// <summary>The normal image score expected of an image of this log area.</summary>
    public float Score(double logArea) => (float)(ScoreIntercept + ScoreSlope * Clamp(logArea));

    /// <summary>
    /// How far the corrected map's maximum lies above the corrected image score for an image of this log area, when one
    /// restoration error makes both: the map gives up its normal level, the score its normal maximum. A contour that is to
    /// follow the verdict is drawn this much above the score threshold. Shifting the map by the score's amount instead
    /// (so that no offset is needed) cost MTD 0.024 pixel AUROC (0.723 against 0.747) for +0.045 AUPRO, 2026-12-01.
    /// </summary>
    public float MapOffset(double logArea) => Score(logArea) - Level(logArea);

    // A line is trusted only over the sizes it was fitted on: a far smaller or larger image is not extrapolated to.
    private double Clamp(double logArea) => Math.Clamp(logArea, MinLogArea ?? double.NegativeInfinity, MaxLogArea ?? double.PositiveInfinity);
}
