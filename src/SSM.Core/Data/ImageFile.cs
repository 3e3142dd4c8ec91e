using SkiaSharp;

namespace SSM.Core.Data;

/// <summary>
/// Reads and writes image files (PNG, JPEG, BMP, anything SkiaSharp decodes) as <see cref="FloatImage"/>.
/// </summary>
public static class ImageFile
{
    // ITU-R BT.601 luma weights, the convention of most image libraries (and of MVTec-style tooling).
    private const float RedWeight = 0.299f, GreenWeight = 0.587f, BlueWeight = 0.114f;

    /// <summary>
    /// Decodes an image file into values in [0, 1].
    /// </summary>
    /// <param name="path">A PNG, JPEG or BMP file.</param>
    /// <param name="channels">
    /// 1 or 3 to force grayscale (BT.601 luminance) or RGB; null keeps the file's nature:
    /// grayscale when every pixel has R == G == B (which covers grayscale files), RGB otherwise.
    /// </param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image (corrupt, truncated, other format).</exception>
    /// <remarks>
    /// Alpha is ignored: the colour channels are returned unpremultiplied. 16-bit PNGs (scanners, medical exports) keep
    /// their full depth (<see cref="Png16"/>), where an 8-bit decode would leave a 12-bit scan 16 grey levels. Other
    /// files are 8-bit.
    /// </remarks>
    public static FloatImage Load(string path, int? channels = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (channels is not (null or 1 or 3))
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "Channels must be null (as in the file), 1 or 3.");
        if (!File.Exists(path)) throw new FileNotFoundException($"Image file '{path}' does not exist.", path);
        // Reading the bytes ourselves lets IO errors (permissions, locks) surface as themselves instead of
        // looking like an undecodable file.
        byte[] file = File.ReadAllBytes(path);
        if (Png16.IsSixteenBit(file))
        {
            var (samples, stride, w, h) = Png16.Read(file, path);
            int deepChannels = channels ?? (IsGray(samples, stride) ? 1 : 3);
            return deepChannels == 1 ? ToGray(samples, stride, h, w) : ToRgb(samples, stride, h, w);
        }
        byte[] rgba = DecodeRgba(file, path, out int width, out int height);
        int outChannels = channels ?? (IsGray(rgba) ? 1 : 3);
        return outChannels == 1 ? ToGray(rgba, height, width) : ToRgb(rgba, height, width);
    }

    /// <summary>
    /// Loads a ground-truth mask as a 1-channel image of exactly 0 and 1 (1 where luminance &gt; 0.5, i.e. white = defect).
    /// </summary>
    /// <inheritdoc cref="Load" path="/exception"/>
    public static FloatImage LoadMask(string path)
    {
        FloatImage mask = Load(path, channels: 1);
        float[] p = mask.Pixels;
        for (int i = 0; i < p.Length; i++) p[i] = p[i] > 0.5f ? 1f : 0f;
        return mask;
    }

    /// <summary>
    /// Writes <paramref name="image"/> as an 8-bit PNG (grayscale PNG for 1 channel, RGB for 3),
    /// creating the parent folder if needed. Values are clamped to [0, 1] and rounded to the nearest of 256 levels.
    /// </summary>
    public static void Save(FloatImage image, string path)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(path);
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

        using SKImage skImage = SKImage.FromPixelCopy(info, bytes)
            ?? throw new InvalidOperationException($"SkiaSharp could not wrap a {w}x{h} image for '{path}'.");
        using SKData data = skImage.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException($"SkiaSharp could not encode '{path}' as PNG.");
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        using FileStream file = File.Create(path);
        data.SaveTo(file);
    }

    private static byte[] DecodeRgba(byte[] file, string path, out int width, out int height)
    {
        using SKData encoded = SKData.CreateCopy(file);
        using SKCodec? codec = SKCodec.Create(encoded);
        if (codec is null)
            throw new InvalidDataException($"'{path}' is not a decodable image (empty, corrupt, or not PNG/JPEG/BMP).");
        width = codec.Info.Width;
        height = codec.Info.Height;
        if (width < 1 || height < 1)
            throw new InvalidDataException($"'{path}' has an empty size {width}x{height}.");
        // No colour space on the target: Skia then returns the stored values without colour management,
        // which is what a dataset's pixel statistics are computed on.
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
        SKCodecResult result = codec.GetPixels(info, rgba);
        // IncompleteInput means a truncated file: Skia fills the rest with zeros, which would silently poison training.
        if (result != SKCodecResult.Success)
            throw new InvalidDataException($"'{path}' could not be fully decoded ({result}); the file is corrupt or truncated.");
        return rgba;
    }

    private static bool IsGray(byte[] rgba)
    {
        for (int i = 0; i < rgba.Length; i += 4)
            if (rgba[i] != rgba[i + 1] || rgba[i] != rgba[i + 2]) return false;
        return true;
    }

    private static FloatImage ToGray(byte[] rgba, int height, int width)
    {
        var pixels = new float[height * width];
        for (int i = 0, j = 0; i < pixels.Length; i++, j += 4)
        {
            byte r = rgba[j], g = rgba[j + 1], b = rgba[j + 2];
            // Exact for gray pixels, so a grayscale file round-trips bit-identically.
            pixels[i] = r == g && g == b
                ? r / 255f
                : Math.Clamp((RedWeight * r + GreenWeight * g + BlueWeight * b) / 255f, 0f, 1f);
        }
        return new FloatImage(1, height, width, pixels);
    }

    private static FloatImage ToRgb(byte[] rgba, int height, int width)
    {
        int plane = height * width;
        var pixels = new float[3 * plane];
        for (int i = 0, j = 0; i < plane; i++, j += 4)
        {
            pixels[i] = rgba[j] / 255f;
            pixels[plane + i] = rgba[j + 1] / 255f;
            pixels[2 * plane + i] = rgba[j + 2] / 255f;
        }
        return new FloatImage(3, height, width, pixels);
    }

    // The 16-bit path: the same conversions on interleaved samples in [0, 1], `stride` per pixel (gray, gray + alpha,
    // RGB, RGBA); the 8-bit ones above stay on bytes, exact and small.
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
            float r = samples[j], g = samples[j + 1], b = samples[j + 2];
            pixels[i] = r == g && g == b ? r : Math.Clamp(RedWeight * r + GreenWeight * g + BlueWeight * b, 0f, 1f);
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
