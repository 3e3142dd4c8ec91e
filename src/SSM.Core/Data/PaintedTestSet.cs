using SSM.Core.Data.Synthesis;

namespace SSM.Core.Data;

/// <summary>
/// A dataset in MVTec layout made from a folder of good images alone, for a user who has no defective images yet (anomalib's
/// synthetic test split): a share of the images is held out, and each held-out image is written to test/good as it is and
/// to test/&lt;kind&gt; with one painted defect of each kind (the generator's scratches, spots, holes and colour changes),
/// its mask in ground_truth. The rest are copied to train/good unchanged. Training on train/good and evaluating on test then
/// says whether a model finds defects of those kinds on these very images, and how many good ones it flags.
/// </summary>
/// <remarks>Test images are written as 8-bit PNGs, upright (<see cref="ImageFile.Load"/>), so that a good image and its
/// painted copies differ only where the defect is; a 16-bit source loses its depth there, a training copy keeps it.
/// Painted defects are not the user's real ones: the figures tell how well these kinds are found, not a real defect's.</remarks>
public static class PaintedTestSet
{
    // Held-out choice and each painted copy draw from their own streams (SyntheticDataset.ImageSeed), as the generator's do.
    private const int HoldOutStream = 50, FirstDefectStream = 200;

    /// <summary>Copies and paints <paramref name="goodImages"/> into <paramref name="folder"/> (train/good, test/good,
    /// test/&lt;kind&gt;, ground_truth/&lt;kind&gt;). Files of the same name are overwritten: write into an empty folder.</summary>
    /// <param name="goodImages">Image files, every one defect-free; read as <see cref="ImageFile.Load"/> reads them.</param>
    /// <param name="folder">Where the dataset goes; created.</param>
    /// <param name="options">The share held out, the seed and the defect kinds; null for the defaults.</param>
    /// <param name="progress">Told how many of the images are written, after each.</param>
    /// <param name="cancellation">Checked between images.</param>
    /// <returns>How many images went where, and the painted copies left out because their defect changed no pixel.</returns>
    /// <exception cref="ArgumentException">Fewer than <see cref="MinimumImages"/> images.</exception>
    /// <exception cref="InvalidDataException">An image cannot be read or is smaller than training takes; it is named. Every
    /// image's header is read before anything is written, so which images are held out does not decide it.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled; the files written so far stay.</exception>
    public static PaintedTestSetCounts WriteMvtec(IReadOnlyList<string> goodImages, string folder, PaintedTestSetOptions? options = null,
        IProgress<int>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(goodImages);
        ArgumentNullException.ThrowIfNull(folder);
        options ??= new PaintedTestSetOptions();
        options.Validate();
        int heldOut = HeldOutCount(goodImages.Count, options.TestShare);
        CheckImages(goodImages);
        int[] order = [.. Enumerable.Range(0, goodImages.Count)];
        new Random(SyntheticDataset.ImageSeed(options.Seed, HoldOutStream, 0)).Shuffle(order);
        var held = order.Take(heldOut).ToHashSet();
        string[] stems = UniqueStems(goodImages);

        string train = Directory.CreateDirectory(Path.Combine(folder, "train", LabeledImage.GoodCategory)).FullName;
        var left = new List<string>();
        int defective = 0;
        for (int i = 0; i < goodImages.Count; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            if (!held.Contains(i)) File.Copy(goodImages[i], Path.Combine(train, Path.GetFileName(goodImages[i])), overwrite: true);
            else
            {
                FloatImage good = ImageFile.Load(goodImages[i]);
                ImageFile.Save(good, Path.Combine(folder, "test", LabeledImage.GoodCategory, stems[i] + ".png"));
                foreach (DefectKind kind in options.DefectKinds)
                {
                    var rng = new Random(SyntheticDataset.ImageSeed(options.Seed, FirstDefectStream + (int)kind, i));
                    var (image, mask) = DefectPainter.Paint(good, kind, rng);
                    string category = kind.CategoryName();
                    if (!mask.Pixels.Any(v => v > 0f)) { left.Add($"{category}/{stems[i]}"); continue; }
                    ImageFile.Save(image, Path.Combine(folder, "test", category, stems[i] + ".png"));
                    ImageFile.Save(mask, Path.Combine(folder, MvtecFolder.GroundTruthFolder, category, stems[i] + "_mask.png"));
                    defective++;
                }
            }
            progress?.Report(i + 1);
        }
        return new PaintedTestSetCounts(goodImages.Count - heldOut, heldOut, defective, left);
    }

    /// <summary>Reads every image's header, as <see cref="WriteMvtec"/> does before it writes anything: for a caller that
    /// shows progress, to refuse a bad folder before it says it is writing.</summary>
    /// <exception cref="InvalidDataException">An image cannot be read or is smaller than training takes; it is named.</exception>
    public static void CheckImages(IReadOnlyList<string> goodImages)
    {
        ArgumentNullException.ThrowIfNull(goodImages);
        foreach (string image in goodImages)
            if (ImageCache.SizeProblem($"'{image}'", ImageFile.ReadSize(image)) is { } problem) throw new InvalidDataException(problem);
    }

    /// <summary>The fewest images a painted test set is made of: one to paint and the <see cref="Training.SsmTrainer.MinimumImages"/>
    /// a training needs.</summary>
    public const int MinimumImages = Training.SsmTrainer.MinimumImages + 1;

    /// <summary>How many of <paramref name="count"/> images a share holds out: rounded, at least one, and at most as many
    /// as leave a training its <see cref="Training.SsmTrainer.MinimumImages"/>.</summary>
    /// <exception cref="ArgumentException">Fewer than <see cref="MinimumImages"/> images.</exception>
    public static int HeldOutCount(int count, double testShare)
    {
        if (count < MinimumImages)
            throw new ArgumentException($"A test set painted from good images needs at least {MinimumImages} of them: {Training.SsmTrainer.MinimumImages} " +
                                        $"to train on and one to paint defects on (got {count}).", nameof(count));
        return Math.Clamp((int)Math.Round(count * testShare, MidpointRounding.AwayFromZero), 1, count - Training.SsmTrainer.MinimumImages);
    }

    // Test images are named by their source's name, so a flagged one can be found in the user's folder; "a.png" and
    // "a.jpg" would both be test/good/a.png, so each of such a pair keeps its extension in its name ("a_jpg"), and a name
    // still shared after that (a file of its own named "a_jpg.png") its index too.
    internal static string[] UniqueStems(IReadOnlyList<string> images)
    {
        string[] stems = [.. images.Select(Path.GetFileNameWithoutExtension).Select(s => s ?? "")];
        Distinguish(stems, i => "_" + Path.GetExtension(images[i]).TrimStart('.'));
        Distinguish(stems, i => "_" + i);
        return stems;
    }

    private static void Distinguish(string[] stems, Func<int, string> suffix)
    {
        var shared = stems.CountBy(s => s, StringComparer.OrdinalIgnoreCase).Where(g => g.Value > 1).Select(g => g.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < stems.Length; i++)
            if (shared.Contains(stems[i])) stems[i] += suffix(i);
    }
}

/// <summary>What <see cref="PaintedTestSet.WriteMvtec"/> wrote.</summary>
/// <param name="Train">Images copied to train/good.</param>
/// <param name="Good">Held-out images written to test/good.</param>
/// <param name="Defective">Painted copies written to test/&lt;kind&gt;, each with its mask.</param>
/// <param name="Unchanged">Painted copies not written because their defect changed no pixel by more than the mask's
/// threshold in ten draws, as "kind/name": written, they would be labelled defective with nothing to find.</param>
public sealed record PaintedTestSetCounts(int Train, int Good, int Defective, IReadOnlyList<string> Unchanged);

/// <summary>Options of <see cref="PaintedTestSet.WriteMvtec"/>.</summary>
public sealed record PaintedTestSetOptions
{
    /// <summary>Share of the images held out to test on, each as it is and with a painted defect of each kind. Default 0.2.</summary>
    public double TestShare { get; init; } = 0.2;
    /// <summary>Seed of which images are held out and of every painted defect. Default 0.</summary>
    public int Seed { get; init; }
    /// <summary>Defect kinds painted, each into its own test folder. Default: all of <see cref="DefectKind"/>.</summary>
    public IReadOnlyList<DefectKind> DefectKinds { get; init; } = Enum.GetValues<DefectKind>();

    internal void Validate()
    {
        if (!(TestShare > 0 && TestShare < 1)) throw new ArgumentOutOfRangeException(nameof(TestShare), TestShare, "The test share must lie between 0 and 1.");
        ArgumentNullException.ThrowIfNull(DefectKinds);
        if (DefectKinds.Count == 0) throw new ArgumentException("At least one defect kind is needed.", nameof(DefectKinds));
        foreach (DefectKind kind in DefectKinds)
            if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(DefectKinds), kind, "Unknown defect kind.");
        if (DefectKinds.Distinct().Count() != DefectKinds.Count)
            throw new ArgumentException("Each defect kind may be listed once, since it names a test folder.", nameof(DefectKinds));
    }
}
