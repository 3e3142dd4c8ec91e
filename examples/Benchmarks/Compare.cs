using System.Globalization;
using SSM.Core.Evaluation;

namespace SSM.Benchmarks;

/// <summary>
/// `compare A B ...`: how much of a measured figure, and of a difference between two scorings of the same test images,
/// is the luck of the test split. A stratified bootstrap redraws each test category's images with replacement (the
/// category mix stays that of the split) and recomputes image AUROC, pixel AUROC and AUPRO of every file on the same
/// draw, so differences are paired. It says nothing about the luck of training (compare seeds for that) and cannot
/// undo that the defaults were chosen on this same split.
/// </summary>
internal static class Compare
{
    private static readonly string[] MetricNames = ["image AUROC", "pixel AUROC", "AUPRO"];

    public static int Run(string[] args)
    {
        var (files, a) = Arguments.FilesThenOptions(args);
        int replicates = a.Int("bootstrap") ?? 1000, seed = a.Int("seed") ?? 0;
        string good = a.String("good") ?? "good";
        var without = (a.String("without") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        a.RejectUnknown();
        if (files.Length == 0) throw new ArgumentException("Give one or more files written by `explore --save-scores`.");
        if (replicates < 100) throw new ArgumentException("--bootstrap needs at least 100 replicates for a 95 % interval.");

        var sets = files.Select(ScoredTestSet.Load).ToArray();
        foreach (var c in without)
        {
            if (c == good) throw new ArgumentException($"--without cannot leave out the normal category '{good}'.");
            if (!sets[0].Categories.Contains(c)) throw new ArgumentException($"No test image has the category '{c}' (--without).");
        }
        sets = [.. sets.Select(s => s.Without(without))];
        for (int f = 1; f < sets.Length; f++) sets[0].RequireSameImages(sets[f], files[f]);
        if (!sets[0].Categories.Contains(good)) throw new ArgumentException($"No test image has the category '{good}' (--good).");
        var metrics = sets.Select(s => new ResampledMetrics(s.Scores, [.. s.Categories.Select(c => c != good)], s.Maps, s.Masks, s.Size, s.Size)).ToArray();

        // Unit weights must reproduce the library's figures exactly, or the sweeps are wrong.
        var ones = Enumerable.Repeat(1, sets[0].Count).ToArray();
        var point = metrics.Select(m => Evaluate(m, ones)).ToArray();
        for (int f = 0; f < sets.Length; f++)
        {
            var s = sets[f];
            double image = Roc.Auroc(s.Scores, s.Categories.Select(c => c != good).ToArray());
            var px = PixelMetrics.Evaluate(s.Maps, s.Masks, s.Size, s.Size);
            if (Math.Abs(image - point[f][0]) > 1e-9 || Math.Abs(px.Auroc - point[f][1]) > 1e-9 || Math.Abs(px.Aupro - point[f][2]) > 1e-9)
                throw new InvalidOperationException($"{files[f]}: the resampling sweep gives {string.Join(", ", point[f])} with unit weights, the library {image}, {px.Auroc}, {px.Aupro}.");
        }

        var draws = Bootstrap.StratifiedDraws(sets[0].Categories, replicates, seed);
        var values = new double[replicates][][];
        Parallel.For(0, replicates, b => values[b] = metrics.Select(m => Evaluate(m, draws[b])).ToArray());

        var categories = sets[0].Categories.GroupBy(c => c).Select(g => $"{g.Key} {g.Count()}");
        Console.WriteLine($"{sets[0].Count} test images ({string.Join(", ", categories)}), {replicates} stratified bootstrap draws (seed {seed}); 95 % intervals are the 2.5 and 97.5 percentiles.");
        Console.WriteLine();
        var table = new MarkdownTable(["file", .. MetricNames]);
        for (int f = 0; f < sets.Length; f++)
            table.Add([Path.GetFileName(files[f]), .. Enumerable.Range(0, 3).Select(m => Interval(point[f][m], values.Select(v => v[f][m])))]);
        Console.WriteLine(table);
        if (sets.Length == 1) return 0;
        var differences = new MarkdownTable(["against the first file", .. MetricNames]);
        for (int f = 1; f < sets.Length; f++)
            differences.Add([Path.GetFileName(files[f]), .. Enumerable.Range(0, 3).Select(m =>
            {
                var d = values.Select(v => v[f][m] - v[0][m]).ToArray();
                if (d.All(x => x == 0) && point[f][m] == point[0][m]) return "the same in every draw";
                string higher = (d.Count(x => x > 0) / (double)replicates).ToString("P0", CultureInfo.InvariantCulture);
                return $"{Interval(point[f][m] - point[0][m], d, signed: true)}, higher in {higher}";
            })]);
        Console.WriteLine(differences);
        return 0;
    }

    private static double[] Evaluate(ResampledMetrics m, int[] w) => [m.ImageAuroc(w), m.PixelAuroc(w), m.Aupro(w)];

    private static string Interval(double point, IEnumerable<double> draws, bool signed = false)
    {
        var sorted = draws.OrderBy(x => x).ToArray();
        string f(double x) => (signed && x >= 0 ? "+" : "") + x.ToString("F3", CultureInfo.InvariantCulture);
        return $"{f(point)} [{f(Bootstrap.Percentile(sorted, 0.025))}, {f(Bootstrap.Percentile(sorted, 0.975))}]";
    }
}
