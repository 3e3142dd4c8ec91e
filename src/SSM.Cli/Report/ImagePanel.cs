using SSM.Core.Data;
using SSM.Core.Scoring;
using SSM.MLNet;

namespace SSM.Cli.Report;

/// <summary>
/// One image as two pictures for the report: the image, and the image with the heat map overlaid, the predicted-defect
/// contour (white) and the ground-truth contour (green) (<see cref="SsmHeatMap.Overlay"/>). Both keep the image's aspect
/// ratio.
/// </summary>
public static class ImagePanel
{
    /// <summary>Side of a square image's panel (enlarged or reduced to it). An oblong image's panel has the same area, up to
    /// <see cref="MaxPanelSide"/>: a line-scan strip of 8:1 is drawn 453 x 57, where at a longest side of 160 (until
    /// 2026-12-04) its 20 rows hid a pinhole.</summary>
    public const int PanelSide = 160;

    /// <summary>Longest side of any panel.</summary>
    public const int MaxPanelSide = 640;

    /// <summary>The longest side of an image's panel: <see cref="PanelSide"/> times the square root of its aspect ratio, at most
    /// <see cref="MaxPanelSide"/>.</summary>
    public static int LongestSide(int width, int height) =>
        (int)Math.Min(MaxPanelSide, Math.Round(PanelSide * Math.Sqrt((double)Math.Max(width, height) / Math.Max(1, Math.Min(width, height)))));

    /// <summary>The report's panel: both pictures as PNG data URIs, of the area of a square of <see cref="PanelSide"/>.</summary>
    /// <param name="imagePath">The image file.</param>
    /// <param name="map">Anomaly map, row-major, raw units.</param>
    /// <param name="mapSize">Width and height of the map.</param>
    /// <param name="colours">The model's colour scale.</param>
    /// <param name="pixelThreshold">Map value from which a pixel is predicted defective (the white contour).</param>
    /// <param name="maskPath">Ground-truth mask file, if any.</param>
    /// <param name="upright">Whether the model turns files by their EXIF orientation (<see cref="SsmAnomalyTransformer.ReadsFilesUpright"/>).</param>
    /// <param name="source">The image's size as read with <paramref name="upright"/>, when the caller has it; null reads it.</param>
    public static (string Image, string Overlay) Panel(string imagePath, float[] map, (int Width, int Height) mapSize, HeatScale colours, float pixelThreshold, string? maskPath,
        bool upright = true, (int Width, int Height)? source = null)
    {
        var (sourceWidth, sourceHeight) = source ?? ImageFile.ReadSize(imagePath, upright);
        var (width, height) = SsmHeatMap.Fit(sourceWidth, sourceHeight, LongestSide(sourceWidth, sourceHeight));
        var image = ImageFile.LoadResized(imagePath, 3, height, width, upright);   // row by row: a huge photo never sits in memory whole
        bool[]? truth = maskPath is null ? null
            : ImageResize.ResizeMaskToFlags(ImageFile.LoadMask(maskPath), height, width);
        byte[] overlay = SsmHeatMap.Overlay(image, SsmHeatMap.Enlarged(map, mapSize, height, width), colours, pixelThreshold, truth);
        return (Png.DataUri(ImageFile.EncodePng(SsmHeatMap.Visible(image))), Png.DataUri(overlay));
    }
}
