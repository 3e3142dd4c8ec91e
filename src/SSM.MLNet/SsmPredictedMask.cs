using SSM.Core.Data;

namespace SSM.MLNet;

/// <summary>
/// Where a model finds a defect in one image: a pixel of the image (its own width and height, upright as the model read it)
/// is in the mask when the anomaly map, stretched to the image (<see cref="SsmHeatMap.Enlarged"/>), reaches
/// <see cref="SsmAnomalyTransformer.MapThreshold"/>: the inside of the white contour of the heat maps, the counterpart of a
/// ground-truth mask. The <c>AnomalyMap</c> column is in other units than <c>Score</c>: thresholding it at
/// <see cref="SsmAnomalyTransformer.Threshold"/> marks pixels of good images (19 of 20 of a walkthrough's). With one
/// restoration error for map and score (the default) the mask is empty exactly when the image passed, but for an image
/// flagged by its contrast alone, whose map shows nothing.
/// </summary>
/// <param name="Width">The image's width.</param>
/// <param name="Height">Its height.</param>
/// <param name="Pixels">Width x Height values, row-major: true where the model finds a defect.</param>
public sealed record SsmPredictedMask(int Width, int Height, bool[] Pixels)
{
    /// <summary>Pixels in the mask.</summary>
    public int Count => Pixels.Count(p => p);

    /// <summary>The mask as a one-channel PNG, white (255) where the model finds a defect and black elsewhere, as MVTec's
    /// ground-truth masks are drawn.</summary>
    public byte[] ToPng() => ImageFile.EncodePng(new FloatImage(1, Height, Width, [.. Pixels.Select(p => p ? 1f : 0f)]));
}
