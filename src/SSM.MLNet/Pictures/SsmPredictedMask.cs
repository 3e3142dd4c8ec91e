using SSM.Core.Data;

namespace SSM.MLNet;

/// <summary>
/// Where a model finds a defect in one image: a pixel of the image (its own width and height, upright as the model read it)
/// is in the mask when the anomaly map, stretched to the image (<see cref="SsmHeatMap.Enlarged(float[], ValueTuple{int, int}, int, int)"/>), reaches
/// <see cref="SsmAnomalyTransformer.MaskThresholdFor"/>: the counterpart of a ground-truth mask. By default that is
/// <see cref="SsmAnomalyTransformer.MapThreshold"/>, the inside of the white contour of the heat maps: with one restoration
/// error for map and score (the default) the mask is then empty exactly when the image passed, but for an image flagged by
/// its contrast alone, whose map shows nothing. A model given a <see cref="SsmAnomalyTransformer.MaskThreshold"/> marks
/// every value from it, in every image. The <c>AnomalyMap</c> column is in other units than <c>Score</c>: thresholding it
/// at <see cref="SsmAnomalyTransformer.Threshold"/> marks pixels of good images (19 of 20 of a walkthrough's).
/// </summary>
/// <param name="width">The image's width.</param>
/// <param name="height">Its height.</param>
/// <param name="pixels">Width x Height values, row-major: true where the model finds a defect.</param>
public sealed class SsmPredictedMask(int width, int height, bool[] pixels)
{
    /// <summary>The image's width (upright, as the model read it).</summary>
    public int Width { get; } = width;

    /// <summary>The image's height.</summary>
    public int Height { get; } = height;

    /// <summary>Width x Height values, row-major: true where the model finds a defect.</summary>
    public bool[] Pixels { get; } = pixels.Length == (long)width * height ? pixels
        : throw new ArgumentException($"A {width}x{height} mask has {(long)width * height} pixels, got {pixels.Length}.", nameof(pixels));

    /// <summary>Pixels in the mask.</summary>
    public int Count => Pixels.Count(p => p);

    /// <summary>The mask as a one-channel PNG, white (255) where the model finds a defect and black elsewhere, as MVTec's
    /// ground-truth masks are drawn.</summary>
    public byte[] ToPng()
    {
        var levels = new byte[Pixels.Length];
        for (int i = 0; i < levels.Length; i++) levels[i] = Pixels[i] ? (byte)255 : (byte)0;
        return ImageFile.EncodeGrayPng(levels, Width, Height);
    }
}
