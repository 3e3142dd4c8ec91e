using SSM.Core.Evaluation;

namespace SSM.Core.Tests.Evaluation;

/// <summary>
/// Slow, obviously-correct implementations that the fast metrics are checked against,
/// and random inputs with plenty of ties.
/// </summary>
internal static class Reference
{
    /// <summary>Mann-Whitney by counting every (anomalous, normal) pair; a tie counts half.</summary>
    public static double AurocByPairs(float[] scores, bool[] labels)
    {
        long doubledWins = 0, pairs = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (!labels[i]) continue;
            for (int j = 0; j < scores.Length; j++)
            {
                if (labels[j]) continue;
                pairs++;
                if (scores[i] > scores[j]) doubledWins += 2;
                else if (scores[i] == scores[j]) doubledWins += 1;
            }
        }
        return doubledWins / 2.0 / pairs;
    }

    /// <summary>Best F1 by evaluating the confusion matrix at every distinct score.</summary>
    public static double F1MaxByThresholds(float[] scores, bool[] labels)
        => scores.Distinct().Max(t => ConfusionCounts.At(scores, labels, t).F1);

    /// <summary>
    /// AUPRO by recounting every region's overlap at every distinct threshold (O(thresholds × pixels)),
    /// with regions from a union-find labelling independent of the production flood fill.
    /// </summary>
    public static double AuproByThresholds(IReadOnlyList<LabeledAnomalyMap> images, double maxFpr)
    {
        var regionOf = new List<int[]>();
        var regionSizes = new List<int>();
        foreach (var image in images)
        {
            var local = LabelByUnionFind(image.Mask, image.Height, image.Width, out int count);
            int first = regionSizes.Count;
            for (int r = 0; r < count; r++) regionSizes.Add(0);
            var global = new int[local.Length];
            for (int p = 0; p < local.Length; p++)
            {
                global[p] = local[p] < 0 ? -1 : first + local[p];
                if (global[p] >= 0) regionSizes[global[p]]++;
            }
            regionOf.Add(global);
        }
        long negatives = images.Sum(im => im.Mask.LongCount(m => !m));

        var xs = new List<double> { 0 };
        var ys = new List<double> { 0 };
        foreach (float t in images.SelectMany(im => im.Map).Distinct().OrderByDescending(v => v))
        {
            var hits = new int[regionSizes.Count];
            long fp = 0;
            for (int i = 0; i < images.Count; i++)
                for (int p = 0; p < images[i].Map.Length; p++)
                {
                    if (images[i].Map[p] < t) continue;
                    if (regionOf[i][p] < 0) fp++; else hits[regionOf[i][p]]++;
                }
            xs.Add((double)fp / negatives);
            ys.Add(Enumerable.Range(0, hits.Length).Average(r => (double)hits[r] / regionSizes[r]));
        }

        double area = 0;
        for (int k = 1; k < xs.Count; k++)
        {
            if (xs[k] < maxFpr)
            {
                area += (xs[k] - xs[k - 1]) * (ys[k] + ys[k - 1]) / 2;
                continue;
            }
            double yAtLimit = ys[k - 1] + (ys[k] - ys[k - 1]) * (maxFpr - xs[k - 1]) / (xs[k] - xs[k - 1]);
            area += (maxFpr - xs[k - 1]) * (yAtLimit + ys[k - 1]) / 2;
            break;
        }
        return area / maxFpr;
    }

    /// <summary>8-connected labelling by union-find over right/down/diagonal neighbour pairs; -1 = background.</summary>
    public static int[] LabelByUnionFind(bool[] mask, int height, int width, out int count)
    {
        var parent = Enumerable.Range(0, mask.Length).ToArray();
        int Find(int a) { while (parent[a] != a) a = parent[a] = parent[parent[a]]; return a; }
        void Union(int a, int b) => parent[Find(a)] = Find(b);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                if (!mask[y * width + x]) continue;
                foreach (var (dy, dx) in new[] { (0, 1), (1, -1), (1, 0), (1, 1) })
                {
                    int ny = y + dy, nx = x + dx;
                    if (ny < height && nx >= 0 && nx < width && mask[ny * width + nx]) Union(y * width + x, ny * width + nx);
                }
            }
        var labels = new int[mask.Length];
        var rootToLabel = new Dictionary<int, int>();
        for (int p = 0; p < mask.Length; p++)
        {
            if (!mask[p]) { labels[p] = -1; continue; }
            int root = Find(p);
            if (!rootToLabel.TryGetValue(root, out int label)) rootToLabel[root] = label = rootToLabel.Count;
            labels[p] = label;
        }
        count = rootToLabel.Count;
        return labels;
    }

    /// <summary>Scores rounded to <paramref name="levels"/> values so that ties are common.</summary>
    public static (float[] Scores, bool[] Labels) TiedSample(int seed, int n, int levels, double positiveRate = 0.3)
    {
        var rng = new Random(seed);
        var scores = new float[n];
        var labels = new bool[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = rng.NextDouble() < positiveRate;
            // Positives lean higher so the AUROC is informative, not ~0.5.
            double raw = rng.NextDouble() + (labels[i] ? 0.3 : 0);
            scores[i] = (float)(Math.Round(raw * levels) / levels);
        }
        return (scores, labels);
    }

    /// <summary>Random blobby masks (some images good) with maps quantized to force ties.</summary>
    public static LabeledAnomalyMap[] RandomImages(int seed, int count, int height, int width, int levels)
    {
        var rng = new Random(seed);
        var images = new LabeledAnomalyMap[count];
        for (int i = 0; i < count; i++)
        {
            int h = height + (i % 2), w = width - (i % 3);
            var mask = new bool[h * w];
            if (i % 3 != 0)
                for (int blobs = rng.Next(1, 4); blobs > 0; blobs--)
                {
                    int cy = rng.Next(h), cx = rng.Next(w), r = rng.Next(0, 3);
                    for (int y = Math.Max(0, cy - r); y <= Math.Min(h - 1, cy + r); y++)
                        for (int x = Math.Max(0, cx - r); x <= Math.Min(w - 1, cx + r); x++)
                            if (rng.NextDouble() < 0.8) mask[y * w + x] = true;
                }
            var map = new float[h * w];
            for (int p = 0; p < map.Length; p++)
                map[p] = (float)(Math.Round((rng.NextDouble() + (mask[p] ? 0.4 : 0)) * levels) / levels);
            images[i] = new LabeledAnomalyMap(map, mask, h, w);
        }
        return images;
    }
}
