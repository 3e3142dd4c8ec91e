using SSM.Core.Data;
using SSM.Core.Evaluation;
using SSM.Core.Scoring;

namespace SSM.Benchmarks;

/// <summary>
/// `pixels-original-size A.bin --data <folder>`: pixel AUROC and AUPRO of a scoring at the model's side (its maps and
/// masks at S x S, as the library reports them) and at each test image's own size (each map resized there as the heat
/// maps are, against the ground-truth mask as the file holds it), pooled and per defect category with the good images.
/// The field reports pixel metrics "at the original resolution or at a stated common one" (docs/ssm-method.md, §8); on
/// a dataset of tiles of many sizes, as MTD's, the two weigh the images differently: at their own size a large tile
/// holds more of the pooled pixels.
/// </summary>
internal static class OriginalSizePixels
{
    public static int Run(string[] args)
    {
        var (files, a) = Arguments.FilesThenOptions(args);
        string root = a.DataFolder();
        string good = a.String("good") ?? LabeledImage.GoodCategory;
        a.RejectUnknown();
        if (files.Length != 1) throw new ArgumentException("Give one file written by `explore --save-scores` of the dataset given by --data.");

        var set = ScoredTestSet.Load(files[0]);
        var dataset = MvtecFolder.Load(root, channels: 1);
        if (dataset.TestItems.Count != set.Count || !dataset.TestItems.Select(t => t.Category).SequenceEqual(set.Categories))
            throw new ArgumentException($"{files[0]} did not score the test split of {root} in its order ({set.Count} images against {dataset.TestItems.Count}).");

        var own = new LabeledAnomalyMap[set.Count];
        for (int i = 0; i < set.Count; i++)
        {
            var test = dataset.LoadTest(dataset.TestItems[i]);
            int h = test.Image.Height, w = test.Image.Width;
            bool[] mask = test.Mask is { } m ? [.. m.Pixels.Select(v => v > 0.5f)] : new bool[h * w];
            own[i] = new LabeledAnomalyMap(AnomalyMapResize.ToImageSize(set.Maps[i], set.Size, h, w), mask, h, w);
        }
        var atSide = Enumerable.Range(0, set.Count).Select(i => new LabeledAnomalyMap(set.Maps[i], set.Masks[i], set.Size, set.Size)).ToArray();

        var table = new MarkdownTable("test images", "pixels at their own size", $"pixel AUROC at {set.Size} x {set.Size}", "at each image's size", $"AUPRO at {set.Size} x {set.Size}", "at each image's size");
        void Add(string name, int[] images)
        {
            var small = PixelMetrics.Evaluate([.. images.Select(i => atSide[i])]);
            var large = PixelMetrics.Evaluate([.. images.Select(i => own[i])]);
            long pixels = images.Sum(i => (long)own[i].Height * own[i].Width);
            table.Add(name, $"{pixels / 1e6:F1} M", Format.F3(small.Auroc), Format.F3(large.Auroc), Format.F3(small.Aupro), Format.F3(large.Aupro));
        }
        Add($"all {set.Count}", [.. Enumerable.Range(0, set.Count)]);
        foreach (string c in PerCategory.Defects(set.Categories, good))
            Add($"{c} with the {good} images", [.. Enumerable.Range(0, set.Count).Where(i => set.Categories[i] == good || set.Categories[i] == c)]);
        Console.WriteLine($"Pixel metrics of {Path.GetFileName(files[0])} at the model's side and at each test image's own size ({root}):");
        Console.WriteLine(table);
        return 0;
    }
}
