namespace SSM.Core.Data;

/// <summary>
/// The files of an MVTec-layout dataset (paths only, so large sets can be streamed); see <see cref="MvtecFolder.Load"/>.
/// </summary>
public sealed class MvtecDataset
{
    internal MvtecDataset(string root, IReadOnlyList<string> trainPaths, IReadOnlyList<MvtecTestItem> testItems, int? channels,
        IReadOnlyList<string> skipped, IReadOnlyList<MissingMask>? missingMasks = null, bool hasGroundTruth = true)
    {
        Root = root; TrainPaths = trainPaths; TestItems = testItems; Channels = channels; Skipped = skipped;
        MissingMasks = missingMasks ?? [];
        HasGroundTruth = hasGroundTruth;
    }

    /// <summary>A dataset of defect-free training images found by the caller (a folder tree, say) and no test set.</summary>
    /// <param name="root">The folder they were found in, as a full path.</param>
    /// <param name="trainPaths">Full paths of the images.</param>
    /// <param name="skipped">What the folders hold that is not read, for the caller to say.</param>
    public static MvtecDataset OfTrainingImages(string root, IReadOnlyList<string> trainPaths, IReadOnlyList<string> skipped) =>
        new(root, trainPaths, [], null, skipped, hasGroundTruth: false);

    /// <summary>A test set of good images alone, found by the caller (a plain folder given for its false alarms), and no
    /// training images.</summary>
    /// <param name="root">The folder they were found in, as a full path.</param>
    /// <param name="paths">Full paths of the images.</param>
    /// <param name="skipped">What the folder holds that is not read, for the caller to say.</param>
    public static MvtecDataset OfGoodTestImages(string root, IReadOnlyList<string> paths, IReadOnlyList<string> skipped) =>
        new(root, [], [.. paths.Select(p => new MvtecTestItem(p, LabeledImage.GoodCategory, null))], null, skipped, hasGroundTruth: false);

    /// <summary>This dataset with <paramref name="more"/> training images after its own (another folder's good images).</summary>
    public MvtecDataset WithTrainingImages(IReadOnlyList<string> more) =>
        new(Root, [.. TrainPaths, .. more], TestItems, Channels, Skipped, MissingMasks, HasGroundTruth);

    /// <summary>False when the dataset has no <c>ground_truth</c> folder, or its labels CSV no <c>mask</c> column: its
    /// defective test images are labelled by their folder or row alone (<see cref="MvtecTestItem.MaskPath"/> null), enough
    /// for image metrics but not for pixel metrics.</summary>
    public bool HasGroundTruth { get; }

    /// <summary>Defective test images without their ground-truth mask, left out of <see cref="TestItems"/>; empty unless
    /// loaded with <c>allowMissingMasks</c> (<see cref="MvtecFolder.Load"/>).</summary>
    public IReadOnlyList<MissingMask> MissingMasks { get; }

    /// <summary>The dataset folder, as a full path; for a test set listed in a CSV (<see cref="LabelsCsv"/>), the CSV file.</summary>
    public string Root { get; }
    /// <summary>Defect-free training images, sorted by file name (ordinal); empty for a test set alone (a folder with
    /// <c>test/</c> but neither <c>train/</c> nor images of its own).</summary>
    public IReadOnlyList<string> TrainPaths { get; }
    /// <summary>Test images, by category (ordinal) then file name (ordinal); empty when there is no test folder.</summary>
    public IReadOnlyList<MvtecTestItem> TestItems { get; }
    /// <summary>
    /// What the image folders hold that is not read: files of other formats, hidden files and subfolders (full paths,
    /// subfolders ending in a separator), so a caller can say so. Operating-system bookkeeping (Thumbs.db, .DS_Store,
    /// desktop.ini) is left out.
    /// </summary>
    public IReadOnlyList<string> Skipped { get; }
    /// <summary>Channel count images are loaded with: 1, 3, or null for each file's own.</summary>
    public int? Channels { get; }

    /// <summary>Distinct test categories in <see cref="TestItems"/> order.</summary>
    public IReadOnlyList<string> Categories => [.. TestItems.Select(t => t.Category).Distinct()];

    /// <summary>Decodes the training images one at a time.</summary>
    public IEnumerable<FloatImage> LoadTrain()
    {
        foreach (string path in TrainPaths) yield return ImageFile.Load(path, Channels);
    }

    /// <summary>Decodes every test image with its mask, one at a time.</summary>
    public IEnumerable<LabeledImage> LoadTest()
    {
        foreach (MvtecTestItem item in TestItems) yield return LoadTest(item);
    }

    /// <summary>Decodes one test image and its mask.</summary>
    /// <exception cref="InvalidDataException">The mask's size differs from the image's, a good image's mask marks defect
    /// pixels, or a file cannot be decoded.</exception>
    public LabeledImage LoadTest(MvtecTestItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        FloatImage image = ImageFile.Load(item.Path, Channels);
        FloatImage? mask = item.MaskPath is null ? null : ImageFile.LoadMask(item.MaskPath);
        if (mask is not null)
        {
            RequireMaskFits(item, mask, (image.Width, image.Height));
            if ((mask.Width, mask.Height) != (image.Width, image.Height)) mask = ImageResize.ResizeMask(mask, image.Height, image.Width);
        }
        string name = $"{item.Category}/{Path.GetFileNameWithoutExtension(item.Path)}";
        return new LabeledImage(name, image, mask, item.Category);
    }

    /// <summary>Whether a mask of <paramref name="mask"/>'s size can be <paramref name="image"/>'s: one is a scale of the other,
    /// rounded to whole pixels (each side off by at most half a pixel).</summary>
    public static bool SameProportions((int Width, int Height) mask, (int Width, int Height) image)
    {
        // Then |mW iH - iW mH| <= (iW + iH) / 2, or the same with the two swapped, whichever is the smaller.
        long cross = Math.Abs((long)mask.Width * image.Height - (long)image.Width * mask.Height);
        return 2 * cross <= Math.Max((long)image.Width + image.Height, (long)mask.Width + mask.Height);
    }

    /// <summary>Throws unless <paramref name="item"/>'s mask (<see cref="ImageFile.LoadMask"/>) has its image's shape, and
    /// marks no defect on an image labelled good (a labels CSV can name a mask for one). A mask of another size but the
    /// same proportions (to a pixel: a mask drawn at half the resolution) is scaled to the image by nearest pixel, as every
    /// mask is to the model's side; other proportions are the wrong mask.</summary>
    /// <exception cref="InvalidDataException">The proportions differ, or a good image's mask marks defect pixels.</exception>
    public static void RequireMaskFits(MvtecTestItem item, FloatImage mask, (int Width, int Height) image)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(mask);
        if (!SameProportions((mask.Width, mask.Height), image))
            throw new InvalidDataException($"Mask '{item.MaskPath}' is {mask.Width}x{mask.Height} but image '{item.Path}' is {image.Width}x{image.Height}: " +
                                           "not the same proportions, so not the image's mask.");
        int marked = item.IsAnomalous ? 0 : mask.Pixels.Count(v => v > 0.5f);
        if (marked > 0)
            throw new InvalidDataException($"Image '{item.Path}' is labelled good, but its mask '{item.MaskPath}' marks {marked} defect pixel(s).");
    }
}
