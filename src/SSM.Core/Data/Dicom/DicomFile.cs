using System.Buffers.Binary;
using Syntax = SSM.Core.Data.Dicom.DicomDataSet.Syntax;

namespace SSM.Core.Data.Dicom;

/// <summary>
/// Reads the first frame of a DICOM image file (scanners, PACS exports) as a viewer shows it: grey levels through the file's
/// Modality LUT or rescale, then its first window or VOI LUT (or, without either, the whole range), "0 is white" (MONOCHROME1) turned round,
/// colour as RGB. Native data in any of the standard's uncompressed encodings (implicit or explicit VR, little or big
/// endian, deflated), RLE Lossless, lossless JPEG (process 14), JPEG-LS (lossless and near-lossless), JPEG 2000 (lossless
/// and lossy), and 8-bit baseline or extended JPEG (through Skia). Video and JPEG 2000 Part 2 are refused by name, as are
/// samples of more than 16 bits and palette colour.
/// </summary>
internal static class DicomFile
{
    /// <inheritdoc cref="DicomDataSet.Is"/>
    public static bool Is(ReadOnlySpan<byte> file) => DicomDataSet.Is(file);

    /// <summary>How many of a file's first bytes <see cref="Is"/> looks at.</summary>
    public const int HeaderLength = DicomDataSet.HeaderLength;

    /// <summary>Whether the file at <paramref name="path"/> is DICOM (<see cref="Is"/>), from its first bytes; false when it
    /// cannot be read.</summary>
    public static bool IsFile(string path)
    {
        try
        {
            using var file = SSM.Core.IO.InputFile.OpenWithBytes(path);
            if (file is null) return false;
            Span<byte> start = stackalloc byte[HeaderLength];
            return Is(start[..file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false)]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>The first frame's values in [0, 1], pixel-interleaved, 1 (grey) or 3 (RGB) per pixel.</summary>
    /// <exception cref="InvalidDataException">The file is damaged, holds no image, or an image of a kind not read here
    /// (named by <paramref name="name"/>).</exception>
    public static (float[] Samples, int Channels, int Width, int Height) Read(byte[] file, string name)
    {
        var data = DicomDataSet.Read(new MemoryStream(file, writable: false), name, withPixels: true);
        int width = data.Columns, height = data.Rows;
        var (values, channels, colour) = Samples(data, name);
        if (channels == 3) return (ToRgb(values, colour, data.BitsStored, data.HighBit + 1 - data.BitsStored), 3, width, height);
        return (Grey(values, data, name), 1, width, height);
    }

    /// <summary>What the file's attributes say, its pixels not read; null when <paramref name="stream"/> is no DICOM image.</summary>
    public static ImageHeader? Header(Stream stream)
    {
        try
        {
            var data = DicomDataSet.Read(stream, "the file", withPixels: false);
            return data.Rows > 0 && data.Columns > 0 ? new ImageHeader(data.Columns, data.Rows, data.Gray, Turned: false, ImageHeader.Counted(data.Frames)) : null;
        }
        catch (Exception e) when (e is InvalidDataException or IOException) { return null; }
    }

    /// <summary>The stored values of the first frame (interleaved), how many per pixel, and the colour model they are in.</summary>
    private static (int[] Values, int Channels, string Colour) Samples(DicomDataSet data, string name)
    {
        // The encoding first: a video file's colour model (YBR_PARTIAL_420) is no reason to give.
        var decode = DecoderOf(data) ?? throw new InvalidDataException(
            $"{name} is compressed as {(data.TransferSyntax is Syntax.JpegBaseline or Syntax.JpegExtended ? $"{data.BitsStored}-bit JPEG" : Syntax.Describe(data.TransferSyntax))}, " +
            "which this reader does not decode; decompress it first (`gdcmconv --raw in.dcm out.dcm`), or export PNG or TIFF.");
        int channels = data.SamplesPerPixel;
        // JPEG 2000's own component transforms (YBR_RCT, YBR_ICT) are undone by its decoder.
        bool jpeg2000Colour = data.TransferSyntax is Syntax.Jpeg2000Lossless or Syntax.Jpeg2000 && data.Photometric is "YBR_RCT" or "YBR_ICT";
        if (data.Photometric is not ("MONOCHROME1" or "MONOCHROME2" or "RGB" or "YBR_FULL" or "YBR_FULL_422") && !jpeg2000Colour
            || (channels == 1) != data.Gray)
            throw new InvalidDataException($"{name} is a DICOM image in {data.Photometric} with {channels} samples per pixel; this reader takes " +
                                           "MONOCHROME1, MONOCHROME2, RGB, YBR_FULL and YBR_FULL_422 (export palette colour as RGB).");
        if (data.Photometric == "YBR_FULL_422" && !data.Encapsulated && data.Columns % 2 != 0)
            throw new InvalidDataException($"{name} is a YBR_FULL_422 image {data.Columns} pixels wide; two pixels share their colour, so rows must be of even width.");
        return decode(data, name);
    }

    /// <summary>What decodes the first frame, by the transfer syntax; null for an encoding not read here.</summary>
    private static Func<DicomDataSet, string, (int[] Values, int Channels, string Colour)>? DecoderOf(DicomDataSet data) =>
        !data.Encapsulated ? (d, _) => (Native(d), d.SamplesPerPixel, d.Photometric)
        : data.TransferSyntax switch
        {
            Syntax.Rle => (d, n) => (DicomRle.Decode(d.Frame, d.Columns, d.Rows, d.SamplesPerPixel, d.BitsAllocated / 8, n), d.SamplesPerPixel, d.Photometric),
            Syntax.JpegLossless or Syntax.JpegLosslessSv1 => Lossless,
            Syntax.JpegLsLossless or Syntax.JpegLsNearLossless =>
                (d, n) => (JpegLs.Decode(d.Frame, n, d.Columns, d.Rows, d.SamplesPerPixel), d.SamplesPerPixel, d.Photometric),
            Syntax.JpegBaseline or Syntax.JpegExtended when data.BitsStored <= 8 => Jpeg,
            Syntax.Jpeg2000Lossless or Syntax.Jpeg2000 => Jpeg2000Frame,
            _ => null,
        };

    /// <summary>A lossless JPEG frame (process 14), which must be of the image's size and components.</summary>
    private static (int[] Values, int Channels, string Colour) Lossless(DicomDataSet data, string name)
    {
        var (values, components, w, h) = JpegLossless.Decode(data.Frame, name);
        if (w != data.Columns || h != data.Rows || components != data.SamplesPerPixel)
            throw new InvalidDataException($"{name} holds a {w}x{h} JPEG of {components} components for a {data.Columns}x{data.Rows} image of {data.SamplesPerPixel}.");
        return (values, components, data.Photometric);
    }

    /// <summary>
    /// A JPEG 2000 frame, which must be of the image's size and components (compared before decoding). Its samples are the
    /// values coded, and the stream's precision and sign may differ from the file's attributes (GDCM codes 12-bit CT as
    /// 16-bit). Of the same sign, a value beyond the file's bits (a lossy stream overshoots an edge) is clamped to them, not
    /// cut to its low bits, which would turn white black; of another sign, the values are read as stored values of the
    /// file's bits, as pydicom reads them. Colour that the stream's own transform coded comes out as RGB whatever the label
    /// (YBR_RCT, YBR_ICT, or a wrong YBR_FULL); YBR_FULL coded without one is converted after.
    /// </summary>
    private static (int[] Values, int Channels, string Colour) Jpeg2000Frame(DicomDataSet data, string name)
    {
        var image = Dicom.Jpeg2000.Decode(data.Frame, name, (data.Columns, data.Rows, data.SamplesPerPixel));
        var values = image.Values;
        if (image.Signed == data.Signed)
        {
            int bits = data.BitsStored, low = data.Signed ? -(1 << (bits - 1)) : 0, high = low + (1 << bits) - 1;
            for (int i = 0; i < values.Length; i++) values[i] = Math.Clamp(values[i], low, high);
        }
        return (values, image.Components, image.ComponentTransform || data.Photometric is "YBR_RCT" or "YBR_ICT" ? "RGB" : data.Photometric);
    }

    /// <summary>Uncompressed samples: 8 or 16 bits each, in the data set's byte order, interleaved or in planes.</summary>
    private static int[] Native(DicomDataSet data)
    {
        int pixels = data.Columns * data.Rows, channels = data.SamplesPerPixel, bytes = data.BitsAllocated / 8;
        var frame = data.Frame;
        int Sample(int i) => bytes == 1 ? frame[data.SwappedBytePairs ? i ^ 1 : i]
            : data.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(2 * i)) : BinaryPrimitives.ReadUInt16LittleEndian(frame.AsSpan(2 * i));
        var values = new int[pixels * channels];
        if (data.Photometric == "YBR_FULL_422")
        {
            // Two luminances share one pair of colour samples: Y1 Y2 Cb Cr.
            for (int i = 0; i < pixels; i++)
            {
                int group = i / 2 * 4;
                values[3 * i] = Sample(group + i % 2);
                values[3 * i + 1] = Sample(group + 2);
                values[3 * i + 2] = Sample(group + 3);
            }
            return values;
        }
        bool planes = channels > 1 && data.PlanarConfiguration == 1;
        for (int i = 0; i < pixels; i++)
            for (int c = 0; c < channels; c++)
                values[i * channels + c] = Sample(planes ? c * pixels + i : i * channels + c);
        return values;
    }

    /// <summary>An 8-bit lossy JPEG frame, decoded by Skia (which turns YCbCr into RGB itself).</summary>
    private static (int[] Values, int Channels, string Colour) Jpeg(DicomDataSet data, string name)
    {
        var frame = data.Photometric == "RGB" ? Untransformed(data.Frame) : data.Frame;
        using var decoder = new SkiaDecoder(frame, name);
        // Compared before decoding: the JPEG's own header could claim a far larger picture than the file's attributes.
        var size = decoder.Codec.Info;
        if (size.Width != data.Columns || size.Height != data.Rows)
            throw new InvalidDataException($"{name} holds a {size.Width}x{size.Height} JPEG for a {data.Columns}x{data.Rows} image.");
        var decoded = decoder.DecodeAll();
        int channels = data.SamplesPerPixel, pixels = decoded.Width * decoded.Height;
        var values = new int[pixels * channels];
        for (int i = 0; i < pixels; i++)
            for (int c = 0; c < channels; c++)
                values[i * channels + c] = decoded.BytesPerPixel == 1 ? decoded.Pixels[i] : decoded.Pixels[4 * i + (channels == 1 ? 0 : c)];
        return (values, channels, "RGB");
    }

    /// <summary>
    /// A JPEG stream whose colour components DICOM says are RGB (photometric RGB: no colour transform), marked so for
    /// Skia: without a JFIF or Adobe marker, libjpeg takes three components for YCbCr and would convert them again, as
    /// DCMTK and pydicom do not. An Adobe marker with transform 0 after the start of the image says "no transform".
    /// </summary>
    private static byte[] Untransformed(byte[] jpeg)
    {
        for (int pos = 2; pos + 4 <= jpeg.Length && jpeg[pos] == 0xFF;)
        {
            int marker = jpeg[pos + 1], length = jpeg[pos + 2] << 8 | jpeg[pos + 3];
            if (marker is 0xE0 or 0xEE) return jpeg;   // JFIF or Adobe: the stream says itself
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC or 0xDA) break;
            pos += 2 + length;
        }
        ReadOnlySpan<byte> adobe = [0xFF, 0xEE, 0, 14, .. "Adobe"u8, 0, 100, 0, 0, 0, 0, 0];
        return [.. jpeg.AsSpan(0, 2), .. adobe, .. jpeg.AsSpan(2)];
    }

    /// <summary>
    /// Grey levels as a viewer shows them (PS3.4 N.2.1.1): the stored bits (sign-extended when signed); the Modality LUT, or
    /// else the rescale, to the modality's units; then the first window (PS3.3 C.11.2.1.2: LINEAR, LINEAR_EXACT or SIGMOID),
    /// or else the VOI LUT, or else the whole range the values can take; MONOCHROME1 turned round so that 1 is bright.
    /// A window is taken over a VOI LUT, as viewers open the first window; the standard leaves the choice open.
    /// </summary>
    private static float[] Grey(int[] values, DicomDataSet data, string name)
    {
        int bits = data.BitsStored, shift = data.HighBit + 1 - bits;
        double low = data.Signed ? -(1 << (bits - 1)) : 0, high = low + (1 << bits) - 1;
        double slope = data.RescaleSlope, intercept = data.RescaleIntercept;
        var modality = data.ModalityLut?.Resolve(name, "Modality", inputCanBeNegative: data.Signed);
        Func<int, double> units = modality is { } m ? s => m[s] : s => s * slope + intercept;
        var window = Window(data);
        // A Modality LUT's entries are unsigned; a rescale's values can be negative.
        var voi = window is null ? data.VoiLut?.Resolve(name, "VOI", inputCanBeNegative: modality is null && Math.Min(units((int)low), units((int)high)) < 0) : null;
        Func<int, double> shownOf = window is { } w ? s => w(units(s))
            : voi is { } v ? s => Math.Min(1, (double)v[units(s)] / v.Largest)
            : modality is { } t ? s => Math.Min(1, (double)t[s] / t.Largest)
            // Without a window, a LUT or a Modality LUT the rescale cannot matter (it is linear), but for its sign.
            : s => (slope < 0 ? high - s : s - low) / (high - low);
        bool invert = data.Photometric == "MONOCHROME1";
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            int stored = values[i] >> shift & ((1 << bits) - 1);
            if (data.Signed && stored >= 1 << (bits - 1)) stored -= 1 << bits;
            double shown = shownOf(stored);
            result[i] = (float)(invert ? 1 - shown : shown);
        }
        return result;
    }

    /// <summary>The first window as a function of the rescaled value, or null when the file has none that is valid.</summary>
    private static Func<double, double>? Window(DicomDataSet data)
    {
        if (data.WindowCenter is not { } c || data.WindowWidth is not { } w) return null;
        return data.VoiLutFunction switch
        {
            "SIGMOID" when w > 0 => x => 1 / (1 + Math.Exp(-4 * (x - c) / w)),
            "LINEAR_EXACT" when w > 0 => x => Math.Clamp((x - c) / w + 0.5, 0, 1),
            "LINEAR" or "" when w >= 1 => x => x <= c - 0.5 - (w - 1) / 2 ? 0 : x > c - 0.5 + (w - 1) / 2 ? 1 : (x - (c - 0.5)) / (w - 1) + 0.5,
            _ => null,
        };
    }

    /// <summary>Colour samples in [0, 1] as RGB; YBR_FULL (JPEG's YCbCr, full range) converted by PS3.3 C.7.6.3.1.2.</summary>
    private static float[] ToRgb(int[] values, string colour, int bits, int shift)
    {
        float full = (1 << bits) - 1, half = 1 << (bits - 1);
        var result = new float[values.Length];
        bool ycc = colour is "YBR_FULL" or "YBR_FULL_422";
        for (int i = 0; i < values.Length; i += 3)
        {
            float a = values[i] >> shift & (int)full, b = values[i + 1] >> shift & (int)full, c = values[i + 2] >> shift & (int)full;
            if (ycc) (a, b, c) = (a + 1.402f * (c - half), a - 0.344136f * (b - half) - 0.714136f * (c - half), a + 1.772f * (b - half));
            result[i] = Math.Clamp(a / full, 0, 1);
            result[i + 1] = Math.Clamp(b / full, 0, 1);
            result[i + 2] = Math.Clamp(c / full, 0, 1);
        }
        return result;
    }
}
