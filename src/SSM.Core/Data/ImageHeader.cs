namespace SSM.Core.Data;

/// <summary>What an image file's header says (<see cref="ImageFile.ReadHeader"/>).</summary>
/// <param name="Width">Width as shown, after the EXIF orientation.</param>
/// <param name="Height">Height as shown.</param>
/// <param name="StoresGray">The file stores grey levels only (a grayscale PNG or TIFF at any depth, a grayscale JPEG, a
/// MONOCHROME DICOM).</param>
/// <param name="Turned">An EXIF orientation turns or mirrors the stored pixels.</param>
/// <param name="Frames">How many images the file holds: a DICOM's frames, a TIFF's pages, an animated WebP's frames. The
/// readers take the first; 1 for a file of one image.</param>
public readonly record struct ImageHeader(int Width, int Height, bool StoresGray, bool Turned, int Frames = 1)
{
    /// <summary>How many pages a TIFF's header is read for at most: a damaged file's chain of pages can loop.</summary>
    public const int MaxFramesCounted = 10_000;
}
