namespace SSM.Core.Evaluation;

/// <summary>
/// Image AUROC, pixel AUROC and AUPRO of one scored test set with each image counted w[i] times, as a bootstrap
/// resample counts it. Pixels are sorted once; each resample is then one linear sweep instead of a sort of millions of
/// pixels. With every weight 1 the figures are exactly <see cref="Roc"/>'s and <see cref="Pro"/>'s: ties count one
/// half for AUROC and enter the PRO curve together.
/// </summary>
internal sealed class ResampledMetrics
{
    // Images and pixels alike: scores ascending, the image each belongs to, and a region index (-1 = normal; for an
    // image, 0 = defective), so one weighted sweep serves both AUROCs.
    private readonly float[] imageScores, pixelScores = [];
    private readonly int[] imageOwner, imageRegion, pixelImage = [], pixelRegion = [], regionImage = [], regionSize = [], normalPixels = [];

    /// <param name="scores">Image scores.</param>
    /// <param name="labels">True for a defective image.</param>
    /// <param name="maps">Anomaly maps (height x width, row-major), or null for image metrics only.</param>
    /// <param name="masks">Ground truth of the maps (all false for a good image).</param>
    /// <param name="height">Rows of every map and mask.</param>
    /// <param name="width">Columns of every map and mask.</param>
    public ResampledMetrics(float[] scores, bool[] labels, IReadOnlyList<float[]>? maps = null, IReadOnlyList<bool[]>? masks = null, int height = 0, int width = 0)
    {
        // A NaN would never equal itself in the runs of tied values the metrics step through: refused, as Roc refuses it.
        for (int i = 0; i < scores.Length; i++)
            if (float.IsNaN(scores[i])) throw new ArgumentException($"Score {i} is NaN.", nameof(scores));
        imageOwner = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
        imageScores = [.. imageOwner.Select(i => scores[i])];
        imageRegion = [.. imageOwner.Select(i => labels[i] ? 0 : -1)];
        if (maps is null || masks is null) return;
        HasPixels = true;

        // 16 bytes a pixel at the peak, 12 kept: an MTD test split (2.4 M pixels at 64 x 64) costs about 40 MB.
        if (height < 1 || width < 1) throw new ArgumentException($"Pixel metrics need the maps' height and width (got {height} x {width}).", nameof(height));
        int count = maps.Count, plane = height * width;
        var values = new float[(long)count * plane];
        var regions = new int[values.Length];
        var sizes = new List<int>();
        var owners = new List<int>();
        var stack = new int[plane];
        normalPixels = new int[count];
        for (int i = 0; i < count; i++)
        {
            if (maps[i].Length != plane || masks[i].Length != plane)
                throw new ArgumentException($"Map or mask {i} does not have {height} x {width} pixels.", nameof(maps));
            int nan = Array.FindIndex(maps[i], float.IsNaN);
            if (nan >= 0) throw new ArgumentException($"Map {i} is NaN at pixel {nan}.", nameof(maps));
            maps[i].CopyTo(values, i * plane);
            int found = ConnectedComponents.Label(masks[i], height, width, regions.AsSpan(i * plane, plane), sizes, stack);
            owners.AddRange(Enumerable.Repeat(i, found));
            normalPixels[i] = plane - masks[i].Count(m => m);
        }
        var order = new int[values.Length];
        for (int k = 0; k < order.Length; k++) order[k] = k;
        Array.Sort(values, order);
        pixelScores = values;
        pixelRegion = new int[values.Length];
        for (int k = 0; k < order.Length; k++)
        {
            pixelRegion[k] = regions[order[k]];
            order[k] /= plane;   // the pixel's image
        }
        pixelImage = order;
        (regionImage, regionSize) = (owners.ToArray(), sizes.ToArray());
    }

    /// <summary>Whether maps were given (pixel AUROC and AUPRO can be asked for).</summary>
    public bool HasPixels { get; }

    public double ImageAuroc(int[] w) => Auroc(imageScores, imageOwner, imageRegion, w);

    public double PixelAuroc(int[] w) => Auroc(pixelScores, pixelImage, pixelRegion, w);

    /// <summary>AUROC of items sorted by score, item k counted w[owner[k]] times and positive when region[k] >= 0; a tied
    /// (positive, negative) pair counts one half, as in <see cref="Roc"/>.</summary>
    private static double Auroc(float[] sorted, int[] owner, int[] region, int[] w)
    {
        double below = 0, pairs = 0, positives = 0;
        for (int k = 0; k < sorted.Length;)
        {
            float t = sorted[k];
            double pos = 0, neg = 0;
            for (; k < sorted.Length && sorted[k] == t; k++)
                if (region[k] >= 0) pos += w[owner[k]]; else neg += w[owner[k]];
            pairs += pos * (below + 0.5 * neg);
            below += neg;
            positives += pos;
        }
        return pairs / (positives * below);   // below: by now every negative
    }

    /// <summary>Area under the PRO curve up to <paramref name="maxFpr"/>, normalised: <see cref="Pro"/>'s sweep with
    /// each region and each normal pixel counted as often as its image.</summary>
    public double Aupro(int[] w, double maxFpr = Pro.DefaultMaxFpr)
    {
        double regions = 0;
        for (int r = 0; r < regionImage.Length; r++) regions += w[regionImage[r]];
        double negatives = Weighted(normalPixels, w);
        // A draw without a region or a normal pixel has no PRO curve (strata that mix the classes can draw one): no figure.
        if (regions == 0 || negatives == 0) return double.NaN;
        double overlapSum = 0, falsePositives = 0, area = 0, prevFpr = 0, prevPro = 0;
        for (int k = pixelScores.Length - 1; k >= 0;)
        {
            float t = pixelScores[k];
            for (; k >= 0 && pixelScores[k] == t; k--)
            {
                int r = pixelRegion[k], weight = w[pixelImage[k]];
                if (r < 0) falsePositives += weight; else overlapSum += (double)weight / regionSize[r];
            }
            double fpr = falsePositives / negatives, pro = overlapSum / regions;
            if (fpr >= maxFpr)
            {
                double proAtLimit = prevPro + (pro - prevPro) * ((maxFpr - prevFpr) / (fpr - prevFpr));
                return (area + (maxFpr - prevFpr) * (prevPro + proAtLimit) / 2) / maxFpr;
            }
            area += (fpr - prevFpr) * (prevPro + pro) / 2;
            (prevFpr, prevPro) = (fpr, pro);
        }
        throw new InvalidOperationException("The PRO curve ended before reaching the integration limit.");
    }

    private static double Weighted(int[] counts, int[] w)
    {
        double sum = 0;
        for (int i = 0; i < counts.Length; i++) sum += (double)counts[i] * w[i];
        return sum;
    }
}
