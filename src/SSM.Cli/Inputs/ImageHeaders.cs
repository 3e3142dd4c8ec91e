using SSM.Core.Data;

namespace SSM.Cli.Inputs;

/// <summary>
/// What the files' headers say about how a model will read them (channels, sizes, frames, orientation, the pixel limit),
/// read before anything is trained or scored; nothing is decoded but a few colour files, to see whether they hold colour.
/// </summary>
public static class ImageHeaders
{
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
            warnings.Write($"{colourFiles.Count} of {paths.Count} images are colour files whose pixels are grey (" +
                           $"{(colourFiles.Count > ColourLooked ? $"the first {ColourLooked}" : "each")} looked at: a grey camera's images saved as colour?), and this model " +
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
            if (ImageFile.ReadHeader(path) is not { } header) unusable.AddRange(UnusableFiles.Among([path]));   // decoding says why
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
    /// <param name="upright">Whether the model turns files upright: the header's size is as shown, and a model that reads
    /// files as stored cuts a turned photo's stored pixels (the sides swapped, after a quarter turn).</param>
    public static string? TooSmallForTiles(string path, ImageHeader header, SSM.Core.Data.TileGrid? tiles, bool upright)
    {
        if (tiles is null) return null;
        var size = header.Turned && !upright ? ImageFile.ReadSize(path, upright: false) : (header.Width, header.Height);
        return tiles.SizeProblem($"'{path}'", size);
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
        if (large.Count > 0) throw UnusableFiles.Error(large, paths.Count, what: what);
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
    /// reads as grey, or grey files a colour one reads as three equal channels; how many images are smaller than the model's
    /// side, which enlarges them, and a smaller <c>--image-size</c> when every one is (a folder of 32 x 32 crops trained at 64
    /// is four times the work for no detail).
    /// </summary>
    /// <param name="count">How many training files there are (headers of unreadable ones are missing).</param>
    /// <param name="auto">Whether <paramref name="channels"/> was chosen by <see cref="ChannelsOf"/>.</param>
    /// <param name="sizeMultiple">What the image size must be a multiple of (2^(depth-1)).</param>
    /// <param name="tiles">The tiles each image is cut into: the model reads Columns x imageSize by Rows x imageSize.</param>
    /// <param name="fineTuning">Whether a model is fine-tuned (<c>--from</c>), whose channels are its own: the model warns of
    /// colour files for a grey model itself, in terms that fit (<c>--channels</c> cannot go with <c>--from</c>).</param>
    public static IEnumerable<string> TrainingNotes(IReadOnlyList<ImageHeader> headers, int count, int channels, bool auto, int imageSize, int sizeMultiple,
        SSM.Core.Data.TileGrid tiles, bool fineTuning = false)
    {
        if (SeveralFrames(headers, count) is { } frames) yield return frames;
        int colour = headers.Count(h => !h.StoresGray);
        if (auto && channels == 3)
            yield return $"All {count} images are colour files: training in colour (--channels auto); --channels 1 would read them as grey.";
        else if (auto && colour == count && count > 0)
            yield return $"All {count} images are colour files whose pixels are grey (R = G = B): training in grey (--channels auto); " +
                         "--channels 3 would read them as colour.";
        else if (colour > 0 && channels == 1 && !auto && !fineTuning)   // auto's mix is a warning (GreyAmongColour); a fine-tuning's the model's
            yield return $"{colour} of {count} images are colour files: --channels 1 reads them as grey, by their luminance; --channels 3 keeps colour.";
        else if (headers.Count - colour is > 0 and var grey && channels == 3 && !auto && !fineTuning)
            // A grey file read in colour is three equal channels: a folder of them trains a colour model that has seen no colour.
            yield return grey == count
                ? $"All {count} images are grey files: --channels 3 reads each as three equal channels, so the model learns no colour; --channels 1 reads them as grey."
                : $"{grey} of {count} images are grey files: --channels 3 reads each as three equal channels.";
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
}
