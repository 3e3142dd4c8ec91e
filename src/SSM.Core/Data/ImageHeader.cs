namespace SSM.Core.Data;

/// <summary>What an image file's header says (<see cref="ImageFile.ReadHeader"/>).</summary>
/// <param name="Width">Width as shown, after the EXIF orientation.</param>
/// <param name="Height">Height as shown.</param>
/// <param name="StoresGray">The file stores grey levels only (a grayscale PNG or TIFF at any depth, a grayscale JPEG).</param>
/// <param name="Turned">An EXIF orientation turns or mirrors the stored pixels.</param>
public readonly record struct ImageHeader(int Width, int Height, bool StoresGray, bool Turned);
