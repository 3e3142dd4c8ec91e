using SSM.Core.Evaluation;

namespace SSM.Benchmarks;

/// <summary>
/// `aupro-anomalib A.bin ...`: the library's AUPRO (MVTec AD's exact curve, <see cref="Pro"/>) beside the figure anomalib's
/// <c>AUPRO</c> metric would give for the same maps and masks, pooled and per defect category (its images with the good
/// ones), so a user comparing this library's AUPRO with anomalib's published ones knows how far the two computations
/// differ. Re-implemented here from the steps of anomalib's <c>_AUPRO.compute_pro</c> (src/anomalib/metrics/aupro.py, read
/// 2026-12-06), with torchmetrics' exact <c>binary_roc</c> (no threshold binning, anomalib's default):
/// <list type="number">
/// <item>regions are 8-connected components of the masks (OpenCV's default there, as here);</item>
/// <item>the global ROC over all pixels gives the number of sampling points: how many of its points have FPR &lt;= the limit;</item>
/// <item>each region gets its own ROC over its pixels and every normal pixel, cut at the limit (with the next point
/// added and the last sampling point moved to where the limit falls between them);</item>
/// <item>each region's cut curve is resampled by its points' index (spread evenly over the sampling points), not by
/// its FPR, and the FPR and TPR curves are averaged over the regions;</item>
/// <item>the area is the trapezoid area of that averaged curve, sorted by FPR, over its last FPR.</item>
/// </list>
/// torchmetrics applies a sigmoid to predictions outside [0, 1], which in float32 ties every value above about 17; that
/// step is left out (maps are taken as they are, as anomalib's normalised maps in [0, 1] would be), and the computation
/// runs in double precision where anomalib's runs in float32.
/// </summary>
internal static class AnomalibAupro
{
    public static int Run(string[] args)
    {
        var (files, a) = Arguments.FilesThenOptions(args);
        string good = a.String("good") ?? "good";
        double limit = a.Double("max-fpr") ?? Pro.DefaultMaxFpr;
        a.RejectUnknown();
        if (files.Length == 0) throw new ArgumentException("Give one or more files written by `explore --save-scores`.");
        if (!(limit > 0 && limit <= 1)) throw new ArgumentException($"--max-fpr must lie in (0, 1] (got {limit}).");

        var table = new MarkdownTable("file", "images", "regions", "AUPRO, MVTec's exact curve (the library)", "AUPRO, anomalib's resampled curve", "difference");
        foreach (string file in files)
        {
            var set = ScoredTestSet.Load(file);
            void Add(string name, int[] images)
            {
                var maps = images.Select(i => set.Maps[i]).ToList();
                var masks = images.Select(i => set.Masks[i]).ToList();
                double exact = Pro.Aupro(maps, masks, set.Size, set.Size, limit);
                var (resampled, regions) = Compute(maps, masks, set.Size, limit);
                table.Add(name, images.Length.ToString(), regions.ToString(), Format.F3(exact), Format.F3(resampled), (resampled - exact).ToString("+0.00000;-0.00000;0.00000", System.Globalization.CultureInfo.InvariantCulture));
            }
            Add(Path.GetFileName(file), [.. Enumerable.Range(0, set.Count)]);
            foreach (string c in PerCategory.Defects(set.Categories, good))
                Add($"  {c} (with the {good} images)", [.. Enumerable.Range(0, set.Count).Where(i => set.Categories[i] == good || set.Categories[i] == c)]);
        }
        Console.WriteLine($"AUPRO up to FPR {limit}, the same maps and masks computed two ways:");
        Console.WriteLine(table);
        return 0;
    }

    /// <summary>anomalib's AUPRO of same-size square maps and masks, and the number of regions it averaged over.</summary>
    internal static (double Aupro, int Regions) Compute(IReadOnlyList<float[]> maps, IReadOnlyList<bool[]> masks, int size, double limit)
    {
        int plane = size * size, n = maps.Count * plane;
        var scores = new double[n];
        var region = new int[n];   // -1: a normal pixel
        var sizes = new List<int>();
        var labels = new int[plane];
        var stack = new int[plane];
        for (int i = 0; i < maps.Count; i++)
        {
            ConnectedComponents.Label(masks[i], size, size, labels, sizes, stack);
            for (int p = 0; p < plane; p++)
            {
                scores[i * plane + p] = maps[i][p];
                region[i * plane + p] = labels[p];
            }
        }
        int regions = sizes.Count;
        if (regions == 0) throw new ArgumentException("No mask marks a defective pixel, so there is no region.");

        // One descending order serves every ROC: a region's ROC is the global order restricted to its pixels and the normal ones.
        int[] order = [.. Enumerable.Range(0, n).OrderByDescending(p => scores[p])];
        var (globalFpr, _) = Roc(order, scores, region, AllRegions);
        int points = globalFpr.Count(f => f <= limit);
        var sampling = new double[points];
        for (int k = 0; k < points; k++) sampling[k] = k;
        var fprSum = new double[points];
        var tprSum = new double[points];
        for (int r = 0; r < regions; r++)
        {
            sampling[^1] = points - 1;
            var (fpr, tpr) = Roc(order, scores, region, r);
            double regionLimit = fpr.Where(f => f <= limit).Max() == 0 ? fpr.Where(f => f > limit).Min() : limit;
            var kept = Enumerable.Range(0, fpr.Length).Where(k => fpr[k] <= regionLimit).ToList();
            bool interpolate = false;
            double slope = 0;
            if (!Close(kept.Max(k => fpr[k]), limit))
            {
                int next = SearchSorted(fpr, limit);
                kept.Add(next);
                slope = 1 - (fpr[next] - limit) / (fpr[next] - fpr[next - 1]);
                interpolate = true;
            }
            double[] x = [.. kept.Select(k => (double)k)];
            double top = x.Max();
            for (int k = 0; k < x.Length; k++) x[k] = x[k] / top * (points - 1);
            if (interpolate) sampling[^1] = x[^2] + (x[^1] - x[^2]) * slope;
            double[] keptTpr = [.. kept.Select(k => tpr[k])], keptFpr = [.. kept.Select(k => fpr[k])];
            for (int k = 0; k < points; k++)
            {
                tprSum[k] += Interpolate(x, keptTpr, sampling[k]);
                fprSum[k] += Interpolate(x, keptFpr, sampling[k]);
            }
        }
        var curve = Enumerable.Range(0, points).Select(k => (Fpr: fprSum[k] / regions, Tpr: tprSum[k] / regions)).ToArray();
        double lastFpr = curve[^1].Fpr;
        var sorted = curve.OrderBy(c => c.Fpr).ToArray();   // torchmetrics' auc(reorder=True): a stable sort by FPR
        double area = 0;
        for (int k = 1; k < sorted.Length; k++) area += (sorted[k].Fpr - sorted[k - 1].Fpr) * (sorted[k].Tpr + sorted[k - 1].Tpr) / 2;
        return (area / lastFpr, regions);
    }

    private const int AllRegions = -2;

    /// <summary>torchmetrics' exact binary ROC in descending score <paramref name="order"/> of one region's pixels against
    /// every normal pixel (<see cref="AllRegions"/>: every region's): a point (0, 0), then one after the last pixel of each
    /// distinct score.</summary>
    private static (double[] Fpr, double[] Tpr) Roc(int[] order, double[] scores, int[] region, int id)
    {
        var fps = new List<long> { 0 };
        var tps = new List<long> { 0 };
        long tp = 0, fp = 0;
        int last = -1;
        foreach (int p in order)
        {
            int r = region[p];
            bool positive = id == AllRegions ? r >= 0 : r == id;
            if (!positive && r >= 0) continue;   // another region's pixel
            if (last >= 0 && scores[p] != scores[last]) { fps.Add(fp); tps.Add(tp); }
            if (positive) tp++; else fp++;
            last = p;
        }
        fps.Add(fp);
        tps.Add(tp);
        return ([.. fps.Select(f => (double)f / fp)], [.. tps.Select(t => (double)t / tp)]);
    }

    /// <summary>torch.allclose's default test (rtol 1e-5, atol 1e-8).</summary>
    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-8 + 1e-5 * Math.Abs(b);

    /// <summary>torch.searchsorted's left side: the first index whose value is at least <paramref name="value"/>.</summary>
    private static int SearchSorted(double[] sorted, double value)
    {
        int k = Array.BinarySearch(sorted, value);
        if (k < 0) return ~k;
        while (k > 0 && sorted[k - 1] == value) k--;
        return k;
    }

    /// <summary>anomalib's <c>interp1d</c>: linear between the two neighbouring points, extrapolated past either end, with
    /// float32's epsilon added to each step as there.</summary>
    private static double Interpolate(double[] x, double[] y, double at)
    {
        int k = Math.Clamp(SearchSorted(x, at) - 1, 0, x.Length - 2);
        double slope = (y[k + 1] - y[k]) / (Float32Epsilon + (x[k + 1] - x[k]));
        return y[k] + slope * (at - x[k]);
    }

    private const double Float32Epsilon = 1.1920929e-07;   // torch.finfo(torch.float32).eps
}
