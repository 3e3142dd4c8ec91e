namespace SSM.Core.Data;

/// <summary>
/// Grey from colour, one way for every reader (image files at 8 and 16 bits, ML.NET's MLImage), so an image gives the same
/// pixels, and the same score, whichever column brings it: ITU-R BT.601 weights, as JPEG's and System.Drawing's grey,
/// exact for grey pixels so a grayscale picture stored as colour keeps its values bit for bit.
/// </summary>
public static class Luminance
{
    /// <summary>The weights of red, green and blue.</summary>
    public const float Red = 0.299f, Green = 0.587f, Blue = 0.114f;

    /// <summary>The luminance, in [0, 1], of a pixel of 8-bit samples.</summary>
    public static float Of(byte r, byte g, byte b) =>
        r == g && g == b ? r / 255f : Math.Clamp((Red * r + Green * g + Blue * b) / 255f, 0f, 1f);

    /// <summary>The luminance of a pixel of samples in [0, 1].</summary>
    public static float Of(float r, float g, float b) =>
        r == g && g == b ? r : Math.Clamp(Red * r + Green * g + Blue * b, 0f, 1f);
}
