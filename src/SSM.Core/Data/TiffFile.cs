using System.Buffers.Binary;
using BitMiracle.LibTiff.Classic;
using SkiaSharp;

namespace SSM.Core.Data;

/// <summary>
/// Reads TIFF files (BitMiracle.LibTiff.NET, managed code): machine-vision cameras, scanners and microscopes write them,
/// often with 16-bit grey levels, and SkiaSharp does not read them at all. The first page is read. Grey, grey + alpha,
/// RGB and RGBA images of 8- or 16-bit unsigned samples, in strips or tiles, interleaved or in separate planes, keep
/// their depth (unassociated alpha is returned for the caller to show the colours over black; associated alpha as opaque,
/// its colours being premultiplied already); other kinds (palettes, YCbCr, CMYK, 1- to 4-bit) come through LibTiff's
/// 8-bit RGBA conversion, which premultiplies unassociated alpha (returned as opaque); floating-point and 32-bit samples are refused. A file whose
/// data ends early or fails to decode is refused, never partly read.
/// </summary>
internal static class TiffFile
{
    /// <summary>Whether the bytes start a TIFF ("II*\0" or "MM\0*"; 43 for BigTIFF).</summary>
    public static bool Is(ReadOnlySpan<byte> file) => file.Length >= 4
        && ((file[0] == 'I' && file[1] == 'I' && file[2] is 42 or 43 && file[3] == 0)
            || (file[0] == 'M' && file[1] == 'M' && file[2] == 0 && file[3] is 42 or 43));

    /// <summary>
    /// The samples in [0, 1], pixel-interleaved, with their count per pixel (1 grey, 2 grey and alpha, 3 RGB, 4 RGBA), as
    /// shown when <paramref name="upright"/> (the Orientation tag, whose codes are EXIF's), else as stored. Grey stored
    /// as "0 is white" is turned round, so that 1 is always bright.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a readable TIFF, or its samples are of a kind not read here
    /// (named by <paramref name="name"/>).</exception>
    public static (float[] Samples, int Channels, int Width, int Height) Read(byte[] file, string name, bool upright)
    {
        try { return ReadPage(file, name, upright); }
        // LibTiff reports most damage by return values, but throws on some (offsets past the end, bad counts).
        catch (Exception e) when (e is not (InvalidDataException or OutOfMemoryException))
        {
            throw new InvalidDataException($"{name} is a damaged TIFF: {e.Message}", e);
        }
    }

    private static (float[] Samples, int Channels, int Width, int Height) ReadPage(byte[] file, string name, bool upright)
    {
        using var tiff = Open(new MemoryStream(file, writable: false), name);
        ToFirstFullPage(tiff);
        var page = Page.Of(tiff, name);
        Errors.Clear();   // warnings while the header was read (unknown tags, say) are no reason to refuse the pixels
        var (samples, channels) = page.Direct ? Samples(tiff, page, name) : Rgba(tiff, page, name);
        // LibTiff's decoders report a strip that ends early as a warning and return success.
        if (Errors.Warned) throw new InvalidDataException($"{name} could not be fully decoded{Errors.Last()}; the file is corrupt or truncated.");
        var origin = upright ? page.Origin : SKEncodedOrigin.TopLeft;
        if (!ExifOrientation.IsUpright(origin)) samples = ExifOrientation.Upright<float>(samples, page.Width, page.Height, channels, origin);
        var (width, height) = ExifOrientation.Shown(origin, page.Width, page.Height);
        return (samples, channels, width, height);
    }

    /// <summary>What the first page's tags say, nothing decoded, its size as shown (<paramref name="upright"/>) or as
    /// stored, and, when <paramref name="countPages"/>, how many full-size pages it holds; null when <paramref name="stream"/> is no
    /// readable TIFF.</summary>
    public static ImageHeader? Header(Stream stream, bool upright = true, bool countPages = false)
    {
        try
        {
            using var tiff = Open(stream, "the file");
            ToFirstFullPage(tiff);
            var page = Page.Of(tiff, "the file");
            var (width, height) = ExifOrientation.Shown(upright ? page.Origin : SKEncodedOrigin.TopLeft, page.Width, page.Height);
            return new ImageHeader(width, height, page.Gray, !ExifOrientation.IsUpright(page.Origin), countPages ? Pages(tiff) : 1);
        }
        catch (Exception e) when (e is not OutOfMemoryException) { return null; }
    }

    /// <summary>Moves past leading thumbnails, reduced resolutions and masks (SubfileType bits 1 and 4), which some writers
    /// put ahead of the image: its first full-size page is the image. A file of such pages only stays at its first.</summary>
    private static void ToFirstFullPage(Tiff tiff)
    {
        if ((Field(tiff, TiffTag.SUBFILETYPE, 0) & 5) == 0) return;
        short first = tiff.CurrentDirectory();
        try
        {
            while (tiff.ReadDirectory())
                if ((Field(tiff, TiffTag.SUBFILETYPE, 0) & 5) == 0) return;
        }
        catch (Exception e) when (e is not OutOfMemoryException) { }   // a damaged later page: the first is what there is
        tiff.SetDirectory(first);
    }

    /// <summary>
    /// How many full-size pages the file holds, the first (already read) included, up to <see cref="ImageHeader.MaxFramesCounted"/>:
    /// thumbnails, reduced resolutions and masks (SubfileType bits 1 and 4) are not images of their own. A damaged later
    /// page ends the count (LibTiff.NET may throw on it, even run out of memory on a count it trusts), never the header.
    /// </summary>
    private static int Pages(Tiff tiff)
    {
        int pages = 1;
        try
        {
            while (pages < ImageHeader.MaxFramesCounted && tiff.ReadDirectory())
                if ((Field(tiff, TiffTag.SUBFILETYPE, 0) & 5) == 0) pages++;
        }
        catch (Exception) { }   // the first page was read; a damaged later one ends the count, whatever LibTiff throws
        return pages;
    }

    /// <summary>The tags that decide how a page is read.</summary>
    private sealed record Page(int Width, int Height, int Bits, int SamplesPerPixel, Photometric Photometric, SKEncodedOrigin Origin, bool Direct,
        bool Separate)
    {
        public bool Gray => Photometric is Photometric.MINISBLACK or Photometric.MINISWHITE;

        public static Page Of(Tiff tiff, string name)
        {
            int width = Field(tiff, TiffTag.IMAGEWIDTH, 0), height = Field(tiff, TiffTag.IMAGELENGTH, 0);
            if (width < 1 || height < 1) throw new InvalidDataException($"{name} is a TIFF without a valid image size ({width}x{height}).");
            // Checked before anything is allocated: a few bytes can claim a picture of gigabytes (4 values a pixel at most).
            if (4L * width * height > int.MaxValue) throw new InvalidDataException($"{name} is too large ({width}x{height}).");
            int bits = Field(tiff, TiffTag.BITSPERSAMPLE, 1), samples = Field(tiff, TiffTag.SAMPLESPERPIXEL, 1);
            var photometric = (Photometric)Field(tiff, TiffTag.PHOTOMETRIC, (int)Photometric.MINISBLACK);
            var format = (SampleFormat)Field(tiff, TiffTag.SAMPLEFORMAT, (int)SampleFormat.UINT);
            var planar = (PlanarConfig)Field(tiff, TiffTag.PLANARCONFIG, (int)PlanarConfig.CONTIG);
            if (format is not (SampleFormat.UINT or SampleFormat.VOID) || bits > 16)
                throw new InvalidDataException($"{name} is a TIFF of {bits}-bit {format} samples; this reader takes 1- to 16-bit unsigned integers " +
                                               "(export 8- or 16-bit grey or RGB).");
            // The TIFF Orientation tag uses EXIF's codes (1 = top left ... 8 = left bottom).
            int orientation = Field(tiff, TiffTag.ORIENTATION, 1);
            var origin = orientation is >= 1 and <= 8 ? (SKEncodedOrigin)orientation : SKEncodedOrigin.TopLeft;
            bool direct = bits is 8 or 16
                && (photometric is Photometric.MINISBLACK or Photometric.MINISWHITE && samples is 1 or 2
                    || photometric == Photometric.RGB && samples is 3 or 4);
            return new Page(width, height, bits, samples, photometric, origin, direct, planar == PlanarConfig.SEPARATE);
        }
    }

    /// <summary>The samples as they are stored, at full depth: rows of strips or tiles, all samples of a pixel together or
    /// each in its own plane.</summary>
    private static (float[] Samples, int Channels) Samples(Tiff tiff, Page page, string name)
    {
        int channels = page.SamplesPerPixel, width = page.Width, height = page.Height;
        int planes = page.Separate ? channels : 1, perPixel = page.Separate ? 1 : channels;
        var samples = new float[width * height * channels];
        float full = page.Bits == 8 ? 255f : 65535f;
        // Copies a block (w x h pixels, `stride` pixels a row) of one plane to (x0, y0), cut at the image's edges.
        void Copy(byte[] block, int stride, int x0, int y0, int w, int h, int plane)
        {
            for (int y = 0; y < Math.Min(h, height - y0); y++)
                for (int x = 0; x < Math.Min(w, width - x0); x++)
                    for (int k = 0; k < perPixel; k++)
                    {
                        int i = (y * stride + x) * perPixel + k;
                        // LibTiff.NET hands 16-bit samples over little-endian, whatever the file's order ("MM" files are swapped).
                        int value = page.Bits == 8 ? block[i] : BinaryPrimitives.ReadUInt16LittleEndian(block.AsSpan(2 * i));
                        samples[((y0 + y) * width + x0 + x) * channels + plane + k] = value / full;
                    }
        }
        if (tiff.IsTiled())
        {
            int tileWidth = Field(tiff, TiffTag.TILEWIDTH, 0), tileHeight = Field(tiff, TiffTag.TILELENGTH, 0);
            // A tile may overhang the image, but not by more than a tile's rounding: a damaged size must not allocate gigabytes.
            if (tileWidth < 1 || tileHeight < 1 || tileWidth > width + 1024 || tileHeight > height + 1024)
                throw new InvalidDataException($"{name} is a tiled TIFF with tiles of {tileWidth}x{tileHeight} for a {width}x{height} image.");
            var tile = new byte[tiff.TileSize()];
            for (int plane = 0; plane < planes; plane++)
                for (int y = 0; y < height; y += tileHeight)
                    for (int x = 0; x < width; x += tileWidth)
                    {
                        if (tiff.ReadTile(tile, 0, x, y, 0, (short)plane) < 0)
                            throw new InvalidDataException($"{name} could not be fully decoded (tile at {x}, {y}){Errors.Last()}; the file is corrupt or truncated.");
                        Copy(tile, tileWidth, x, y, tileWidth, tileHeight, plane);
                    }
        }
        else
        {
            var line = new byte[tiff.ScanlineSize()];
            for (int plane = 0; plane < planes; plane++)
                for (int y = 0; y < height; y++)
                {
                    if (!tiff.ReadScanline(line, y, (short)plane))
                        throw new InvalidDataException($"{name} could not be fully decoded (row {y} of {height}){Errors.Last()}; the file is corrupt or truncated.");
                    Copy(line, width, 0, y, width, 1, plane);
                }
        }
        if (page.Photometric == Photometric.MINISWHITE)
            for (int i = 0; i < samples.Length; i += channels) samples[i] = 1 - samples[i];
        // The caller shows unassociated alpha over black; associated alpha is premultiplied already, and an extra sample of
        // unspecified meaning is no alpha at all: both are then opaque to it.
        bool unassociated = tiff.GetField(TiffTag.EXTRASAMPLES) is { Length: >= 2 } extra
                            && extra[1].ToShortArray() is [(short)ExtraSample.UNASSALPHA, ..];
        if (channels is 2 or 4 && !unassociated) Opaque(samples, channels);
        return (samples, channels);
    }

    private static void Opaque(float[] samples, int channels)
    {
        for (int i = channels - 1; i < samples.Length; i += channels) samples[i] = 1;
    }

    private static (float[] Samples, int Channels) Rgba(Tiff tiff, Page page, string name)
    {
        var raster = new int[page.Width * page.Height];
        // As stored (the orientation is applied afterwards, as on the direct path): LibTiff flips rows to the orientation asked for.
        var stored = page.Origin is >= SKEncodedOrigin.TopLeft and <= SKEncodedOrigin.LeftBottom ? (Orientation)(int)page.Origin : Orientation.TOPLEFT;
        // stopOnError: without it a strip or tile that fails to decode is skipped and the call still succeeds.
        if (!tiff.ReadRGBAImageOriented(page.Width, page.Height, raster, stored, stopOnError: true))
            throw new InvalidDataException($"{name} is a TIFF this reader cannot decode ({page.Bits}-bit, {page.SamplesPerPixel} samples per pixel, " +
                                           $"{page.Photometric}){Errors.Last()}.");
        var samples = new float[4 * raster.Length];
        for (int i = 0; i < raster.Length; i++)
        {
            int abgr = raster[i];
            samples[4 * i] = Tiff.GetR(abgr) / 255f;
            samples[4 * i + 1] = Tiff.GetG(abgr) / 255f;
            samples[4 * i + 2] = Tiff.GetB(abgr) / 255f;
            samples[4 * i + 3] = 1;   // LibTiff's conversion premultiplies: the colours are shown over black already
        }
        return (samples, 4);
    }

    private static int Field(Tiff tiff, TiffTag tag, int missing) => tiff.GetField(tag) is { Length: > 0 } value ? value[0].ToInt() : missing;

    private static Tiff Open(Stream stream, string name)
    {
        Errors.Install();
        Errors.Clear();
        return Tiff.ClientOpen("image", "r", stream, new TiffStream())
               ?? throw new InvalidDataException($"{name} is not a readable TIFF{Errors.Last()}.");
    }

    /// <summary>LibTiff reports problems to a process-wide handler, by default one that writes to the console; this one
    /// keeps the last message of each thread for the exception instead, and passes everything on to a handler the
    /// application had installed itself.</summary>
    private sealed class Errors : TiffErrorHandler
    {
        private TiffErrorHandler? previous;
        [ThreadStatic] private static string? last;
        [ThreadStatic] private static bool warned;
        private static readonly Lock installing = new();
        private static bool installed;

        public static void Install()
        {
            lock (installing)
            {
                if (installed) return;
                var errors = new Errors();
                var current = Tiff.SetErrorHandler(errors);
                // LibTiff's own default only writes to the console.
                errors.previous = current?.GetType() == typeof(TiffErrorHandler) ? null : current;
                installed = true;
            }
        }

        public static void Clear() => (last, warned) = (null, false);

        /// <summary>Whether LibTiff warned on this thread since <see cref="Clear"/>.</summary>
        public static bool Warned => warned;

        /// <summary>": message" of the last error or warning on this thread, or nothing.</summary>
        public static string Last() => last is null ? "" : $": {last}";

        public override void ErrorHandler(Tiff tif, string method, string format, params object[] args)
        {
            last = Format(format, args);
            previous?.ErrorHandler(tif, method, format, args);
        }

        public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) =>
            previous?.ErrorHandlerExt(tif, clientData, method, format, args);

        public override void WarningHandler(Tiff tif, string method, string format, params object[] args)
        {
            (last, warned) = (Format(format, args), true);
            previous?.WarningHandler(tif, method, format, args);
        }

        public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) =>
            previous?.WarningHandlerExt(tif, clientData, method, format, args);

        private static string Format(string format, object[] args)
        {
            try { return string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args); }
            catch (FormatException) { return format; }
        }
    }
}
