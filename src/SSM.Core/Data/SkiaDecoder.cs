using System.Runtime.InteropServices;
using SkiaSharp;

namespace SSM.Core.Data;

/// <summary>
/// Decodes an image file's bytes with Skia into 8-bit pixels (<see cref="TargetInfo"/>), whole or, through
/// <see cref="Codec"/>, row by row. The bytes stay pinned while it lives instead of being copied: a 100 MB PNG costs
/// 100 MB, not 200.
/// </summary>
internal sealed class SkiaDecoder : IDisposable
{
    private readonly string subject;
    private GCHandle pinned;
    private readonly SKData data;
    private readonly byte[] file;

    /// <param name="file">The encoded image.</param>
    /// <param name="subject">What messages call the image: a quoted path, or words such as "the image data".</param>
    /// <exception cref="InvalidDataException">The bytes are no image Skia knows, or an empty one.</exception>
    public SkiaDecoder(byte[] file, string subject)
    {
        if (file.Length == 0) throw new InvalidDataException($"{subject} is empty (0 bytes), not an image.");
        this.subject = subject;
        this.file = file;
        pinned = GCHandle.Alloc(file, GCHandleType.Pinned);
        data = SKData.Create(pinned.AddrOfPinnedObject(), file.Length);
        var codec = SKCodec.Create(data);
        string? problem = codec is null ? NotAnImage(subject)
            : codec.Info.Width < 1 || codec.Info.Height < 1 ? $"{subject} has an empty size {codec.Info.Width}x{codec.Info.Height}."
            : null;
        if (problem is not null)
        {
            codec?.Dispose();
            data.Dispose();
            pinned.Free();
            throw new InvalidDataException(problem);
        }
        Codec = codec!;
    }

    /// <summary>The message for bytes Skia cannot decode at all.</summary>
    public static string NotAnImage(string subject) => $"{subject} is not a decodable image (empty, corrupt, or not PNG/JPEG/BMP/WebP/TIFF/JPEG 2000/DICOM).";

    /// <summary>Skia's codec of the file, for decoding row by row.</summary>
    public SKCodec Codec { get; }

    /// <summary>The file's EXIF orientation when <paramref name="upright"/> (<see cref="SKEncodedOrigin.TopLeft"/> when it
    /// has none), else TopLeft: the pixels as stored.</summary>
    public SKEncodedOrigin Origin(bool upright) =>
        upright ? PngExif.Combined(Codec, PngExif.Origin(new MemoryStream(file, writable: false))) : SKEncodedOrigin.TopLeft;

    /// <summary>The whole image at once, in <see cref="TargetInfo"/>'s format.</summary>
    /// <exception cref="InvalidDataException">A truncated or corrupt file.</exception>
    public Decoded DecodeAll()
    {
        var info = TargetInfo(Codec);
        // BytesSize is an int that wraps for huge images, and Skia writes the whole image whatever the array's length.
        if (info.BytesSize64 > Array.MaxLength)
            throw new InvalidDataException($"{subject} is too large to decode ({info.Width}x{info.Height}, {info.BytesSize64:N0} bytes).");
        var pixels = new byte[info.BytesSize64];
        SKCodecResult result = Codec.GetPixels(info, pixels);
        // IncompleteInput means a truncated file: Skia fills the rest with zeros, which would silently poison training.
        if (result != SKCodecResult.Success)
            throw new InvalidDataException($"{subject} could not be fully decoded ({result}); the file is corrupt or truncated.");
        return new Decoded(pixels, info.Width, info.Height, info.BytesPerPixel);
    }

    public void Dispose()
    {
        Codec.Dispose();
        data.Dispose();
        pinned.Free();
    }

    /// <summary>
    /// The format pixels are decoded to: grayscale files to one byte per pixel (a quarter of RGBA, the same values), the
    /// others to RGBA. No colour space on the target: Skia then returns the stored values without colour management,
    /// which is what a dataset's pixel statistics are computed on. Premultiplied: a transparent pixel shows over black,
    /// as ML.NET's <c>LoadImages</c> gives it, whatever colour the file keeps under it (invisible, so it must not decide a
    /// score; read unpremultiplied until 2026-12-03).
    /// </summary>
    /// BMP keeps its colours as stored: writers of 32-bit BMPs often leave the alpha byte 0, which viewers show as opaque
    /// and a premultiplied decode would turn black.
    public static SKImageInfo TargetInfo(SKCodec codec) => codec.Info.ColorType == SKColorType.Gray8
        ? new(codec.Info.Width, codec.Info.Height, SKColorType.Gray8, SKAlphaType.Opaque)
        : new(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, codec.EncodedFormat == SKEncodedImageFormat.Bmp ? SKAlphaType.Unpremul : SKAlphaType.Premul);

    /// <summary>Decoded 8-bit pixels: one byte (gray) or four (RGBA) per pixel, row after row.</summary>
    public readonly record struct Decoded(byte[] Pixels, int Width, int Height, int BytesPerPixel)
    {
        public ReadOnlySpan<byte> Row(int y) => Pixels.AsSpan(y * Width * BytesPerPixel, Width * BytesPerPixel);

        /// <summary>The pixels as shown, turned by the file's EXIF orientation (<see cref="ExifOrientation"/>).</summary>
        public Decoded Upright(SKEncodedOrigin origin)
        {
            if (ExifOrientation.IsUpright(origin)) return this;
            var (width, height) = ExifOrientation.Shown(origin, Width, Height);
            return new Decoded(ExifOrientation.Upright<byte>(Pixels, Width, Height, BytesPerPixel, origin), width, height, BytesPerPixel);
        }

        /// <summary>Whether every pixel has R == G == B (which covers grayscale files).</summary>
        public bool IsGray()
        {
            if (BytesPerPixel == 1) return true;
            for (int i = 0; i < Pixels.Length; i += 4)
                if (Pixels[i] != Pixels[i + 1] || Pixels[i] != Pixels[i + 2]) return false;
            return true;
        }
    }
}
