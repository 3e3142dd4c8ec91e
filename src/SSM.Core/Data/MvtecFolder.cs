namespace SSM.Core.Data;

/// <summary>
/// Finds the files of a dataset in the MVTec AD layout:
/// <c>train/good/*</c> (required), <c>test/&lt;category&gt;/*</c> (optional) and
/// <c>ground_truth/&lt;category&gt;/&lt;stem&gt;_mask.png</c> for every defective test image.
/// A folder without <c>train/</c> is read as a plain folder of good training images, or, when it holds no images but a
/// <c>test/</c> folder, as a test set alone (to evaluate a trained model; no training images). A dataset without a
/// <c>ground_truth</c> folder has its test images labelled by their folder alone: they are evaluated as images, with no
/// pixel metrics (<see cref="MvtecDataset.HasGroundTruth"/>); inspection lines often know which parts were rejected
/// long before anyone draws a mask.
/// </summary>
public static class MvtecFolder
{
    /// <summary>File extensions read as images (compared case-insensitively).</summary>
    public static IReadOnlyList<string> ImageExtensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".jp2", ".j2k", ".j2c", ".dcm", ".dicom"];

    // Files the operating system leaves in folders: never images, never worth a word.
    private static readonly string[] Bookkeeping = ["Thumbs.db", "desktop.ini", ".DS_Store"];

    /// <summary>
    /// Lists the dataset's files; nothing is decoded. Files are sorted by name (ordinal) so runs are reproducible.
    /// </summary>
    /// <param name="root">The dataset (category) folder, e.g. ".../mvtec/carpet", or a plain folder of good images.</param>
    /// <param name="channels">Channel count for later loading: 1, 3, or null for each file's own.</param>
    /// <param name="allowMissingMasks">false (the default): a defective test image without its mask, in a dataset with a
    /// <c>ground_truth</c> folder, throws, naming every such image. true: they are left out of <see cref="MvtecDataset.TestItems"/> and listed in
    /// <see cref="MvtecDataset.MissingMasks"/>, for a caller that reports them with other problems.</param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="root"/> is missing, or it has a train folder without train/good.</exception>
    /// <exception cref="InvalidDataException">No training images, or defective test images without their masks.</exception>
    public static MvtecDataset Load(string root, int? channels = null, bool allowMissingMasks = false)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (channels is not (null or 1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be null (as in the files), 1 or 3.");
        string fullRoot = Path.GetFullPath(root);
        if (!Directory.Exists(fullRoot))
            throw new DirectoryNotFoundException($"Dataset folder '{fullRoot}' does not exist.");

        string trainFolder = Path.Combine(fullRoot, "train");
        if (!Directory.Exists(trainFolder))
        {
            var plain = ListImages(fullRoot);
            if (plain.Images.Count == 0 && Directory.Exists(Path.Combine(fullRoot, "test")))
                return WithTestSet(fullRoot, [], [], channels, allowMissingMasks);
            if (plain.Images.Count == 0)
                throw new InvalidDataException(
                    $"'{fullRoot}' has neither a train/good folder (MVTec layout) nor image files ({string.Join(" ", ImageExtensions)})" +
                    (plain.Skipped.Count > 0 ? $"; subfolders are not searched, and it holds {Describe(plain.Skipped)}." : "."));
            return new MvtecDataset(fullRoot, plain.Images, [], channels, plain.Skipped);
        }

        string goodFolder = GoodFolderIn(trainFolder) ?? Path.Combine(trainFolder, LabeledImage.GoodCategory);
        if (!Directory.Exists(goodFolder))
            throw new DirectoryNotFoundException($"MVTec layout expects defect-free training images in '{goodFolder}', which does not exist.");
        var train = ListImages(goodFolder);
        if (train.Images.Count == 0)
            throw new InvalidDataException($"Training folder '{goodFolder}' holds no image files ({string.Join(" ", ImageExtensions)})" +
                (train.Skipped.Count > 0 ? $"; subfolders are not searched, and it holds {Describe(train.Skipped)}." : "."));

        return WithTestSet(fullRoot, train.Images, train.Skipped, channels, allowMissingMasks);
    }

    private static MvtecDataset WithTestSet(string fullRoot, IReadOnlyList<string> trainImages, IReadOnlyList<string> trainSkipped, int? channels,
        bool allowMissingMasks)
    {
        var skipped = new List<string>(trainSkipped);
        var missing = new List<MissingMask>();
        bool groundTruth = Directory.Exists(Path.Combine(fullRoot, GroundTruthFolder));
        var test = TestItems(fullRoot, groundTruth, skipped, missing);
        if (missing.Count > 0 && !allowMissingMasks)
            throw new InvalidDataException(missing.Count == 1 ? missing[0].Message
                : $"{missing.Count} defective test images have no ground-truth mask:{Environment.NewLine}" +
                  string.Join(Environment.NewLine, missing.Take(20).Select(m => "  " + m.Message)) +
                  (missing.Count > 20 ? $"{Environment.NewLine}  ... and {missing.Count - 20} more" : ""));
        return new MvtecDataset(fullRoot, trainImages, test, channels, skipped, missing, groundTruth);
    }

    /// <summary>
    /// The images of one folder, sorted by file name (ordinal), and what it holds that is not read: files of other
    /// formats, hidden files (a name starting with a dot, such as macOS's "._name.png" companions) and subfolders
    /// (ending in a separator). Subfolders are not searched: a dataset's folders are its categories.
    /// </summary>
    public static (IReadOnlyList<string> Images, IReadOnlyList<string> Skipped) ListImages(string folder)
    {
        var images = new List<string>();
        var skipped = new List<string>();
        foreach (string file in Directory.EnumerateFiles(folder))
        {
            string name = Path.GetFileName(file);
            if (Bookkeeping.Contains(name, StringComparer.OrdinalIgnoreCase)) continue;
            (ReadsAsImage(file) ? images : skipped).Add(file);
        }
        skipped.AddRange(Directory.EnumerateDirectories(folder).Select(d => d + Path.DirectorySeparatorChar));
        images.Sort((a, b) => string.CompareOrdinal(Path.GetFileName(a), Path.GetFileName(b)));
        skipped.Sort(StringComparer.Ordinal);
        return (images, skipped);
    }

    /// <summary>"3 other entries: a.txt, sub/, ._b.png": what a folder holds besides images, for messages; with
    /// <paramref name="relativeTo"/>, each named by its path from that folder ("test/good/._b.png").</summary>
    public static string Describe(IReadOnlyList<string> skipped, int listed = 5, string? relativeTo = null)
    {
        string Name(string p)
        {
            bool folder = p.EndsWith(Path.DirectorySeparatorChar);
            string path = p.TrimEnd(Path.DirectorySeparatorChar);
            return (relativeTo is null ? Path.GetFileName(path) : Path.GetRelativePath(relativeTo, path)) + (folder ? "/" : "");
        }
        var names = skipped.Take(listed).Select(Name);
        string more = skipped.Count > listed ? $", and {skipped.Count - listed} more" : "";
        return $"{skipped.Count} other {(skipped.Count == 1 ? "entry" : "entries")}: {string.Join(", ", names)}{more}";
    }

    // "Good" or "GOOD", as a folder made on Windows or macOS keeps it on Linux, is the good folder too (a labels CSV reads
    // its labels in any letter case as well); exactly "good" first where both exist.
    private static bool IsGood(string folderName) => string.Equals(folderName, LabeledImage.GoodCategory, StringComparison.OrdinalIgnoreCase);

    /// <summary>The folder of good training images of the dataset at <paramref name="root"/> (train/good, in any letter case
    /// of "good"), as <see cref="Load"/> reads it; null when there is none.</summary>
    public static string? TrainingGoodFolder(string root) => GoodFolderIn(Path.Combine(Path.GetFullPath(root), "train"));

    private static string? GoodFolderIn(string parent) =>
        Directory.Exists(Path.Combine(parent, LabeledImage.GoodCategory)) ? Path.Combine(parent, LabeledImage.GoodCategory)
        : Directory.Exists(parent) ? Directory.EnumerateDirectories(parent).Where(d => IsGood(Path.GetFileName(d))).Order(StringComparer.Ordinal).FirstOrDefault()
        : null;

    /// <summary>The folder of the ground-truth masks, beside <c>train</c> and <c>test</c>.</summary>
    public const string GroundTruthFolder = "ground_truth";

    private static List<MvtecTestItem> TestItems(string root, bool groundTruth, List<string> skipped, List<MissingMask> missing)
    {
        var items = new List<MvtecTestItem>();
        string testFolder = Path.Combine(root, "test");
        if (!Directory.Exists(testFolder)) return items;
        string[] categories = Directory.GetDirectories(testFolder);
        Array.Sort(categories, StringComparer.Ordinal);
        foreach (string categoryFolder in categories)
        {
            string category = Path.GetFileName(categoryFolder);
            bool good = IsGood(category);
            if (good) category = LabeledImage.GoodCategory;
            var listing = ListImages(categoryFolder);
            skipped.AddRange(listing.Skipped);
            foreach (string image in listing.Images)
            {
                if (good || !groundTruth) { items.Add(new MvtecTestItem(image, category, null)); continue; }
                var (mask, expected) = MaskOf(root, category, image);
                if (mask is not null) items.Add(new MvtecTestItem(image, category, mask));
                else missing.Add(new MissingMask(image, expected));
            }
        }
        // What the test set does not read is said with the rest (a review's test/stray.png and masks of no test image were
        // passed over without a word): files beside the category folders, and masks no test image has.
        skipped.AddRange(FilesOf(testFolder));
        if (groundTruth) skipped.AddRange(UnusedMasks(Path.Combine(root, GroundTruthFolder), items));
        return items;
    }

    /// <summary>The files of the ground-truth folder that are no test image's mask, sorted.</summary>
    private static IEnumerable<string> UnusedMasks(string groundTruth, List<MvtecTestItem> items)
    {
        var used = items.Select(i => i.MaskPath).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var unused = FilesOf(groundTruth).ToList();
        foreach (string folder in Directory.EnumerateDirectories(groundTruth))
        {
            var (masks, others) = ListImages(folder);
            unused.AddRange(masks.Where(m => !used.Contains(m)));
            unused.AddRange(others);
        }
        unused.Sort(StringComparer.Ordinal);
        return unused;
    }

    /// <summary>The files of a folder whose subfolders are what a dataset reads (test/'s categories, ground_truth/'s), images
    /// or not, as <see cref="ListImages"/> lists them.</summary>
    private static IEnumerable<string> FilesOf(string folder)
    {
        var (images, skipped) = ListImages(folder);
        return images.Concat(skipped.Where(p => !p.EndsWith(Path.DirectorySeparatorChar)));
    }

    /// <summary>The mask of a defective test image, or null; and where it is expected.</summary>
    private static (string? Mask, string Expected) MaskOf(string root, string category, string imagePath)
    {
        string stem = Path.GetFileNameWithoutExtension(imagePath);
        string folder = Path.Combine(root, GroundTruthFolder, category);
        string expected = Path.Combine(folder, stem + "_mask.png");
        if (File.Exists(expected)) return (expected, expected);
        // Some re-encoded copies of MVTec-style sets store masks in another format (or with an upper-case extension), and
        // some sets (BTAD's) name each mask as its image: "<stem>_mask" first, then the image's own name.
        if (Directory.Exists(folder))
        {
            var candidates = ListImages(folder).Images;
            foreach (string suffix in (string[])["_mask", ""])
                foreach (string candidate in candidates)
                    if (string.Equals(Path.GetFileNameWithoutExtension(candidate), stem + suffix, StringComparison.Ordinal))
                        return (candidate, expected);
        }
        return (null, expected);
    }

    /// <summary>Whether a folder's listing reads the file as an image: an image format, not hidden (a name starting with a
    /// dot, such as macOS's "._name.png" companions).</summary>
    public static bool ReadsAsImage(string path) =>
        !Path.GetFileName(path).StartsWith('.') && (HasImageExtension(path) || IsUnnamedDicom(path));

    /// <summary>Whether the file's extension is one of <see cref="ImageExtensions"/> (any letter case).</summary>
    public static bool HasImageExtension(string path) => ImageExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Whether a file without an extension is a DICOM file: scanners and PACS exports name theirs IM000001 or
    /// 1.2.840.113619.2.55.3.1 (whose last part is no extension of ours). A DICOMDIR, the index of a medical CD, is none.
    /// </summary>
    private static bool IsUnnamedDicom(string path)
    {
        if (Path.GetFileName(path).Equals("DICOMDIR", StringComparison.OrdinalIgnoreCase)) return false;
        string extension = Path.GetExtension(path);
        return (extension.Length <= 1 || extension[1..].All(char.IsAsciiDigit)) && Dicom.DicomFile.IsFile(path);
    }
}
