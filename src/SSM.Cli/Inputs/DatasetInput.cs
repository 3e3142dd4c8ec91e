using SSM.Cli.Outputs;
using SSM.Core.Data;

namespace SSM.Cli.Inputs;

/// <summary>
/// Opens a dataset folder or an input of images and checks what the model will not: layout, counts, masks. Images are not
/// decoded here, except test images before a training (see <see cref="CheckTestSet"/>): models read their files themselves,
/// once and strictly, and on a failure <see cref="UnusableFiles.Find"/> lists every bad file at once.
/// </summary>
public static class DatasetInput
{
    /// <summary>
    /// The good images of a plain folder and all its subfolders (<c>train --recursive</c>): a line's images kept by camera
    /// and hour could not be trained on without flattening them, and renaming, since each hour folder reuses the names.
    /// </summary>
    /// <param name="folder">The root of the tree.</param>
    /// <param name="minimumImages">How many images it must hold: a training's own, or 1 for images added to another folder's.</param>
    public static MvtecDataset OpenTree(string folder, int minimumImages = SSM.Core.Training.SsmTrainer.MinimumImages)
    {
        if (string.IsNullOrWhiteSpace(folder)) throw new CliException("No dataset folder was given.");
        string full = Path.GetFullPath(folder);
        if (File.Exists(full)) throw new CliException($"'{full}' is a file; --recursive reads a folder of good images in subfolders.");
        if (!Directory.Exists(full))
            throw new CliException($"Dataset folder '{full}' does not exist.{NearMatch.Suggestion(full)}");
        var (images, skipped) = ImagesOf(full, recursive: true);
        // Every image of the tree is trained on as normal: an MVTec dataset anywhere in it (the MVTec AD download's
        // categories, say) would put its defects and masks among them without a word (a review's 32 "good" images: 12 good,
        // 4 good test images, 8 defects and 8 masks).
        if (MvtecLayoutIn(full, images) is { } layout)
            throw new CliException($"'{full}' holds folders of the MVTec layout ('{layout}'): --recursive trains on every image of the tree as normal, so " +
                                   "their test images and masks would be trained on as good ones. Train an MVTec dataset from its own folder, " +
                                   "without --recursive." + Categories(full, train: true)) { ExitCode = 2 };
        if (images.Count < minimumImages)
            throw new CliException($"'{full}' and its subfolders hold {images.Count} training image(s); at least {minimumImages} defect-free images are needed.");
        return MvtecDataset.OfTrainingImages(full, images, skipped);
    }

    /// <summary>The first folder of the MVTec layout (train, test, ground_truth) under <paramref name="root"/> holding one of
    /// <paramref name="images"/>, as a relative path ("carpet/test"); null when none does. A tree read as good images alone
    /// must not hold one: its test images and masks would count as good.</summary>
    public static string? MvtecLayoutIn(string root, IEnumerable<string> images) =>
        images.Select(p => Path.GetRelativePath(root, Path.GetDirectoryName(p)!).Split(Path.DirectorySeparatorChar))
            .Select(segments => Array.FindIndex(segments, s => MvtecFolders.Contains(s)) is var at and >= 0 ? string.Join('/', segments[..(at + 1)]) : null)
            .OfType<string>().FirstOrDefault();

    /// <summary>The folder names of the MVTec layout (<see cref="OpenTree"/> refuses them), in any letter case.</summary>
    private static readonly HashSet<string> MvtecFolders = new(["train", "test", MvtecFolder.GroundTruthFolder], StringComparer.OrdinalIgnoreCase);

    /// <summary>The training images of a folder as <c>train</c> reads its <c>&lt;DATA&gt;</c>: a dataset's train/good or a plain
    /// folder's images, with <paramref name="recursive"/> a plain folder and all its subfolders (<see cref="OpenTree"/>).</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="recursive">Whether its subfolders are read (<c>--recursive</c>).</param>
    /// <param name="minimumImages">How many images it must hold: a training's own, or 1 for images added to another folder's.</param>
    /// <returns>The images, and what <see cref="WarnSkipped"/> says was not read of the folder.</returns>
    public static (MvtecDataset Images, string NotRead) OpenTraining(string folder, bool recursive, int minimumImages = SSM.Core.Training.SsmTrainer.MinimumImages) =>
        recursive ? (OpenTree(folder, minimumImages), TreeNotRead) : (Open(folder, needTrain: true, needTest: false, minimumImages), FolderNotRead);

    /// <summary>
    /// The good images of <c>train --add-good</c>'s folder: an MVTec dataset's train/good (its test set is not read), whatever
    /// <paramref name="recursive"/> says; a plain folder's images, with <paramref name="recursive"/> its subfolders' too. Any
    /// number of them: the training they join needs its minimum, not they. Errors name the option.
    /// </summary>
    /// <returns>The images, and what <see cref="WarnSkipped"/> says was not read of the folder.</returns>
    public static (MvtecDataset Images, string NotRead) OpenAddedGood(string folder, bool recursive)
    {
        try
        {
            bool dataset = !string.IsNullOrWhiteSpace(folder) && MvtecFolder.TrainingGoodFolder(folder) is not null;
            return OpenTraining(folder, recursive && !dataset, minimumImages: 1);
        }
        catch (CliException e) { throw new CliException($"--add-good: {e.Message}", e) { ExitCode = e.ExitCode }; }
    }

    /// <summary>What <see cref="WarnSkipped"/> says is not read of a folder (its default).</summary>
    public const string FolderNotRead = "hidden files and subfolders are not read";

    /// <summary>What <see cref="WarnSkipped"/> says is not read of a folder tree (train and predict --recursive).</summary>
    public const string TreeNotRead = "hidden files, hidden folders, links to folders and earlier predict outputs (folders holding predictions.csv) are not read";

    /// <summary>Lists an MVTec-layout folder (or a plain folder of good images); nothing is decoded.</summary>
    /// <exception cref="CliException">Missing folder, no/too few images, no test images when needed.</exception>
    /// <param name="folder">The dataset folder, a plain folder of images, or (a test set alone) a labels CSV.</param>
    /// <param name="needTrain">Whether training images are read (and needed).</param>
    /// <param name="needTest">Whether test images are needed.</param>
    /// <param name="minimumImages">How many training images are needed: a training's own, or 1 for images added to another folder's.</param>
    public static MvtecDataset Open(string folder, bool needTrain, bool needTest, int minimumImages = SSM.Core.Training.SsmTrainer.MinimumImages)
    {
        if (string.IsNullOrWhiteSpace(folder)) throw new CliException("No dataset folder was given.");
        string full = Path.GetFullPath(folder);
        if (File.Exists(full) && LabelsCsv.IsCsv(full) && needTest && !needTrain)
        {
            try { return LabelsCsv.Load(full); }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException) { throw new CliException(ex.Message, ex); }
        }
        if (File.Exists(full))
            throw new CliException($"'{full}' is a file; give the dataset folder" + (LabelsCsv.IsCsv(full) ? " (a labels CSV is a test set for evaluate; train reads a folder of good images)."
                : Path.GetExtension(full).ToLowerInvariant() is ".tsv" or ".txt" && needTest && !needTrain ? ", or a labels list as a .csv file (columns path and label, separated by commas or semicolons)." : "."));
        if (!Directory.Exists(full))
            throw new CliException($"{(LabelsCsv.IsCsv(full) ? "Labels CSV" : "Dataset folder")} '{full}' does not exist.{NearMatch.Suggestion(full)}");
        MvtecDataset data;
        if (needTest && !needTrain && !Directory.Exists(Path.Combine(full, "test")))
        {
            // A plain folder of images is a test set of good ones (a new month's, to choose a threshold by its false alarms);
            // a dataset without its test folder is not, and the loader's "neither train/good nor image files" speaks of training data.
            var (images, skipped) = Directory.Exists(Path.Combine(full, "train")) ? ([], []) : MvtecFolder.ListImages(full);
            if (images.Count == 0)
                throw new CliException($"'{full}' has no test folder: expected test/good and test/<defect> folders (MVTec layout), a folder of good images alone, or a labels CSV (columns path and label; mask for pixel metrics)." +
                                       CsvIn(full) + Categories(full, needTrain));
            return MvtecDataset.OfGoodTestImages(full, images, skipped);
        }
        // Missing masks are reported by CheckTestSet with the test set's other problems, in one message.
        try { data = MvtecFolder.Load(full, allowMissingMasks: true); }
        catch (Exception ex) when (ex is DirectoryNotFoundException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // A plain folder whose images are all in subfolders: train has the option the library's loader cannot name.
            bool plain = ex.Message.StartsWith($"'{full}' has neither a train/good folder", StringComparison.Ordinal);
            string categories = plain ? Categories(full, needTrain) : "";
            throw new CliException(plain && needTrain && categories.Length == 0
                ? ex.Message.Replace("subfolders are not searched", "subfolders are not searched (train --recursive reads them)") : ex.Message + categories, ex);
        }
        if (needTrain && data.TrainPaths.Count == 0)
            throw new CliException($"'{full}' holds a test set but no training images: train needs defect-free images in train/good (MVTec layout) or in the folder itself. " +
                                   $"Its folders: {string.Join(", ", Directory.GetDirectories(full).Select(Path.GetFileName).Order(StringComparer.Ordinal))}.");
        if (needTrain && data.TrainPaths.Count < minimumImages)
            throw new CliException($"'{full}' holds {data.TrainPaths.Count} training image(s); at least {minimumImages} defect-free images are needed.");
        if (needTest && data.TestItems.Count + data.MissingMasks.Count == 0)
            throw new CliException($"'{full}' has no test images: expected test/good and test/<defect> folders (MVTec layout).");
        return data;
    }

    /// <summary>" To evaluate on a labels CSV, give the file itself: '…/labels.csv'." when the folder holds CSV files (at most
    /// 3 named), else "": a user who gave the folder a labels CSV lies in was told only that a CSV would do.</summary>
    private static string CsvIn(string folder)
    {
        var csvs = Directory.EnumerateFiles(folder).Where(LabelsCsv.IsCsv).Order(StringComparer.Ordinal).ToList();
        return csvs.Count == 0 ? "" : $" To evaluate on a labels CSV, give the file itself: {string.Join(" or ", csvs.Take(3).Select(c => $"'{c}'"))}{(csvs.Count > 3 ? " ..." : "")}.";
    }

    /// <summary>
    /// " It holds MVTec datasets in subfolders: give one" when <paramref name="folder"/> is a root of categories (the MVTec
    /// AD download, one folder per product), else "". A walkthrough's `train` of such a root was told to give --recursive,
    /// which then refused it for the test images and masks it would train on.
    /// </summary>
    private static string Categories(string folder, bool train)
    {
        var folders = CategoryFolders(folder, needTrain: false);
        var categories = folders.Select(Path.GetFileName).ToList();
        return categories.Count == 0 ? ""
            : $" It holds {categories.Count} dataset(s) of the MVTec layout in its subfolders ({string.Join(", ", categories.Take(5))}{(categories.Count > 5 ? ", ..." : "")}): " +
              $"give one, as '{Path.Combine(folder, categories[0]!)}'" + (train && folders.Any(HoldsTraining) ? ", or train each with --each-category." : ".");
    }

    /// <summary>The subfolders of <paramref name="folder"/> in the MVTec layout, one per product as in MVTec AD's download
    /// (with train/good, or with <paramref name="needTrain"/> false a test folder alone), as full paths in name order.</summary>
    public static IReadOnlyList<string> CategoryFolders(string folder, bool needTrain) =>
        [.. Directory.EnumerateDirectories(Path.GetFullPath(folder))
            .Where(d => HoldsTraining(d) || !needTrain && Directory.Exists(Path.Combine(d, "test")))
            .Order(StringComparer.Ordinal)];

    // As the dataset's loader reads it: train/Good, made on Windows or macOS, is a category's good folder too (--each-category
    // passed over such a category without a word).
    private static bool HoldsTraining(string folder) => MvtecFolder.TrainingGoodFolder(folder) is not null;

    /// <summary>
    /// Checks the test set (nothing when there is none) and lists every problem in one message: each mask is decoded and
    /// compared with its image's size. With <paramref name="decodeImages"/> the test images are decoded too; <c>ssm train</c>
    /// asks for it on purpose, although the model reads them again: they are scored only after the training, and a bad
    /// file found then would throw the whole training away. <c>ssm evaluate</c> does not: its model reads each image once,
    /// and only the image sizes are read here (from the file headers).
    /// </summary>
    /// <exception cref="CliException">Missing or unreadable masks, (with <paramref name="decodeImages"/>) unreadable images, masks of another size.</exception>
    /// <param name="maxPixels">The most pixels an image may have (<see cref="Commands.ModelSettings.MaxPixels"/>); a larger one is a problem.</param>
    /// <param name="tiles">As <see cref="ImageHeaders.ReadHeaders"/>'s: the model's tiles, which every test image must be large enough for.</param>
    public static void CheckTestSet(MvtecDataset data, bool decodeImages, long maxPixels, (SSM.Core.Data.TileGrid? Tiles, bool Upright)? tiles = null)
    {
        var problems = data.MissingMasks.Select(m => m.Message).ToList();
        foreach (var item in data.TestItems)
        {
            try
            {
                // The image and its mask within the limit before either is decoded: a mask is decoded whole (a 219 KB PNG
                // declaring 15000 x 15000 took 2.5 GB), and one of the image's proportions at any size was accepted.
                string? LargerThanLimit(string? file) => file is not null && ImageFile.ReadHeader(file) is { } h ? ImageHeaders.TooLarge(file, h, maxPixels) : null;
                if (decodeImages)
                {
                    var header = ImageFile.ReadHeader(item.Path);   // once, for the limit and the tiles
                    string? TooSmall() => tiles is { } t && header is { } h ? ImageHeaders.TooSmallForTiles(item.Path, h, t.Tiles, t.Upright) : null;
                    string? imageTooLarge = header is { } ih ? ImageHeaders.TooLarge(item.Path, ih, maxPixels) : null;
                    if ((imageTooLarge ?? LargerThanLimit(item.MaskPath) ?? TooSmall()) is { } large) problems.Add(large);
                    else data.LoadTest(item);     // image and mask, sizes compared
                    continue;
                }
                // The image itself is read by the model; its header now (within the limit there), so that a bad file is not
                // found after the others were scored, and its size for the mask.
                var (headers, unusable) = ImageHeaders.ReadHeaders([item.Path], maxPixels, tiles);
                problems.AddRange(unusable.Select(u => u.Problem));
                if (unusable.Count > 0 || item.MaskPath is null) continue;
                if (LargerThanLimit(item.MaskPath) is { } largeMask)
                {
                    problems.Add(largeMask);
                    continue;
                }
                MvtecDataset.RequireMaskFits(item, ImageFile.LoadMask(item.MaskPath), (headers[0].Width, headers[0].Height));
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                problems.Add(UnusableFiles.Describe(ex, item.Path, item.MaskPath));
            }
        }
        if (problems.Count > 0)
            throw new CliException(UnusableFiles.List($"{problems.Count} of {data.TestItems.Count + data.MissingMasks.Count} test images cannot be used", problems) +
                (data.MissingMasks.Count > 0
                    ? $"{Environment.NewLine}Give every defective image its mask, or move the ground_truth folder away to evaluate the images without pixel metrics."
                    : ""));
    }

    /// <summary>
    /// Image files of a folder (sorted), or the file itself, and what the folder holds that is not read
    /// (<see cref="MvtecFolder.ListImages"/>); nothing is decoded (the model reads them).
    /// </summary>
    /// <param name="recursive">Also the images of every subfolder, at any depth, a folder's own images before its
    /// subfolders', in name order; hidden folders and links to folders (which can loop) are skipped, and said.</param>
    public static (IReadOnlyList<string> Images, IReadOnlyList<string> Skipped) ImagesOf(string input, bool recursive = false)
    {
        string full = Path.GetFullPath(input);
        if (File.Exists(full) && LabelsCsv.IsCsv(full))
            throw new CliException($"'{full}' is a CSV, not an image: predict scores an image or a folder of images; a labels CSV is a test set for evaluate.");
        if (File.Exists(full)) return ([full], []);
        if (!Directory.Exists(full)) throw new CliException($"Input '{full}' does not exist.{NearMatch.Suggestion(full)}");
        var listing = recursive ? ListTree(full) : MvtecFolder.ListImages(full);
        if (listing.Images.Count == 0)
            throw new CliException($"'{full}' holds no image files ({string.Join(" ", MvtecFolder.ImageExtensions)})" +
                (listing.Skipped.Count == 0 ? "." : recursive ? $"; it holds {MvtecFolder.Describe(listing.Skipped)}."
                    : $"; subfolders are not searched (--recursive searches them), and it holds {MvtecFolder.Describe(listing.Skipped)}."));
        return listing;
    }

    private static (IReadOnlyList<string> Images, IReadOnlyList<string> Skipped) ListTree(string root)
    {
        var images = new List<string>();
        var skipped = new List<string>();
        void Walk(string folder)
        {
            var (own, others) = MvtecFolder.ListImages(folder);
            images.AddRange(own);
            foreach (string entry in others)
            {
                string path = Path.TrimEndingDirectorySeparator(entry);
                // An earlier predict's output (its heat maps are PNG files) is not an input, wherever it was written.
                bool searched = entry.EndsWith(Path.DirectorySeparatorChar) && !Path.GetFileName(path).StartsWith('.') && new DirectoryInfo(path).LinkTarget is null
                                && !File.Exists(Path.Combine(path, OutputFiles.Predictions));
                if (searched) Walk(path);
                else skipped.Add(entry);
            }
        }
        Walk(root);
        return (images, skipped);
    }

    /// <summary>Says, as a warning, what the folders a command reads hold besides images; nothing when there is nothing.</summary>
    /// <param name="notRead">What the command does not read besides other files.</param>
    public static void WarnSkipped(Warnings warnings, IReadOnlyList<string> skipped, string notRead = FolderNotRead)
    {
        if (skipped.Count == 0) return;
        // Named from the folder that holds them all, which is said: entries of several folders (train/good, test/*, subfolders)
        // are told apart.
        string root = CommonFolder(skipped.Select(p => Path.GetFullPath(Path.GetDirectoryName(p.TrimEnd(Path.DirectorySeparatorChar)) ?? ".")));
        string what = root.Length == 0 ? MvtecFolder.Describe(skipped) : $"in '{root}': {MvtecFolder.Describe(skipped, relativeTo: root)}";   // "": two drives
        string text = $"not read {what} (images are {string.Join(" ", MvtecFolder.ImageExtensions)}, " +
                      $"and DICOM files without an extension; {notRead}).";
        warnings.Write(text);
    }

    /// <summary>The deepest folder that holds every one of <paramref name="folders"/> (full paths), compared segment by
    /// segment: a drive's root when they share nothing more.</summary>
    internal static string CommonFolder(IEnumerable<string> folders)
    {
        string[]? common = null;
        foreach (string folder in folders)
        {
            string[] parts = Path.TrimEndingDirectorySeparator(folder).Split(Path.DirectorySeparatorChar);
            if (common is null) { common = parts; continue; }
            int same = 0;
            while (same < common.Length && same < parts.Length && common[same] == parts[same]) same++;
            common = common[..same];
        }
        string joined = string.Join(Path.DirectorySeparatorChar, common ?? []);
        // "/a".Split gives ["", "a"]: the root's segment is empty, and "C:" needs its separator to be the root, not the current folder.
        return common is null or [] ? "" : common.Length == 1 ? common[0] + Path.DirectorySeparatorChar : joined;
    }
}

