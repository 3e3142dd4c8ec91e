namespace SSM.Core.Data;

/// <summary>What an image file's header says (<see cref="ImageFile.ReadHeader(string)"/>).</summary>
/// <param name="Width">Width as shown, after the EXIF orientation.</param>
/// <param name="Height">Height as shown.</param>
/// <param name="StoresGray">The file stores grey levels only (a grayscale PNG or TIFF at any depth, a grayscale JPEG, a
/// MONOCHROME DICOM).</param>
/// <param name="Turned">An EXIF orientation turns or mirrors the stored pixels.</param>
/// <param name="Frames">How many images the file holds, up to <see cref="MaxFramesCounted"/>: a DICOM's frames, a TIFF's
/// full-size pages (not its thumbnails or reduced resolutions), an animated WebP's frames. The readers take the first; 1 for
/// a file of one image.</param>
public readonly record struct ImageHeader(int Width, int Height, bool StoresGray, bool Turned, int Frames = 1)
{
    /// <summary>Where counting frames stops: each TIFF page's tags are read to count it (and LibTiff.NET numbers pages
    /// with 16-bit counters).</summary>
    public const int MaxFramesCounted = 1000;

    /// <summary>A count of frames as <see cref="Frames"/> holds it.</summary>
    public static int Counted(long frames) => (int)Math.Clamp(frames, 1, MaxFramesCounted);
}
