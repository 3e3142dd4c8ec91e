using SSM.Core.Data;
using SSM.Core.Scoring;
using static TorchSharp.torch;

namespace SSM.Benchmarks;

/// <summary>
/// `visibility`: how well plain image measurements separate each category's defective pixels from the normal pixels of
/// the same images, with no model: the (per-image normalised) intensity, its distance from the image's median, and
/// the local energy of its fine detail (texture), at several sides. A defect that none of these separates inside its
/// tiles, at any side, is not a brightness or texture change a restoration error can show; it bounds what any map
/// built from restoration errors can reach on pixel AUROC.
/// </summary>
internal static class Visibility
{
    public static int Run(Arguments a)
    {
        string root = a.DataFolder();
        int[] sides = (a.String("sizes") ?? "64,256").Split(',').Select(int.Parse).ToArray();
        a.RejectUnknown();
        var dataset = MvtecFolder.Load(root, channels: 1);
        Console.WriteLine("Within-image pixel AUROC per defect category: the category's defective pixels against the normal pixels of its own images.");
        Console.WriteLine("0.5 = not separated; below 0.5 = separated the other way round (1 - value).");
        foreach (int s in sides)
        {
            var data = DecodedSplits.Load(dataset, s, [s], trainIndices: []);
            var (cats, masks) = (data.Categories, data.Masks[s]);
            var defects = PerCategory.Defects(cats, LabeledImage.GoodCategory).ToList();
            Console.WriteLine($"| S = {s} | {string.Join(" | ", defects)} |");
            foreach (var (name, maps) in Measurements(data.Test, s))
            {
                var within = PerCategory.WithinImages(maps, masks, cats, LabeledImage.GoodCategory);
                Console.WriteLine($"| {name} | {string.Join(" | ", within.Select(w => w.Auroc.ToString("F3")))} |");
            }
        }
        return 0;
    }

    /// <summary>Per-pixel measurements of every image: name and one S x S map per image.</summary>
    private static List<(string Name, float[][] Maps)> Measurements(ImageCache images, int s)
    {
        using var scope = NewDisposeScope();
        var result = new List<(string, float[][])>();
        var x = InputNormalizer.Apply(images.Batch(Enumerable.Range(0, images.Count).ToArray()), InputNormalization.PerImage);
        result.Add(("intensity", Maps(x)));
        result.Add(("|intensity - image median|", Maps(x.sub(x.flatten(1).kthvalue(s * s / 2, 1).values.view(-1, 1, 1, 1)).abs())));
        // Fine detail: the image minus a blur of 1/64 of the side; its energy averaged over 1/32 and 1/16 of the side.
        using var detailBlur = new MapSmoothing(s / 64.0);
        var detail = x.sub(detailBlur.Apply(x)).square();
        foreach (int fraction in new[] { 32, 16 })
        {
            using var energyBlur = new MapSmoothing((double)s / fraction);
            result.Add(($"texture energy (over S/{fraction})", Maps(energyBlur.Apply(detail).add(1e-6).log())));
        }
        return result;
    }

    private static float[][] Maps(Tensor batch)
    {
        var values = batch.cpu().data<float>().ToArray();
        int plane = (int)(batch.shape[2] * batch.shape[3]);
        return Enumerable.Range(0, (int)batch.shape[0]).Select(i => values.AsSpan(i * plane, plane).ToArray()).ToArray();
    }
}
