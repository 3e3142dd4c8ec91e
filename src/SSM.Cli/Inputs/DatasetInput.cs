using SSM.Core.Data;

namespace SSM.Cli.Inputs;

/// <summary>
/// Opens a dataset folder or an input of images and checks what the model will not: layout, counts, masks. Images are not
/// decoded here, except test images before a training (see <see cref="CheckTestSet"/>): models read their files themselves,
/// once and strictly, and on a failure <see cref="FindUnusable"/> lists every bad file at once.
/// </summary>
public static class DatasetInput
{
    /// <summary>Most bad files named in one message.</summary>
    public const int MaxListed = 20;

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

    /// <summary>The SHA-256 of a file's bytes (its first <paramref name="maxBytes"/> when given), to know a copy under another
    /// name; null when it cannot be read (the scoring or training says why).</summary>
    public static string? ContentHash(string path, int? maxBytes = null)
    {
        try
        {
            using var file = File.OpenRead(path);
            if (maxBytes is not { } max) return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(file));
            var head = new byte[max];
            int read = file.ReadAtLeast(head, max, throwOnEndOfStream: false);
            return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(head.AsSpan(0, read)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>How much of a file <see cref="SameImagesAmong"/> hashes first: files of one length that differ there are told
    /// apart without reading the rest (a camera's uncompressed images all have one length).</summary>
    private const int HeadBytes = 64 * 1024;

    /// <summary>The images of <paramref name="images"/> that are test images of <paramref name="data"/> by content (a copy under
    /// another name is the same image), each with the test image it is: good images given to train or calibrate on must not
    /// be, or the test figures would be those of images the model was made on.</summary>
    public static List<(string Image, string Test)> TestImagesAmong(IEnumerable<string> images, MvtecDataset data) =>
        [.. SameImagesAmong(images, data.TestItems.Select(t => t.Path)).Select(p => (p.Image, Test: p.Same))];

    /// <summary>The images of <paramref name="images"/> that are, by content, one of <paramref name="others"/>, each with the one
    /// it is: a copy under another name, a link or another spelling of the path is the same image.</summary>
    public static List<(string Image, string Same)> SameImagesAmong(IEnumerable<string> images, IEnumerable<string> others)
    {
        // Only files of one of the others' lengths, and then of the same first 64 KB, can be one: those alone are read whole.
        var othersByLength = others.Distinct(StringComparer.Ordinal).Select(p => (Path: p, Length: LengthOf(p))).Where(t => t.Length is not null)
            .GroupBy(t => t.Length!.Value, t => t.Path).ToDictionary(g => g.Key, g => g.ToList());
        var byHead = new Dictionary<long, ILookup<string, string>>();
        var whole = new Dictionary<string, string?>(StringComparer.Ordinal);
        string? Head(string path, long length) => length <= HeadBytes ? Whole(path) : ContentHash(path, HeadBytes);
        string? Whole(string path) => whole.TryGetValue(path, out var h) ? h : whole[path] = ContentHash(path);
        var shared = new List<(string Image, string Same)>();
        foreach (string image in images)
        {
            if (LengthOf(image) is not { } length || !othersByLength.TryGetValue(length, out var candidates)) continue;
            if (!byHead.TryGetValue(length, out var heads))
                byHead[length] = heads = candidates.Select(c => (Path: c, Head: Head(c, length))).Where(c => c.Head is not null).ToLookup(c => c.Head!, c => c.Path);
            if (Head(image, length) is not { } head || !heads.Contains(head)) continue;
            string? hash = Whole(image);
            if (hash is not null && heads[head].FirstOrDefault(c => Whole(c) == hash) is { } same) shared.Add((image, same));
        }
        return shared;
    }

    /// <summary>The first of <see cref="SameImagesAmong"/>'s pairs for a message: "'a' is 'b', and others", or "'a'" where both
    /// are one file and it is the only one.</summary>
    public static string Example(IReadOnlyList<(string Image, string Same)> pairs)
    {
        var (image, same) = pairs[0];
        return (image == same ? $"'{image}'" : $"'{image}' is '{same}'") + (pairs.Count > 1 ? ", and others" : "");
    }

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
            bool dataset = !string.IsNullOrWhiteSpace(folder) && Directory.Exists(Path.Combine(Path.GetFullPath(folder), "train", "good"));
            return OpenTraining(folder, recursive && !dataset, minimumImages: 1);
        }
        catch (CliException e) { throw new CliException($"--add-good: {e.Message}", e) { ExitCode = e.ExitCode }; }
    }

    // One look at the file system a file: its length, or null when it is not there (the scoring or training says why).
    private static long? LengthOf(string path) => new FileInfo(path) is { Exists: true } file ? file.Length : null;

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
            throw new CliException($"'{full}' is a file; give the dataset folder" + (LabelsCsv.IsCsv(full) ? " (a labels CSV is a test set for evaluate; train reads a folder of good images)." : "."));
        if (!Directory.Exists(full))
            throw new CliException($"{(LabelsCsv.IsCsv(full) ? "Labels CSV" : "Dataset folder")} '{full}' does not exist.{NearMatch.Suggestion(full)}");
        MvtecDataset data;
        if (needTest && !needTrain && !Directory.Exists(Path.Combine(full, "test")))
        {
            // A plain folder of images is a test set of good ones (a new month's, to choose a threshold by its false alarms);
            // a dataset without its test folder is not, and the loader's "neither train/good nor image files" speaks of training data.
            var (images, skipped) = Directory.Exists(Path.Combine(full, "train")) ? ([], []) : MvtecFolder.ListImages(full);
            if (images.Count == 0)
                throw new CliException($"'{full}' has no test folder: expected test/good and test/<defect> folders (MVTec layout), or a folder of good images alone." +
                                       Categories(full, needTrain));
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

    private static bool HoldsTraining(string folder) => Directory.Exists(Path.Combine(folder, "train", "good"));

    /// <summary>
    /// Checks the test set (nothing when there is none) and lists every problem in one message: each mask is decoded and
    /// compared with its image's size. With <paramref name="decodeImages"/> the test images are decoded too; <c>ssm train</c>
    /// asks for it on purpose, although the model reads them again: they are scored only after the training, and a bad
    /// file found then would throw the whole training away. <c>ssm evaluate</c> does not: its model reads each image once,
    /// and only the image sizes are read here (from the file headers).
    /// </summary>
    /// <exception cref="CliException">Missing or unreadable masks, (with <paramref name="decodeImages"/>) unreadable images, masks of another size.</exception>
    /// <param name="maxPixels">The most pixels an image may have (<see cref="Commands.ModelSettings.MaxPixels"/>); a larger one is a problem.</param>
    /// <param name="tiles">As <see cref="ReadHeaders"/>'s: the model's tiles, which every test image must be large enough for.</param>
    public static void CheckTestSet(MvtecDataset data, bool decodeImages, long maxPixels, (SSM.Core.Data.TileGrid? Tiles, bool Upright)? tiles = null)
    {
        var problems = data.MissingMasks.Select(m => m.Message).ToList();
        foreach (var item in data.TestItems)
        {
            try
            {
                // The image and its mask within the limit before either is decoded: a mask is decoded whole (a 219 KB PNG
                // declaring 15000 x 15000 took 2.5 GB), and one of the image's proportions at any size was accepted.
                string? LargerThanLimit(string? file) => file is not null && ImageFile.ReadHeader(file) is { } h ? TooLarge(file, h, maxPixels) : null;
                if (decodeImages)
                {
                    var header = ImageFile.ReadHeader(item.Path);   // once, for the limit and the tiles
                    string? TooSmall() => tiles is { } t && header is { } h ? TooSmallForTiles(item.Path, h, t.Tiles, t.Upright) : null;
                    string? imageTooLarge = header is { } ih ? TooLarge(item.Path, ih, maxPixels) : null;
                    if ((imageTooLarge ?? LargerThanLimit(item.MaskPath) ?? TooSmall()) is { } large) problems.Add(large);
                    else data.LoadTest(item);     // image and mask, sizes compared
                    continue;
                }
                // The image itself is read by the model; its header now (within the limit there), so that a bad file is not
                // found after the others were scored, and its size for the mask.
                var (headers, unusable) = ReadHeaders([item.Path], maxPixels, tiles);
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
                problems.Add(Describe(ex, item.Path, item.MaskPath));
            }
        }
        if (problems.Count > 0)
            throw new CliException(List($"{problems.Count} of {data.TestItems.Count + data.MissingMasks.Count} test images cannot be used", problems) +
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

    /// <summary>The file predict writes beside its heat maps; a folder holding it is a predict output, not input.</summary>
    public const string PredictionsFile = "predictions.csv";

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
                                && !File.Exists(Path.Combine(path, PredictionsFile));
                if (searched) Walk(path);
                else skipped.Add(entry);
            }
        }
        Walk(root);
        return (images, skipped);
    }

    /// <summary>
    /// What a model will misread among <paramref name="paths"/>, as warnings, from the files' headers in one pass: grayscale
    /// files for a colour model, which reads them as grey colour images and, having learned colour images only, flags them
    /// (a walkthrough's flagged every grey good image); photos with an EXIF orientation for a model saved before files were
    /// turned upright, which reads them as stored (sideways), as it was trained, so heat maps come out sideways and masks
    /// drawn on the photo as shown do not line up with its maps; files of several frames or pages, of which the model reads
    /// the first (<see cref="SeveralFrames"/>).
    /// </summary>
    public static void WarnForModel(Warnings warnings, IReadOnlyList<string> paths, int modelChannels, bool modelReadsUpright)
    {
        var headers = HeadersOf(paths);   // the readable files' headers and paths, aligned
        WarnForModel(warnings, [.. headers.OfType<ImageHeader>()], [.. paths.Where((_, i) => headers[i] is not null)], modelChannels, modelReadsUpright);
    }

    /// <inheritdoc cref="WarnForModel(Warnings, IReadOnlyList{string}, int, bool)"/>
    public static void WarnForModel(Warnings warnings, IReadOnlyList<ImageHeader> headers, IReadOnlyList<string> paths, int modelChannels, bool modelReadsUpright)
    {
        if (SeveralFrames(headers, paths.Count) is { } frames) warnings.Write(frames);
        int gray = modelChannels == 3 ? headers.Count(h => h.StoresGray) : 0;
        if (gray > 0)
            warnings.Write($"{gray} of {paths.Count} images are grayscale files, and this model reads colour (it was trained in colour): " +
                           "unless it learned grey images too, it is likely to flag them.");
        // A grey camera's images saved as RGB are colour files by their header: a walkthrough's colour model flagged 3 of 3
        // such files without a word. Their pixels say it (the first colour files looked at, each at 64 px).
        var colourFiles = modelChannels == 3 ? ColourFiles(headers, paths).ToList() : [];
        if (colourFiles.Count > 0 && !HoldColour(colourFiles))
            warnings.Write($"{colourFiles.Count} of {paths.Count} images are colour files whose pixels are grey (the first " +
                           $"{Math.Min(colourFiles.Count, ColourLooked)} looked at: a grey camera's images saved as colour?), and this model " +
                           "reads colour (it was trained in colour): unless it learned grey images too, it is likely to flag them.");
        int turned = modelReadsUpright ? 0 : headers.Count(h => h.Turned);
        if (turned > 0)
            warnings.Write($"{turned} of {paths.Count} images carry an EXIF orientation, and this model (saved before 2026-12-01) reads files " +
                           "as stored: it sees them as the camera stored them, not as they are shown, and ground-truth masks drawn on " +
                           "them as shown do not line up with its maps. Train it again to read them upright.");
    }

    /// <summary>
    /// The note for a grey model given colour files, or null: it reads them by their luminance, so a defect of colour alone
    /// (a hue shift at the same brightness) is invisible to it (a walkthrough's grey model passed 12 of 12 such defects, which
    /// its colour twin found). A note, not a warning: a model trained in grey on a colour camera's files on purpose reads them
    /// so at every run, and said once at training (<see cref="TrainingNotes"/>) it is not said to whoever runs the model later.
    /// </summary>
    /// <param name="headers">The readable files' headers, in the order of <paramref name="paths"/>.</param>
    /// <param name="paths">The readable files: colour files whose pixels are all grey (a grey camera's, saved as RGB) say nothing.</param>
    public static string? ColourForGreyModel(IReadOnlyList<ImageHeader> headers, IReadOnlyList<string> paths, int modelChannels)
    {
        int colour = modelChannels == 1 ? headers.Count(h => !h.StoresGray) : 0;
        int count = paths.Count;
        return colour == 0 || !HoldColour(ColourFiles(headers, paths)) ? null
            : $"{colour} of {count} images are colour files, and this model reads grey (it was trained with 1 channel): it reads them " +
              "by their luminance, so a defect of colour alone is invisible to it.";
    }

    /// <summary>What the training files' headers say, in one pass; files that cannot be read are left out (the training
    /// reads every file itself and names a bad one).</summary>
    public static IReadOnlyList<ImageHeader> Headers(IReadOnlyList<string> paths) => [.. HeadersOf(paths).OfType<ImageHeader>()];

    /// <summary>What each file's header says, in the files' order: null where it cannot be read.</summary>
    public static IReadOnlyList<ImageHeader?> HeadersOf(IReadOnlyList<string> paths) => [.. paths.Select(ImageFile.ReadHeader)];

    /// <summary>
    /// Every file's header, read once before anything is scored, and the files that cannot be used: those whose header
    /// cannot be read (empty, not an image, a dangling link), named as decoding them names them, and those under 8 x 8.
    /// A bad file last in a folder of thousands is then refused in a second, not after all the others were scored.
    /// </summary>
    /// <param name="tiles">The model's tiles and whether it reads files upright: an image too small to cut into them is
    /// unusable too; null for a model of whole images.</param>
    public static (IReadOnlyList<ImageHeader> Headers, List<UnusableFile> Unusable) ReadHeaders(IReadOnlyList<string> paths, long maxPixels,
        (SSM.Core.Data.TileGrid? Tiles, bool Upright)? tiles = null)
    {
        var headers = new List<ImageHeader>(paths.Count);
        var unusable = new List<UnusableFile>();
        foreach (string path in paths)
        {
            if (ImageFile.ReadHeader(path) is not { } header) unusable.AddRange(Unusable([path]));   // decoding says why
            else if (SSM.Core.Data.ImageCache.SizeProblem($"'{path}'", (header.Width, header.Height)) is { } small) unusable.Add(new(path, small));
            else if (tiles is { } t && TooSmallForTiles(path, header, t.Tiles, t.Upright) is { } tooSmall) unusable.Add(new(path, tooSmall));
            else if (TooLarge(path, header, maxPixels) is { } large) unusable.Add(new(path, large));
            else headers.Add(header);
        }
        return (headers, unusable);
    }

    /// <summary>Why an image of <paramref name="header"/>'s size cannot be cut into <paramref name="tiles"/> (a tile would be
    /// under 8 x 8 of its pixels); null when it can, or without tiles. Said before scoring: the model would fail on it there,
    /// after the images before it.</summary>
    public static string? TooSmallForTiles(string path, ImageHeader header, SSM.Core.Data.TileGrid? tiles, bool upright)
    {
        var size = header.Turned && upright ? (header.Height, header.Width) : (header.Width, header.Height);
        return tiles?.SizeProblem($"'{path}'", size);
    }

    /// <summary>Why an image of <paramref name="header"/>'s size is not read (more than <paramref name="maxPixels"/>); null
    /// when it is. A 1 MB PNG can declare 20000 x 20000 and take gigabytes to decode: a file from a camera that large is rare,
    /// and from anywhere else may be built to do that.</summary>
    public static string? TooLarge(string path, ImageHeader header, long maxPixels) =>
        maxPixels > 0 && (long)header.Width * header.Height > maxPixels
            ? $"'{path}' is {Megapixels((long)header.Width * header.Height)} megapixels ({header.Width} x {header.Height}), more than the " +
              $"{Megapixels(maxPixels)} ssm reads: give --max-megapixels {Math.Ceiling((double)header.Width * header.Height / 1e6).ToString(System.Globalization.CultureInfo.InvariantCulture)} (or 0, no limit) if it is meant to be read"
            : null;

    private static string Megapixels(long pixels) => SSM.MLNet.SsmInput.Megapixels(pixels);

    /// <summary>The training images larger than <paramref name="maxPixels"/>, refused before anything is decoded.</summary>
    /// <exception cref="CliException">Some are: all of them listed.</exception>
    public static void RefuseTooLarge(IReadOnlyList<string> paths, IReadOnlyList<ImageHeader?> headers, long maxPixels, string what)
    {
        var large = paths.Select((p, i) => (Path: p, Problem: headers[i] is { } h ? TooLarge(p, h, maxPixels) : null))
            .Where(f => f.Problem is not null).Select(f => new UnusableFile(f.Path, f.Problem!)).ToList();
        if (large.Count > 0) throw UnusableError(large, paths.Count, what: what);
    }

    /// <summary>
    /// A line about files that hold several images (a DICOM cine loop or enhanced CT, a TIFF stack, an animated WebP), of
    /// which every reader takes the first; null when there are none. Said, not refused: a stack's first slice may be what
    /// was meant, but the others must not vanish unmentioned.
    /// </summary>
    public static string? SeveralFrames(IReadOnlyList<ImageHeader> headers, int count)
    {
        var several = headers.Where(h => h.Frames > 1).ToList();
        if (several.Count == 0) return null;
        int most = several.Max(h => h.Frames);
        return $"{several.Count} of {count} images are files of several frames or pages (up to {most}{(most >= ImageHeader.MaxFramesCounted ? " or more" : "")}): " +
               "only the first of each is read. To use the others, write each frame as an image of its own.";
    }

    /// <summary>
    /// What <c>--channels auto</c> trains with: colour when every training image is a colour file and one at least of the
    /// first <see cref="ColourLooked"/> holds colour (<see cref="ImageFile.HoldsColour(string)"/>); grey when any is a grey
    /// file (a grey image read as colour is three equal channels a colour model was not trained on), and when those files'
    /// pixels are all grey: a grey camera's images saved as RGB, as many tools do, would otherwise train a colour model that
    /// flags the same camera's grey files.
    /// </summary>
    /// <param name="headers">The readable training files' headers.</param>
    /// <param name="paths">The training files: looked at in order until one holds colour (the first, in a colour folder).</param>
    public static int ChannelsOf(IReadOnlyList<ImageHeader> headers, IReadOnlyList<string> paths)
    {
        if (headers.Count == 0 || headers.Any(h => h.StoresGray)) return 1;
        return HoldColour(paths) ? 3 : 1;
    }

    /// <summary>The colour files by their headers (aligned with <paramref name="paths"/>).</summary>
    private static IEnumerable<string> ColourFiles(IReadOnlyList<ImageHeader> headers, IReadOnlyList<string> paths) =>
        paths.Where((_, i) => i < headers.Count && !headers[i].StoresGray);

    /// <summary>How many files are decoded to see whether colour files hold colour.</summary>
    public const int ColourLooked = 16;

    /// <summary>Whether one of the first <see cref="ColourLooked"/> colour files among <paramref name="paths"/> holds colour.</summary>
    public static bool HoldColour(IEnumerable<string> paths) => paths.Take(ColourLooked).Any(ImageFile.HoldsColour);

    /// <summary>
    /// The warning for a folder of colour files with grey ones among them, which <c>--channels auto</c> trains in grey: a
    /// defect of colour alone (a hue shift at the same brightness) is then invisible to the model (a walkthrough's one grey
    /// file among 48 colour ones: 8 of 8 such defects found in colour, 0 in grey). Names the grey files; null without a mix.
    /// </summary>
    /// <param name="headers">Each path's header, null where it cannot be read.</param>
    public static string? GreyAmongColour(IReadOnlyList<string> paths, IReadOnlyList<ImageHeader?> headers)
    {
        var grey = paths.Where((_, i) => headers[i] is { StoresGray: true }).ToList();
        int colour = headers.Count(h => h is { StoresGray: false });
        if (grey.Count == 0 || colour == 0) return null;
        string names = string.Join(", ", grey.Take(5).Select(Path.GetFileName)) + (grey.Count > 5 ? $", and {grey.Count - 5} more" : "");
        return $"{grey.Count} of {paths.Count} images are grey files ({names}) and {colour} colour: --channels auto trains in grey, reading " +
               "the colour files by their luminance, so a defect of colour alone goes unseen. Remove the grey files, or give --channels 3 " +
               "to train in colour (grey files then read as three equal channels), or --channels 1 to say grey is meant.";
    }

    /// <summary>
    /// Lines about the training files: which channels <c>--channels auto</c> chose, or how many colour files a grey model
    /// reads as grey; how many images are smaller than the model's side, which enlarges them, and a smaller
    /// <c>--image-size</c> when every one is (a folder of 32 x 32 crops trained at 64 is four times the work for no detail).
    /// </summary>
    /// <param name="count">How many training files there are (headers of unreadable ones are missing).</param>
    /// <param name="auto">Whether <paramref name="channels"/> was chosen by <see cref="ChannelsOf"/>.</param>
    /// <param name="sizeMultiple">What the image size must be a multiple of (2^(depth-1)).</param>
    /// <param name="tiles">The tiles each image is cut into: the model reads Columns x imageSize by Rows x imageSize.</param>
    public static IEnumerable<string> TrainingNotes(IReadOnlyList<ImageHeader> headers, int count, int channels, bool auto, int imageSize, int sizeMultiple,
        SSM.Core.Data.TileGrid tiles)
    {
        if (SeveralFrames(headers, count) is { } frames) yield return frames;
        int colour = headers.Count(h => !h.StoresGray);
        if (auto && channels == 3)
            yield return $"All {count} images are colour files: training in colour (--channels auto); --channels 1 would read them as grey.";
        else if (auto && colour == count && count > 0)
            yield return $"All {count} images are colour files whose pixels are grey (R = G = B): training in grey (--channels auto); " +
                         "--channels 3 would read them as colour.";
        else if (colour > 0 && channels == 1 && !auto)   // auto's mix is a warning (GreyAmongColour)
            yield return $"{colour} of {count} images are colour files: --channels 1 reads them as grey, by their luminance; --channels 3 keeps colour.";
        // Images shrunk or squashed to the model's shape are the model's warnings (ResizeWarnings), said once read.
        var (readWidth, readHeight) = tiles.ReadSize(imageSize);
        string read = SSM.MLNet.ResizeWarnings.Read(tiles, imageSize);
        // Images under the engine's minimum are refused when read, with their own message: not "enlarged" first.
        var smaller = headers.Where(h => h.Width < readWidth && h.Height < readHeight
                                         && Math.Min(h.Width, h.Height) >= SSM.Core.Data.ImageCache.MinimumSide).ToList();
        if (smaller.Count == 0) yield break;
        var smallest = smaller.MinBy(h => h.Width * h.Height);
        string note = $"{smaller.Count} of {count} images are smaller than {read} (the smallest {smallest.Width} x {smallest.Height}) " +
                      "and are enlarged to it, which adds no detail";
        int largest = headers.Max(h => Math.Max(h.Width, h.Height));
        int fitting = Math.Max(8, (largest + sizeMultiple - 1) / sizeMultiple * sizeMultiple);
        yield return smaller.Count == count && fitting < imageSize && tiles.Count == 1
            ? $"{note}: --image-size {fitting} trains on them at their own size, with {(double)imageSize * imageSize / (fitting * fitting):0.#} times fewer pixels."
            : $"{note}.";
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

    /// <summary>
    /// After a model failed on its input (<paramref name="failure"/>): decodes <paramref name="paths"/> from index
    /// <paramref name="from"/> on, as the model does, and returns a <see cref="CliException"/> listing every file that cannot be
    /// used (unreadable, corrupt, truncated, smaller than 8x8), or null when every file is fine (the failure was something else).
    /// <paramref name="what"/> names the files in the message ("training images").
    /// Runs only on that failure path, so a good input is decoded once, by the model.
    /// </summary>
    public static CliException? FindUnusable(IReadOnlyList<string> paths, Exception failure, int from = 0, string what = "images") =>
        Unusable(paths, from) is { Count: > 0 } problems ? UnusableError(problems, paths.Count, failure, what) : null;

    /// <summary>The files of <paramref name="paths"/> from index <paramref name="from"/> on that cannot be used, each with why.</summary>
    public static List<UnusableFile> Unusable(IReadOnlyList<string> paths, int from = 0)
    {
        var problems = new List<UnusableFile>();
        for (int i = Math.Max(0, from); i < paths.Count; i++)
        {
            try
            {
                // Read as the models read files (row by row to a small size), so a large image costs no full-size floats here.
                const int side = SSM.Core.Data.ImageCache.MinimumSide;
                var size = ImageFile.LoadResized(paths[i], 1, side, side).SourceSize;
                if (SSM.Core.Data.ImageCache.SizeProblem($"'{paths[i]}'", size) is { } small) problems.Add(new(paths[i], small));
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                problems.Add(new(paths[i], Describe(ex, paths[i])));
            }
        }
        return problems;
    }

    /// <summary>The error that lists <paramref name="problems"/> among <paramref name="total"/> files.</summary>
    public static CliException UnusableError(IReadOnlyList<UnusableFile> problems, int total, Exception? failure = null, string what = "images",
        string? hint = null) =>
        new(List($"{problems.Count} of {total} {what} cannot be read", [.. problems.Select(p => p.Problem)]) +
            (hint is null ? "" : Environment.NewLine + "  " + hint), failure);

    /// <summary>The exception's message, prefixed with the file when it does not name it already.</summary>
    private static string Describe(Exception ex, string path, string? otherPath = null) =>
        ex.Message.Contains(path, StringComparison.Ordinal) || (otherPath is not null && ex.Message.Contains(otherPath, StringComparison.Ordinal))
            ? ex.Message
            : $"'{path}': {ex.Message}";

    /// <summary>"headline:" and one indented line per problem (at most <see cref="MaxListed"/>).</summary>
    private static string List(string headline, List<string> problems)
    {
        var lines = problems.Take(MaxListed).Select(p => "  " + p).ToList();
        if (problems.Count > MaxListed) lines.Add($"  ... and {problems.Count - MaxListed} more");
        return headline + ":" + Environment.NewLine + string.Join(Environment.NewLine, lines);
    }
}

/// <summary>An input file a model cannot use, and why (a sentence that names the file).</summary>
public sealed record UnusableFile(string Path, string Problem);
