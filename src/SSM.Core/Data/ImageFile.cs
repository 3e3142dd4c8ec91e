using System.Runtime.InteropServices;
using SkiaSharp;
using SSM.Core.Data.Dicom;

namespace SSM.Core.Data;

/// <summary>
/// Reads and writes image files (PNG, JPEG, BMP, WebP: anything SkiaSharp decodes; TIFF through <see cref="TiffFile"/>,
/// DICOM through <see cref="DicomFile"/>) as <see cref="FloatImage"/>.
/// </summary>
public static class ImageFile
{
    /// <summary>
    /// Decodes an image file into values in [0, 1].
    /// </summary>
    /// <param name="path">A PNG, JPEG, BMP, WebP, TIFF, JPEG 2000 or DICOM file.</param>
    /// <param name="channels">
    /// 1 or 3 to force grayscale (BT.601 luminance) or RGB; null keeps the file's nature:
    /// grayscale when every pixel has R == G == B (which covers grayscale files), RGB otherwise.
    /// </param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image (corrupt, truncated, other format).</exception>
    /// <remarks>
    /// Pixels come as shown: turned or mirrored by the file's EXIF orientation (a phone's portrait photo is stored sideways
    /// with a tag), as photo viewers do. Transparent pixels come as shown over black (premultiplied by alpha, as ML.NET's
    /// <c>LoadImages</c> gives them): the colour a file keeps under them is invisible and decides nothing. 16-bit PNGs (scanners, medical exports) keep their full depth
    /// (<see cref="Png16"/>), where an 8-bit decode would leave a 12-bit scan 16 grey levels, and so do 16-bit TIFFs (cameras,
    /// microscopes; <see cref="TiffFile"/>). DICOM files give their first frame as a viewer shows it, through the file's
    /// rescale and first window, at full depth (<see cref="DicomFile"/>), and JPEG 2000 files at theirs (<see cref="Jpeg2000File"/>).
    /// Other files are 8-bit.
    /// </remarks>
    /// <param name="upright">Turn the pixels by the file's EXIF orientation (the default); false reads them as stored, as
    /// ML.NET's <c>LoadImages</c> does and as models saved before 2026-12-01 read their files.</param>
    public static FloatImage Load(string path, int? channels = null, bool upright = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (channels is not (null or 1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be null (as in the file), 1 or 3.");
        return FromBytes(ReadBytes(path), Quoted(path), channels, upright);
    }

    /// <summary>
    /// Loads a ground-truth mask as a 1-channel image of exactly 0 and 1 (<see cref="MarkDefects"/>: white = defect, or,
    /// in a label image of 0/1 values, every non-zero pixel).
    /// </summary>
    /// <inheritdoc cref="Load" path="/exception"/>
    public static FloatImage LoadMask(string path)
    {
        FloatImage mask = Load(path, channels: 1);
        MarkDefects(mask.Pixels);
        return mask;
    }

    /// <summary>
    /// Turns a mask's luminance values (0 to 1) into exactly 0 and 1: 1 above one half (white on black, as MVTec AD draws
    /// its masks; the grey edges of a resized or JPEG mask fall either side). A mask with no pixel above one half but some
    /// above zero is a label image (0/1 or class indices, as many tools save masks, or a dark colour such as pure red at
    /// luminance 0.3): every non-zero pixel is a defect there, as in MVTec AD's evaluation code, instead of none.
    /// </summary>
    public static void MarkDefects(Span<float> mask)
    {
        float brightest = 0;
        foreach (float v in mask) brightest = Math.Max(brightest, v);
        float above = brightest > 0.5f ? 0.5f : 0f;
        for (int i = 0; i < mask.Length; i++) mask[i] = mask[i] > above ? 1f : 0f;
    }

    /// <summary>
    /// Writes <paramref name="image"/> as an 8-bit PNG (<see cref="EncodePng"/>), creating the parent folder if needed.
    /// </summary>
    public static void Save(FloatImage image, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] png = EncodePng(image);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        File.WriteAllBytes(path, png);
    }

    /// <summary>
    /// <paramref name="image"/> as the bytes of an 8-bit PNG (grayscale for 1 channel, RGB for 3). Values are clamped to
    /// [0, 1] and rounded to the nearest of 256 levels.
    /// </summary>
    public static byte[] EncodePng(FloatImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width, h = image.Height, plane = w * h;
        float[] src = image.Pixels;
        SKImageInfo info;
        byte[] bytes;
        if (image.Channels == 1)
        {
            info = new SKImageInfo(w, h, SKColorType.Gray8, SKAlphaType.Opaque);
            bytes = new byte[plane];
            for (int i = 0; i < plane; i++) bytes[i] = ToByte(src[i]);
        }
        else
        {
            info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
            bytes = new byte[plane * 4];
            for (int i = 0; i < plane; i++)
            {
                bytes[4 * i] = ToByte(src[i]);
                bytes[4 * i + 1] = ToByte(src[plane + i]);
                bytes[4 * i + 2] = ToByte(src[2 * plane + i]);
                bytes[4 * i + 3] = 255;
            }
        }

        return Encode(info, bytes);
    }

    /// <summary>
    /// 8-bit grey levels (<paramref name="width"/> x <paramref name="height"/>, row-major) as the bytes of a grayscale PNG,
    /// without a float image between: a predicted mask of a 64-megapixel scan is 64 MB here, 320 MB through
    /// <see cref="EncodePng"/>.
    /// </summary>
    public static byte[] EncodeGrayPng(byte[] levels, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(levels);
        if (levels.Length != (long)width * height)
            throw new ArgumentException($"{width}x{height} needs {(long)width * height} levels, got {levels.Length}.", nameof(levels));
        return Encode(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque), levels);
    }

    private static byte[] Encode(SKImageInfo info, byte[] bytes)
    {
        int w = info.Width, h = info.Height;
        var pinned = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        try
        {
            using var pixmap = new SKPixmap(info, pinned.AddrOfPinnedObject());
            // zlib level 3, not Skia's 6: a 512 x 384 photo's heat map encodes 4x faster (16 ms against 63) and is 5 % larger.
            using SKData data = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, zLibLevel: 3))
                ?? throw new InvalidOperationException($"SkiaSharp could not encode a {w}x{h} image as PNG.");
            return data.ToArray();
        }
        finally { pinned.Free(); }
    }

    /// <summary>The width and height of an image file as shown (after its EXIF orientation), read from its header; nothing is decoded.</summary>
    /// <inheritdoc cref="Load" path="/exception"/>
    /// <param name="path">The image file.</param>
    /// <param name="upright">As <see cref="Load"/>'s: false gives the stored size.</param>
    public static (int Width, int Height) ReadSize(string path, bool upright = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var file = OpenRead(path);
        var start = Start(file, stackalloc byte[HeaderBytes]);
        var own = OwnHeader(file, start, upright, countPages: false, out bool ours);
        if (ours) return SizeOf(own, Quoted(path));
        var png = PngExif.Origin(file);   // before the codec reads the stream
        using var codec = SKCodec.Create(file)
            ?? throw new InvalidDataException(SkiaDecoder.NotAnImage(Quoted(path)));
        return ExifOrientation.Shown(upright ? PngExif.Combined(codec, png) : SKEncodedOrigin.TopLeft, codec.Info.Width, codec.Info.Height);
    }

    /// <summary>Whether an image file carries an EXIF orientation that turns or mirrors it (false when it has none, or is
    /// no image this reader knows).</summary>
    public static bool IsTurned(string path) => ReadHeader(path)?.Turned ?? false;

    /// <summary>
    /// Whether an image file stores grey levels only, as its header says (a grayscale PNG or TIFF at any depth, a grayscale JPEG, a MONOCHROME DICOM);
    /// null when it is no image this reader knows. A colour file whose pixels all happen to be grey says false: the header
    /// is all that is read.
    /// </summary>
    public static bool? StoresGray(string path) => ReadHeader(path)?.StoresGray;

    /// <summary>
    /// What an image file's header says (<see cref="ImageHeader"/>), the file opened once and nothing decoded; null when it
    /// cannot be read or is no image this reader knows. For notes about a whole folder: reading the images reports the
    /// problems of a bad file.
    /// </summary>
    public static ImageHeader? ReadHeader(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var file = SSM.Core.IO.InputFile.OpenWithBytes(path);
            return file is null ? null : ReadHeader(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException) { return null; }
    }

    /// <summary>As <see cref="ReadHeader(string)"/>, of an image file's bytes (an upload, a blob).</summary>
    public static ImageHeader? ReadHeader(byte[] encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        try { return ReadHeader(new MemoryStream(encoded, writable: false)); }
        catch (IOException) { return null; }
    }

    /// <summary>
    /// Whether an image file holds colour: a colour file (by its header) with a pixel whose channels differ, looked for at
    /// <see cref="ColourCheckSide"/> px (the area filter keeps equal channels equal, so a grey camera's images saved as RGB
    /// hold none, and a large photo is not decoded to floats whole). False when the file cannot be read.
    /// </summary>
    public static bool HoldsColour(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (ReadHeader(path) is not { StoresGray: false }) return false;
        try { return HasColour(LoadResized(path, 3, ColourCheckSide, ColourCheckSide)); }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or NotSupportedException) { return false; }
    }

    /// <summary>As <see cref="HoldsColour(string)"/>, of an image file's bytes (an upload, a blob).</summary>
    public static bool HoldsColour(byte[] encoded)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        if (ReadHeader(encoded) is not { StoresGray: false }) return false;
        try { return HasColour(DecodeResized(encoded, 3, ColourCheckSide, ColourCheckSide)); }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or NotSupportedException) { return false; }
    }

    /// <summary>The side <see cref="HoldsColour(string)"/> looks at.</summary>
    public const int ColourCheckSide = 64;

    private static bool HasColour(FloatImage image)
    {
        var p = image.Pixels;
        int plane = image.Height * image.Width;
        for (int i = 0; i < plane; i++)
            if (p[i] != p[plane + i] || p[i] != p[2 * plane + i]) return true;
        return false;
    }

    private static ImageHeader? ReadHeader(Stream file)
    {
        var start = Start(file, stackalloc byte[HeaderBytes]);
        var own = OwnHeader(file, start, upright: true, countPages: true, out bool ours);
        if (ours) return own;
        // Skia reports a 16-bit grey PNG by the colour type it would decode it to, so the PNG header says it first.
        bool grayPng = Png16.IsGrayPng(start);
        var png = PngExif.Origin(file);   // before the codec reads the stream
        using var codec = SKCodec.Create(file);
        if (codec is null) return null;
        var origin = PngExif.Combined(codec, png);
        var (width, height) = ExifOrientation.Shown(origin, codec.Info.Width, codec.Info.Height);
        return new ImageHeader(width, height, grayPng || codec.Info.ColorType == SKColorType.Gray8,
            !ExifOrientation.IsUpright(origin), ImageHeader.Counted(codec.FrameCount));
    }

    /// <summary>The width and height of an image file's bytes as shown (after its EXIF orientation), read from its header; nothing is decoded.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a decodable image.</exception>
    /// <param name="encoded">The whole image file.</param>
    /// <param name="upright">As <see cref="Load"/>'s: false gives the stored size.</param>
    public static (int Width, int Height) ReadSize(byte[] encoded, bool upright = true)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        var own = OwnHeader(new MemoryStream(encoded, writable: false), encoded, upright, countPages: false, out bool ours);
        if (ours) return SizeOf(own, EncodedSubject);
        using var decoder = new SkiaDecoder(encoded, EncodedSubject);
        return ExifOrientation.Shown(decoder.Origin(upright), decoder.Codec.Info.Width, decoder.Codec.Info.Height);
    }

    /// <summary>
    /// <see cref="ImageResize.Resize"/> of <see cref="Load"/>, to the last bit, without the full-size float image: rows are
    /// converted and resampled one at a time, straight from the decoder where it streams (JPEG), else from the decoded
    /// 8-bit pixels. An 8000 x 8000 colour PNG costs its 256 MB of decoded pixels instead of 1 GB (a grayscale one 64 MB),
    /// a JPEG a few rows.
    /// 16-bit PNGs, TIFFs and DICOM files are loaded whole and resized; files an EXIF orientation turns are decoded whole (8-bit) and
    /// turned first. The result's <see cref="FloatImage.SourceSize"/> is the file's size (as shown).
    /// </summary>
    /// <param name="path">A PNG, JPEG, BMP, WebP, TIFF, JPEG 2000 or DICOM file.</param>
    /// <param name="channels">1 (BT.601 luminance) or 3 (RGB).</param>
    /// <param name="height">Height of the result.</param>
    /// <param name="width">Width of the result.</param>
    /// <param name="upright">As <see cref="Load"/>'s.</param>
    /// <inheritdoc cref="Load" path="/exception"/>
    public static FloatImage LoadResized(string path, int channels, int height, int width, bool upright = true)
    {
        ArgumentNullException.ThrowIfNull(path);
        CheckChannels(channels);
        return Resized(ReadBytes(path), Quoted(path), channels, height, width, upright);
    }

    /// <summary>
    /// <see cref="LoadResized"/> of an image file's bytes already in memory (an upload, a database blob), as strictly: a
    /// truncated or corrupt image is refused, never partly decoded.
    /// </summary>
    /// <param name="encoded">The whole file: PNG, JPEG, BMP, WebP, TIFF, JPEG 2000 or DICOM.</param>
    /// <param name="channels">1 (BT.601 luminance) or 3 (RGB).</param>
    /// <param name="height">Height of the result.</param>
    /// <param name="width">Width of the result.</param>
    /// <param name="upright">As <see cref="Load"/>'s.</param>
    /// <exception cref="InvalidDataException">The bytes are not a decodable image (corrupt, truncated, other format).</exception>
    public static FloatImage DecodeResized(byte[] encoded, int channels, int height, int width, bool upright = true)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        CheckChannels(channels);
        return Resized(encoded, EncodedSubject, channels, height, width, upright);
    }

    private static void CheckChannels(int channels)
    {
        if (channels is not (1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be 1 or 3.");
    }

    /// <summary>What messages call an image given as bytes.</summary>
    private const string EncodedSubject = "the image data";

    /// <summary>A path as messages name it.</summary>
    private static string Quoted(string path) => $"'{path}'";

    private static FloatImage Resized(byte[] file, string subject, int channels, int height, int width, bool upright)
    {
        if (Png16.IsSixteenBit(file) || IsDecodedHere(file)) return ImageResize.Resize(FromBytes(file, subject, channels, upright), height, width);
        using var decoder = new SkiaDecoder(file, subject);
        var info = SkiaDecoder.TargetInfo(decoder.Codec);
        var origin = decoder.Origin(upright);
        // A turned photo's rows are the shown image's columns: it is decoded whole and turned first.
        if (ExifOrientation.IsUpright(origin) && decoder.Codec.StartScanlineDecode(info) == SKCodecResult.Success
            && decoder.Codec.ScanlineOrder == SKCodecScanlineOrder.TopDown)
            return Scanlines(decoder.Codec, info, subject, channels, height, width);
        var decoded = decoder.DecodeAll().Upright(origin);
        var resampler = new ImageResize.RowResampler(channels, decoded.Height, decoded.Width, height, width);
        var row = new float[decoded.Width];
        for (int y = 0; y < decoded.Height; y++) AddRow(resampler, decoded.Row(y), decoded.BytesPerPixel, row);
        return resampler.Result();
    }

    // Reading the bytes ourselves lets IO errors (permissions, locks) surface as themselves instead of looking like an
    // undecodable file.
    private static byte[] ReadBytes(string path)
    {
        using var file = OpenRead(path);
        if (file.Length > Array.MaxLength) throw new IOException($"'{path}' is {file.Length:N0} bytes: too large to read as one image file.");
        var bytes = new byte[file.Length];
        file.ReadExactly(bytes);
        return bytes;
    }

    private static FileStream OpenRead(string path)
    {
        if (!File.Exists(path)) throw Missing(path);
        FileStream? file;
        try { file = SSM.Core.IO.InputFile.OpenWithBytes(path); }
        catch (FileNotFoundException) { throw Missing(path); }   // a link whose target is gone passes File.Exists
        if (file is null) throw new InvalidDataException($"{Quoted(path)} is empty (0 bytes), not an image.");
        if (file.CanSeek) return file;
        file.Dispose();
        throw new InvalidDataException($"{Quoted(path)} is a stream (a pipe or a device), not an image file.");
    }

    /// <summary>A path that is no file: a folder given for a file is said to be one, and a link whose target is gone to be
    /// such a link, not to be missing.</summary>
    private static FileNotFoundException Missing(string path) => new(
        Directory.Exists(path) ? $"'{path}' is a folder, not an image file."
        : LinkTarget(path) is { } target ? $"'{path}' is a link to '{target}', which does not exist."
        // .NET reads a name that is not UTF-8 (an old Windows archive's, a share's) with U+FFFD in it, and cannot open it so.
        : path.Contains('\uFFFD') ? $"Image file '{path}' cannot be opened: its name is not valid UTF-8 (shown here with '\uFFFD' for the bytes that are not; copied from an old Windows archive or share?). Rename it."
        : $"Image file '{path}' does not exist.", path);

    private static string? LinkTarget(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException) { return null; }
    }

    /// <summary>The first bytes of an open file (fewer when it is shorter) in <paramref name="buffer"/>; the file is put back
    /// at its start for the decoder.</summary>
    private static ReadOnlySpan<byte> Start(Stream file, Span<byte> buffer)
    {
        var start = buffer[..file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)];
        file.Position = 0;
        return start;
    }

    /// <summary>How many of a file's first bytes tell its format: DICOM's "DICM" follows a 128-byte preamble (a DICOM
    /// data set without it shows in its first 8), and the others need fewer.</summary>
    private const int HeaderBytes = DicomFile.HeaderLength;

    /// <summary>
    /// The header of a file the library's own readers decode (<see cref="IsDecodedHere"/>), or null when it cannot be read;
    /// <paramref name="ours"/> false for the formats Skia reads. DICOM first: its preamble may itself start a TIFF (a
    /// "dual-personality" file), and the DICOM is the image meant.
    /// </summary>
    private static ImageHeader? OwnHeader(Stream file, ReadOnlySpan<byte> start, bool upright, bool countPages, out bool ours)
    {
        ours = true;
        if (DicomFile.Is(start)) return DicomFile.Header(file);
        if (TiffFile.Is(start)) return TiffFile.Header(file, upright, countPages);
        if (Jpeg2000File.Is(start)) return Jpeg2000File.Header(file);
        ours = false;
        return null;
    }

    /// <summary>The size an <see cref="OwnHeader"/> gives, refused as no image when the header cannot be read.</summary>
    private static (int Width, int Height) SizeOf(ImageHeader? header, string subject) =>
        header is { } h ? (h.Width, h.Height) : throw new InvalidDataException(SkiaDecoder.NotAnImage(subject));

    /// <summary>Whether the library's own readers decode the file, at full depth and whole (Skia decodes the rest).</summary>
    private static bool IsDecodedHere(byte[] file) => DicomFile.Is(file) || TiffFile.Is(file) || Jpeg2000File.Is(file);

    /// <summary>The samples of a file <see cref="IsDecodedHere"/>: DICOM first, as its preamble may itself start a TIFF.</summary>
    private static (float[] Samples, int Stride, int Width, int Height) DecodeHere(byte[] file, string subject, bool upright) =>
        DicomFile.Is(file) ? DicomFile.Read(file, subject)
        : TiffFile.Is(file) ? TiffFile.Read(file, subject, upright)
        : Jpeg2000File.Read(file, subject);

    private static FloatImage FromBytes(byte[] file, string subject, int? channels, bool upright)
    {
        if (IsDecodedHere(file))
        {
            var (samples, stride, w, h) = DecodeHere(file, subject, upright);
            return Deep(samples, stride, h, w, channels);
        }
        if (Png16.IsSixteenBit(file))
        {
            var (samples, stride, w, h) = Png16.Read(file, subject);
            var deep = Deep(samples, stride, h, w, channels);
            if (!upright) return deep;
            using var header = new SkiaDecoder(file, subject);   // for a PNG's eXIf chunk, read as for 8-bit PNGs
            return ExifOrientation.Upright(deep, header.Origin(upright));
        }
        SkiaDecoder.Decoded decoded;
        using (var decoder = new SkiaDecoder(file, subject)) decoded = decoder.DecodeAll().Upright(decoder.Origin(upright));
        int width = decoded.Width, height = decoded.Height, outChannels = channels ?? (decoded.IsGray() ? 1 : 3);
        var image = new FloatImage(outChannels, height, width);
        int plane = height * width;
        for (int y = 0; y < height; y++)
            for (int c = 0; c < outChannels; c++)
                ConvertRow(decoded.Row(y), decoded.BytesPerPixel, outChannels, c, image.Pixels.AsSpan(c * plane + y * width, width));
        return image;
    }

    private static FloatImage Scanlines(SKCodec codec, SKImageInfo info, string subject, int channels, int height, int width)
    {
        var resampler = new ImageResize.RowResampler(channels, info.Height, info.Width, height, width);
        var line = new byte[info.RowBytes];
        var row = new float[info.Width];
        var pinned = GCHandle.Alloc(line, GCHandleType.Pinned);
        try
        {
            for (int y = 0; y < info.Height; y++)
            {
                // Fewer lines than asked for means a truncated file: never resample Skia's zero fill.
                if (codec.GetScanlines(pinned.AddrOfPinnedObject(), 1, info.RowBytes) != 1)
                    throw new InvalidDataException($"{subject} could not be fully decoded (row {y} of {info.Height}); the file is corrupt or truncated.");
                AddRow(resampler, line, info.BytesPerPixel, row);
            }
        }
        finally
        {
            pinned.Free();
        }
        return resampler.Result();
    }

    private static void AddRow(ImageResize.RowResampler resampler, ReadOnlySpan<byte> line, int bytesPerPixel, float[] row)
    {
        for (int c = 0; c < resampler.Channels; c++)
        {
            ConvertRow(line, bytesPerPixel, resampler.Channels, c, row);
            resampler.Add(c, row);
        }
    }

    /// <summary>Channel <paramref name="channel"/> of one row as floats: R, G or B, or their luminance for 1 channel; a
    /// gray row (one byte per pixel) gives its values to every channel.</summary>
    private static void ConvertRow(ReadOnlySpan<byte> line, int bytesPerPixel, int channels, int channel, Span<float> row)
    {
        if (bytesPerPixel == 1)
        {
            for (int x = 0; x < row.Length; x++) row[x] = line[x] / 255f;
            return;
        }
        for (int x = 0, j = 0; x < row.Length; x++, j += 4)
        {
            if (channels == 3) { row[x] = line[j + channel] / 255f; continue; }
            row[x] = Luminance.Of(line[j], line[j + 1], line[j + 2]);
        }
    }

    // The 16-bit path (16-bit PNGs, TIFFs, DICOM): the same conversions on interleaved samples in [0, 1], `stride` per pixel
    // (gray, gray + alpha, RGB, RGBA); the 8-bit ones above stay on bytes, exact and small.
    private static FloatImage Deep(float[] samples, int stride, int height, int width, int? channels)
    {
        if (stride is 2 or 4) OverBlack(samples, stride);
        return (channels ?? (IsGray(samples, stride) ? 1 : 3)) == 1 ? ToGray(samples, stride, height, width) : ToRgb(samples, stride, height, width);
    }

    // Transparent pixels as shown over black, as Skia's premultiplied 8-bit decode and ML.NET's LoadImages give them: the
    // colour a file keeps under a transparent pixel is invisible, and must not decide a score.
    private static void OverBlack(float[] samples, int stride)
    {
        for (int j = 0; j < samples.Length; j += stride)
        {
            float alpha = samples[j + stride - 1];
            for (int c = 0; c < stride - 1; c++) samples[j + c] *= alpha;
        }
    }

    private static bool IsGray(float[] samples, int stride)
    {
        if (stride < 3) return true;
        for (int i = 0; i < samples.Length; i += stride)
            if (samples[i] != samples[i + 1] || samples[i] != samples[i + 2]) return false;
        return true;
    }

    private static FloatImage ToGray(float[] samples, int stride, int height, int width)
    {
        var pixels = new float[height * width];
        for (int i = 0, j = 0; i < pixels.Length; i++, j += stride)
        {
            if (stride < 3) { pixels[i] = samples[j]; continue; }
            pixels[i] = Luminance.Of(samples[j], samples[j + 1], samples[j + 2]);
        }
        return new FloatImage(1, height, width, pixels);
    }

    private static FloatImage ToRgb(float[] samples, int stride, int height, int width)
    {
        int plane = height * width;
        var pixels = new float[3 * plane];
        for (int i = 0, j = 0; i < plane; i++, j += stride)
            for (int c = 0; c < 3; c++)
                pixels[c * plane + i] = samples[j + (stride < 3 ? 0 : c)];
        return new FloatImage(3, height, width, pixels);
    }

    private static byte ToByte(float v) => (byte)MathF.Round(Math.Clamp(v, 0f, 1f) * 255f);
}
