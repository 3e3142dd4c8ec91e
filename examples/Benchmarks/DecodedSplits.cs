using System.Diagnostics;
using SSM.Core.Data;

namespace SSM.Benchmarks;

/// <summary>
/// An MVTec-layout folder decoded once, gray: the training images and the test split kept as 8-bit at S x S, with each
/// test image's label, defect category and ground-truth mask at every evaluation side. The benchmarks load through
/// this, so a dataset is decoded once per run and every method's pixel metrics see the same masks.
/// </summary>
internal sealed class DecodedSplits
{
    private DecodedSplits(ImageCache train, ImageCache test) { Train = train; Test = test; }

    public ImageCache Train { get; }
    public ImageCache Test { get; }
    public List<bool> Labels { get; } = new();
    public List<string> Categories { get; } = new();
    /// <summary>Ground-truth masks by evaluation side (nearest-neighbour resize, all-false for good images).</summary>
    public Dictionary<int, List<bool[]>> Masks { get; } = new();
    public TimeSpan LoadTime { get; private set; }
    public int Defective => Labels.Count(l => l);

    /// <summary>
    /// Decodes the training images (those at <paramref name="trainIndices"/>, default all) and the test images (at
    /// <paramref name="testIndices"/>), resized to <paramref name="size"/>; <paramref name="onTrain"/> and
    /// <paramref name="onTest"/> see each decoded image at its own size, for baselines that need other sizes.
    /// </summary>
    public static DecodedSplits Load(MvtecDataset dataset, int size, IEnumerable<int> maskSides,
        IReadOnlyList<int>? trainIndices = null, IReadOnlyList<int>? testIndices = null,
        Action<FloatImage>? onTrain = null, Action<LabeledImage>? onTest = null)
    {
        if (dataset.TestItems.Count == 0) throw new InvalidDataException($"'{dataset.Root}' has no test split to evaluate.");
        var clock = Stopwatch.StartNew();
        var splits = new DecodedSplits(new ImageCache(size, 1), new ImageCache(size, 1));
        int[] sides = maskSides.Distinct().ToArray();
        foreach (int s in sides) splits.Masks[s] = new List<bool[]>();
        foreach (int i in trainIndices ?? Enumerable.Range(0, dataset.TrainPaths.Count).ToArray())
        {
            var image = ImageFile.Load(dataset.TrainPaths[i], 1);
            splits.Train.Add(image, dataset.TrainPaths[i]);
            onTrain?.Invoke(image);
        }
        foreach (int i in testIndices ?? Enumerable.Range(0, dataset.TestItems.Count).ToArray())
        {
            var labeled = dataset.LoadTest(dataset.TestItems[i]);
            splits.Test.Add(labeled.Image, labeled.Name);
            splits.Labels.Add(labeled.IsAnomalous);
            splits.Categories.Add(labeled.Category);
            foreach (int s in sides)
                splits.Masks[s].Add(labeled.Mask is null
                    ? new bool[s * s]
                    : ImageResize.ResizeMask(labeled.Mask, s, s).Pixels.Select(v => v > 0.5f).ToArray());
            onTest?.Invoke(labeled);
        }
        splits.LoadTime = clock.Elapsed;
        return splits;
    }
}
