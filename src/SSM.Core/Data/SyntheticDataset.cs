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
        return new SyntheticDataset(options, [.. TrainImages(options)], [.. TestImages(options)]);
    }

    /// <summary>
    /// Writes the MVTec AD layout under <paramref name="folder"/>: train/good/000.png, test/&lt;category&gt;/000.png and
    /// ground_truth/&lt;category&gt;/000_mask.png (white = defect). Files of the same name are overwritten and other
    /// files are left alone, so write into an empty folder. Names get more digits when a split has over 1000 images,
    /// keeping ordinal name order equal to index order.
    /// </summary>
    public void WriteMvtec(string folder) => Write(folder, Train, Train.Count, Test, Test.CountBy(t => t.Category).ToDictionary(), null, default);

    /// <summary>
    /// <see cref="Generate"/> of <paramref name="options"/> written as <see cref="WriteMvtec(string)"/> writes it, the same
    /// files to the byte, each image generated, written and let go in turn: the memory of one image whatever the counts
    /// (300 images of 512 px held whole took 653 MB), and a stop between any two images.
    /// </summary>
    /// <param name="options">What to generate.</param>
    /// <param name="folder">Where the MVTec layout goes.</param>
    /// <param name="progress">Told the images written so far (training and test images, not masks), of
    /// <see cref="SyntheticDatasetOptions.ImageCount"/>, after each one: generate's default 152 take half a second, 152 of 1024 px 18 s.</param>
    /// <param name="cancellation">Stops between two images.</param>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled; the images written so far stay.</exception>
    public static void WriteMvtec(SyntheticDatasetOptions options, string folder, IProgress<int>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var counts = new Dictionary<string, int> { [LabeledImage.GoodCategory] = options.TestGoodCount };
        foreach (DefectKind kind in options.DefectKinds) counts[kind.CategoryName()] = options.TestDefectCount;
        Write(folder, TrainImages(options), options.TrainCount, TestImages(options), counts, progress, cancellation);
    }

    private static IEnumerable<FloatImage> TrainImages(SyntheticDatasetOptions options)
    {
        for (int i = 0; i < options.TrainCount; i++)
            yield return Normal(options, new Random(ImageSeed(options.Seed, TrainStream, i)));
    }

    private static IEnumerable<LabeledImage> TestImages(SyntheticDatasetOptions options)
    {
        for (int i = 0; i < options.TestGoodCount; i++)
            yield return new LabeledImage($"{LabeledImage.GoodCategory}/{i:D3}", Normal(options, new Random(ImageSeed(options.Seed, TestGoodStream, i))), null, LabeledImage.GoodCategory);
        foreach (DefectKind kind in options.DefectKinds)
        {
            string category = kind.CategoryName();
            for (int i = 0; i < options.TestDefectCount; i++)
            {
                var rng = new Random(ImageSeed(options.Seed, FirstDefectStream + (int)kind, i));
                (FloatImage image, FloatImage mask) = DefectPainter.Paint(Normal(options, rng), kind, rng);
                yield return new LabeledImage($"{category}/{i:D3}", image, mask, category);
            }
        }
    }

    // The counts (training images, each test category's) give the file names enough digits before any image is made.
    private static void Write(string folder, IEnumerable<FloatImage> train, int trainCount, IEnumerable<LabeledImage> test,
        IReadOnlyDictionary<string, int> testCounts, IProgress<int>? progress, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(folder);
        string trainFolder = Directory.CreateDirectory(Path.Combine(folder, "train", LabeledImage.GoodCategory)).FullName;
        string trainFormat = StemFormat(trainCount);
        int index = 0;
        foreach (var image in train)
        {
            cancellation.ThrowIfCancellationRequested();
            ImageFile.Save(image, Path.Combine(trainFolder, index++.ToString(trainFormat) + ".png"));
            progress?.Report(index);
        }
        var written = new Dictionary<string, int>();
        var made = new HashSet<string>();
        // Each category's folder is made at its first image (its masks' at its first mask): a category without images has none.
        string Made(string part, string category)
        {
            string path = Path.Combine(folder, part, category);
            if (made.Add(path)) Directory.CreateDirectory(path);
            return path;
        }
        foreach (var item in test)
        {
            cancellation.ThrowIfCancellationRequested();
            int i = written[item.Category] = written.GetValueOrDefault(item.Category) + 1;
            string stem = (i - 1).ToString(StemFormat(testCounts[item.Category]));
            ImageFile.Save(item.Image, Path.Combine(Made("test", item.Category), stem + ".png"));
            if (item.Mask is { } mask) ImageFile.Save(mask, Path.Combine(Made("ground_truth", item.Category), stem + "_mask.png"));
            progress?.Report(++index);
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
