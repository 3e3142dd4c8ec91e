using SSM.Core.Data.Synthesis;

namespace SSM.Core.Data;

/// <summary>
/// A small, fully reproducible anomaly-detection dataset: defect-free training images of one texture family and a
/// test set of good and defective images with pixel masks. Made for tests, demos and smoke-training without downloads.
/// </summary>
public sealed class SyntheticDataset
{
    // Each split / defect kind draws from its own seed stream, so changing one count leaves the other images unchanged.
    private const int TrainStream = 1, TestGoodStream = 2, FirstDefectStream = 100;

    private SyntheticDataset(SyntheticDatasetOptions options, IReadOnlyList<FloatImage> train, IReadOnlyList<LabeledImage> test)
    {
        Options = options; Train = train; Test = test;
    }

    /// <summary>The options the dataset was generated from.</summary>
    public SyntheticDatasetOptions Options { get; }
    /// <summary>Defect-free training images.</summary>
    public IReadOnlyList<FloatImage> Train { get; }
    /// <summary>Good test images first ("good/000", ...), then each defect kind in <see cref="SyntheticDatasetOptions.DefectKinds"/> order.</summary>
    public IReadOnlyList<LabeledImage> Test { get; }

    /// <summary>
    /// Generates the dataset. Every image is a different random instance of the texture family; equal options give
    /// bit-identical pixels (each image has its own RNG seeded from the options' seed, its split and its index).
    /// </summary>
    public static SyntheticDataset Generate(SyntheticDatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var train = new FloatImage[options.TrainCount];
        for (int i = 0; i < train.Length; i++)
            train[i] = Normal(options, new Random(ImageSeed(options.Seed, TrainStream, i)));

        var test = new List<LabeledImage>(options.TestGoodCount + options.TestDefectCount * options.DefectKinds.Count);
        for (int i = 0; i < options.TestGoodCount; i++)
        {
            FloatImage image = Normal(options, new Random(ImageSeed(options.Seed, TestGoodStream, i)));
            test.Add(new LabeledImage($"{LabeledImage.GoodCategory}/{i:D3}", image, null, LabeledImage.GoodCategory));
        }
        foreach (DefectKind kind in options.DefectKinds)
        {
            string category = kind.CategoryName();
            for (int i = 0; i < options.TestDefectCount; i++)
            {
                var rng = new Random(ImageSeed(options.Seed, FirstDefectStream + (int)kind, i));
                (FloatImage image, FloatImage mask) = DefectPainter.Paint(Normal(options, rng), kind, rng);
                test.Add(new LabeledImage($"{category}/{i:D3}", image, mask, category));
            }
        }
        return new SyntheticDataset(options, train, test);
    }

    /// <summary>
    /// Writes the MVTec AD layout under <paramref name="folder"/>: train/good/000.png, test/&lt;category&gt;/000.png and
    /// ground_truth/&lt;category&gt;/000_mask.png (white = defect). Files of the same name are overwritten and other
    /// files are left alone, so write into an empty folder. Names get more digits when a split has over 1000 images,
    /// keeping ordinal name order equal to index order.
    /// </summary>
    public void WriteMvtec(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string trainFolder = Directory.CreateDirectory(Path.Combine(folder, "train", LabeledImage.GoodCategory)).FullName;
        string trainFormat = StemFormat(Train.Count);
        for (int i = 0; i < Train.Count; i++)
            ImageFile.Save(Train[i], Path.Combine(trainFolder, i.ToString(trainFormat) + ".png"));

        foreach (IGrouping<string, LabeledImage> group in Test.GroupBy(t => t.Category))
        {
            LabeledImage[] items = [.. group];
            string format = StemFormat(items.Length);
            string imageFolder = Directory.CreateDirectory(Path.Combine(folder, "test", group.Key)).FullName;
            string? maskFolder = items.Any(t => t.Mask is not null)
                ? Directory.CreateDirectory(Path.Combine(folder, "ground_truth", group.Key)).FullName
                : null;
            for (int i = 0; i < items.Length; i++)
            {
                string stem = i.ToString(format);
                ImageFile.Save(items[i].Image, Path.Combine(imageFolder, stem + ".png"));
                if (items[i].Mask is { } mask) ImageFile.Save(mask, Path.Combine(maskFolder!, stem + "_mask.png"));
            }
        }
    }

    private static FloatImage Normal(SyntheticDatasetOptions o, Random rng) =>
        TextureSynthesizer.Render(o.Texture, o.ImageSize, o.Channels, rng);

    private static string StemFormat(int count) => "D" + Math.Max(3, (count - 1).ToString().Length);

    // SplitMix64 finaliser over (seed, stream, index): neighbouring seeds and indices give unrelated RNG states,
    // and nothing depends on process-randomised hashing (HashCode) or shared state.
    internal static int ImageSeed(int seed, int stream, int index)
    {
        ulong z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ ((ulong)(uint)stream << 32 | (uint)index);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(uint)z;
    }
}
