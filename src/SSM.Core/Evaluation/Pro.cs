namespace SSM.Core.Evaluation;

/// <summary>
/// Per-region overlap (PRO) and its normalized area, AUPRO, the segmentation metric of MVTec AD.
/// Unlike pixel AUROC it weights every defect equally whatever its size, so a map that only finds
/// the large defects is not rewarded for it.
/// </summary>
/// <remarks>
/// Regions are the connected components of each ground-truth mask under 8-connectivity
/// (scipy.ndimage.label with a full 3×3 structure, as in MVTec AD's evaluation code and anomalib),
/// so pixels touching only at a corner belong to one region.
/// For a threshold t, PRO(t) is the mean over all regions of all images of the fraction of the
/// region with score &gt;= t, and FPR(t) the fraction of all normal pixels (of all images, good ones
/// included) with score &gt;= t. The curve is exact: every distinct pixel score is a threshold, equal
/// scores enter together (one straight segment), and it starts at (0, 0).
/// This is the computation of MVTec AD's official evaluation script (<c>compute_pro</c> and
/// <c>trapezoid</c> in its <c>pro_curve_util.py</c> / <c>generic_util.py</c>), in double precision throughout.
/// </remarks>
public static class Pro
{
    /// <summary>The usual integration limit: the curve is only meaningful at low false-positive rates.</summary>
    public const double DefaultMaxFpr = 0.3;

    /// <summary>
    /// Area under the PRO curve from FPR 0 to <paramref name="maxFpr"/> (trapezoid rule, the curve
    /// interpolated linearly at exactly <paramref name="maxFpr"/>), divided by <paramref name="maxFpr"/> so a
    /// perfect map scores 1. Maps and masks are row-major <paramref name="height"/> × <paramref name="width"/>.
    /// </summary>
    /// <param name="anomalyMaps">Per-pixel scores per image, higher = more anomalous.</param>
    /// <param name="groundTruthMasks">Per-pixel ground truth per image; all false for a good image.</param>
    /// <param name="height">Rows of every map and mask.</param>
    /// <param name="width">Columns of every map and mask.</param>
    /// <param name="maxFpr">Integration limit in (0, 1].</param>
    /// <exception cref="ArgumentException">
    /// Counts or sizes do not match, a score is NaN, <paramref name="maxFpr"/> is outside (0, 1],
    /// no pixel is anomalous (no region), or no pixel is normal.
    /// </exception>
    public static double Aupro(IReadOnlyList<float[]> anomalyMaps, IReadOnlyList<bool[]> groundTruthMasks, int height, int width,
        double maxFpr = DefaultMaxFpr)
        => Aupro(LabeledAnomalyMap.Zip(anomalyMaps, groundTruthMasks, height, width), maxFpr);

    /// <summary>
    /// <see cref="Aupro(IReadOnlyList{float[]}, IReadOnlyList{bool[]}, int, int, double)"/> for images that may
    /// differ in size.
    /// </summary>
    /// <exception cref="ArgumentException">As for the same-size overload.</exception>
    public static double Aupro(IReadOnlyList<LabeledAnomalyMap> images, double maxFpr = DefaultMaxFpr)
    {
        RequireMaxFpr(maxFpr);
        return Aupro(PixelRanking.Build(images), maxFpr);
    }

    internal static double Aupro(PixelRanking ranking, double maxFpr)
    {
        RequireMaxFpr(maxFpr);
        int regionCount = ranking.RegionSizes.Length;
        if (regionCount == 0)
            throw new ArgumentException("AUPRO is undefined: no ground-truth mask has an anomalous pixel, so there is no region.", "groundTruthMasks");
        if (ranking.Negatives == 0)
            throw new ArgumentException("AUPRO is undefined: every pixel is anomalous, so there is no normal pixel for the false-positive rate.", "groundTruthMasks");

        // A pixel of region r adds 1/|r| to that region's overlap; summing these weights over all
        // pixels seen so far gives sum_r overlap_r without keeping a counter per region.
        var weights = new double[regionCount];
        for (int r = 0; r < regionCount; r++) weights[r] = 1.0 / ranking.RegionSizes[r];

        float[] scores = ranking.Scores;
        int[] regions = ranking.Regions;
        double negatives = ranking.Negatives;
        double overlapSum = 0, area = 0, prevFpr = 0, prevPro = 0;
        long falsePositives = 0;
        for (int i = scores.Length - 1; i >= 0;)
        {
            float t = scores[i];
            do
            {
                int r = regions[i];
                if (r < 0) falsePositives++; else overlapSum += weights[r];
                i--;
            } while (i >= 0 && scores[i] == t);

            double fpr = falsePositives / negatives, pro = overlapSum / regionCount;
            if (fpr >= maxFpr)
            {
                // prevFpr < maxFpr <= fpr, so this segment crosses the limit and has nonzero width.
                double proAtLimit = prevPro + (pro - prevPro) * ((maxFpr - prevFpr) / (fpr - prevFpr));
                area += (maxFpr - prevFpr) * (prevPro + proAtLimit) / 2;
                return area / maxFpr;
            }
            area += (fpr - prevFpr) * (prevPro + pro) / 2;
            prevFpr = fpr;
            prevPro = pro;
        }
        // Unreachable: the lowest threshold admits every pixel, where FPR = 1 >= maxFpr.
        throw new InvalidOperationException("The PRO curve ended before reaching the integration limit.");
    }

    private static void RequireMaxFpr(double maxFpr)
    {
        if (!(maxFpr > 0 && maxFpr <= 1))
            throw new ArgumentOutOfRangeException(nameof(maxFpr), maxFpr, "The integration limit must be in (0, 1].");
    }
}
