using Microsoft.ML.Data;
using SkiaSharp;
using SSM.Core.Data;
using SSM.Core.Scoring;

namespace SSM.MLNet;

/// <summary>
/// Pictures of where a model finds a defect, as <c>ssm predict</c> writes them: the image in its own shape with the anomaly
/// map blended in (colours from the model's calibration, <see cref="HeatScale"/>: blue at the held-out normal mean, green at
/// the normal limit, red at twice it) and a white contour where the model's predicted mask marks
/// (<see cref="SsmAnomalyTransformer.MaskThresholdFor"/>: by default the verdict's line, <see cref="SsmAnomalyTransformer.MapThreshold"/>,
/// so with the default restoration errors the contour is the verdict). The model scores a square resize; its map is stretched back to the image's shape, so
/// a round defect stays round. Call it with an upload the model has already scored: bytes it cannot decode throw
/// <see cref="InvalidDataException"/>.
/// </summary>
public static class SsmHeatMap
{
    private static readonly SKColor Green = new(0, 230, 0);

    /// <summary>Default longest side of <see cref="ToPng(SsmAnomalyTransformer, byte[], float[], int)"/>'s pictures: 512.</summary>
    public const int DefaultMaxSide = 512;

    /// <summary>The picture of an image file (PNG bytes), longest side at most <paramref name="maxSide"/>, never enlarged.</summary>
    /// <param name="model">The model that scored the image.</param>
    /// <param name="imagePath">The image file, as the model's path column gave it: a relative path is read from the model's
    /// <see cref="SsmAnomalyTransformer.ImageFolder"/>, as the model read it.</param>
    /// <param name="anomalyMap">The image's <c>AnomalyMap</c> column value (<see cref="SsmAnomalyTransformer.MapWidth"/> × MapHeight values).</param>
    /// <param name="maxSide">Longest side of the picture.</param>
    /// <exception cref="FileNotFoundException">The file does not exist (the message names the path as resolved).</exception>
    /// <exception cref="InvalidDataException">The file is not a decodable image.</exception>
    public static byte[] ToPng(SsmAnomalyTransformer model, string imagePath, float[] anomalyMap, int maxSide = DefaultMaxSide)
    {
        ArgumentNullException.ThrowIfNull(imagePath);
        ArgumentNullException.ThrowIfNull(model);
        imagePath = model.ResolvePath(imagePath);
        var source = ImageFile.ReadSize(imagePath, model.ReadsFilesUpright);
        var (width, height) = Fitted(source, maxSide);
        return Picture(model, ImageFile.LoadResized(imagePath, 3, height, width, model.ReadsFilesUpright), anomalyMap, source);
    }

    /// <summary>The picture of an image file's bytes (an upload: PNG, JPEG, BMP, WebP, TIFF, JPEG 2000 or DICOM), PNG bytes, longest side at most
    /// <paramref name="maxSide"/>, never enlarged.</summary>
    /// <param name="model">The model that scored the image.</param>
    /// <param name="encodedImage">The whole image file, as the model was given it.</param>
    /// <param name="anomalyMap">The image's <c>AnomalyMap</c> column value (<see cref="SsmAnomalyTransformer.MapWidth"/> × MapHeight values).</param>
    /// <param name="maxSide">Longest side of the picture.</param>
    /// <exception cref="InvalidDataException">The bytes are not a decodable image.</exception>
    public static byte[] ToPng(SsmAnomalyTransformer model, byte[] encodedImage, float[] anomalyMap, int maxSide = DefaultMaxSide)
    {
        ArgumentNullException.ThrowIfNull(encodedImage);
        ArgumentNullException.ThrowIfNull(model);
        var source = ImageFile.ReadSize(encodedImage, model.ReadsFilesUpright);
        var (width, height) = Fitted(source, maxSide);
        return Picture(model, ImageFile.DecodeResized(encodedImage, 3, height, width, model.ReadsFilesUpright), anomalyMap, source);
    }

    /// <summary>The picture of an image column's value (an <see cref="MLImage"/> from <c>LoadImages</c>), PNG bytes, longest
    /// side at most <paramref name="maxSide"/>, never enlarged. It is drawn from the image's pixels, so it shows what a model
    /// with an image input saw: ML.NET's decoding, which does not turn photos by their EXIF orientation (a file's picture,
    /// from the path overload, does).</summary>
    /// <param name="model">The model that scored the image.</param>
    /// <param name="image">The image the model was given.</param>
    /// <param name="anomalyMap">The image's <c>AnomalyMap</c> column value (<see cref="SsmAnomalyTransformer.MapWidth"/> × MapHeight values).</param>
    /// <param name="maxSide">Longest side of the picture.</param>
    public static byte[] ToPng(SsmAnomalyTransformer model, MLImage image, float[] anomalyMap, int maxSide = DefaultMaxSide)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (width, height) = Fitted((image.Width, image.Height), maxSide);
        return Picture(model, SsmInput.FromMLImage(image, 3, (height, width)), anomalyMap, (image.Width, image.Height));
    }

    /// <summary>Where the model finds a defect in an image file, at the file's own size (<see cref="SsmPredictedMask"/>).</summary>
    /// <param name="model">The model that scored the image.</param>
    /// <param name="imagePath">The image file, as the model's path column gave it (relative paths read from the model's
    /// <see cref="SsmAnomalyTransformer.ImageFolder"/>).</param>
    /// <param name="anomalyMap">The image's <c>AnomalyMap</c> column value (<see cref="SsmAnomalyTransformer.MapWidth"/> × MapHeight values).</param>
    /// <exception cref="FileNotFoundException">The file does not exist (the message names the path as resolved).</exception>
    /// <exception cref="InvalidDataException">The file is not a readable image.</exception>
    public static SsmPredictedMask PredictedMask(SsmAnomalyTransformer model, string imagePath, float[] anomalyMap)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(imagePath);
        var (width, height) = model.FileSize(imagePath);
        return PredictedMask(model, anomalyMap, width, height);
    }

    /// <summary>Where the model finds a defect in an image of <paramref name="width"/> x <paramref name="height"/> (its size
    /// before the model resized it, upright: an upload's, an <see cref="MLImage"/>'s), at that size.</summary>
    /// <param name="model">The model that scored the image.</param>
    /// <param name="anomalyMap">The image's <c>AnomalyMap</c> column value (<see cref="SsmAnomalyTransformer.MapWidth"/> × MapHeight values).</param>
    /// <param name="width">The image's width.</param>
    /// <param name="height">Its height.</param>
    public static SsmPredictedMask PredictedMask(SsmAnomalyTransformer model, float[] anomalyMap, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(anomalyMap);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var map = MapSizeOf(model, anomalyMap);
        float threshold = model.MaskThresholdFor(width, height);
        return new SsmPredictedMask(width, height, [.. Enlarged(anomalyMap, map, height, width).Select(v => v >= threshold)]);
    }

    /// <summary>
    /// <paramref name="image"/> as pictures show it: an image whose brightest value is below a quarter of full scale (a
    /// 12-bit scan stored in a 16-bit file fills a sixteenth) is brightened so that value is white; others are returned as
    /// they are. Only pictures do this: the model reads the values as stored.
    /// </summary>
    public static FloatImage Visible(FloatImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        float brightest = image.Pixels.Length == 0 ? 0 : image.Pixels.Max();
        if (brightest is >= DimLimit or <= 0) return image;
        return new FloatImage(image.Channels, image.Height, image.Width, [.. image.Pixels.Select(v => v / brightest)]) { SourceSize = image.SourceSize };
    }

    private const float DimLimit = 0.25f;

    /// <summary>
    /// The overlay as PNG bytes: <paramref name="image"/> (3 channels, the picture's size) with <paramref name="heat"/> (a map
    /// already at that size, map units) blended in, a white contour from <paramref name="pixelThreshold"/> and, with
    /// <paramref name="truth"/>, the ground-truth contour in green. A dim image is brightened first (<see cref="Visible"/>).
    /// </summary>
    public static byte[] Overlay(FloatImage image, float[] heat, HeatScale colours, float pixelThreshold, bool[]? truth = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(heat);
        if (image.Channels != 3) throw new ArgumentException($"The image needs 3 channels; it has {image.Channels}.", nameof(image));
        int width = image.Width, height = image.Height, plane = width * height;
        if (heat.Length != plane) throw new ArgumentException($"The map has {heat.Length} values; the image {width}x{height} = {plane} pixels.", nameof(heat));
        image = Visible(image);
        bool[] predicted = [.. heat.Select(v => v >= pixelThreshold)];
        var picture = new FloatImage(3, height, width);
        const float a = 0.45f;
        for (int y = 0; y < height; y++)
        for (int x = 0; x < width; x++)
        {
            int i = y * width + x;
            SKColor? line = IsEdge(predicted, width, height, x, y) ? SKColors.White
                : truth is not null && IsEdge(truth, width, height, x, y) ? Green : null;
            SKColor heatColour = HeatColors.At(colours.Fraction(heat[i]));
            for (int k = 0; k < 3; k++)
                picture.Pixels[k * plane + i] = line is { } l ? Channel(l, k) / 255f
                    : (1 - a) * image.Pixels[k * plane + i] + a * Channel(heatColour, k) / 255f;
        }
        return ImageFile.EncodePng(picture);
    }

    /// <summary>
    /// The map at a picture's size (<see cref="AnomalyMapResize.ToImageSize(float[], ValueTuple{int, int}, int, int)"/>), keeping its maximum at the pixel where its
    /// cell lies: interpolation lowers a peak, and the contour of an image that scored just above the threshold, drawn
    /// where the map reaches it, would vanish (a verification found 5 such images 0.001 above their thresholds). Values
    /// never exceed the map's maximum, so a passed image never gets a contour either.
    /// </summary>
    public static float[] Enlarged(float[] anomalyMap, int side, int height, int width) => Enlarged(anomalyMap, (side, side), height, width);

    /// <summary>As <see cref="Enlarged(float[], int, int, int)"/> for a map of <paramref name="mapSize"/> (a tiled model's).</summary>
    public static float[] Enlarged(float[] anomalyMap, (int Width, int Height) mapSize, int height, int width)
    {
        var heat = AnomalyMapResize.ToImageSize(anomalyMap, mapSize, height, width);
        var (x, y, value) = Peak(anomalyMap, mapSize, width, height);
        heat[y * width + x] = Math.Max(heat[y * width + x], value);
        return heat;
    }

    /// <summary>Where the map is highest, as a pixel of an image of <paramref name="width"/> x <paramref name="height"/> (the
    /// centre of the map cell, stretched as the map is), and the map's value there: the first of equal maxima, row by row.</summary>
    /// <param name="anomalyMap">An <c>AnomalyMap</c> value: <paramref name="side"/>² values, row-major.</param>
    /// <param name="side">The side of the model's square map (<see cref="SsmAnomalyTransformer.ImageSize"/> without tiles).</param>
    /// <param name="width">The image's width as the model read it (upright: <see cref="ImageFile.ReadSize(string, bool)"/>).</param>
    /// <param name="height">The image's height, likewise.</param>
    public static (int X, int Y, float Value) Peak(float[] anomalyMap, int side, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(side, 1);
        return Peak(anomalyMap, (side, side), width, height);
    }

    /// <summary>As <see cref="Peak(float[], int, int, int)"/> for a map of <paramref name="mapSize"/>
    /// (<see cref="SsmAnomalyTransformer.MapWidth"/>, <see cref="SsmAnomalyTransformer.MapHeight"/>).</summary>
    public static (int X, int Y, float Value) Peak(float[] anomalyMap, (int Width, int Height) mapSize, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(anomalyMap);
        var (mapWidth, mapHeight) = mapSize;
        ArgumentOutOfRangeException.ThrowIfLessThan(mapWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(mapHeight, 1);
        if (anomalyMap.Length != (long)mapWidth * mapHeight)
            throw new ArgumentException($"The map has {anomalyMap.Length} values; {mapWidth}x{mapHeight} needs {(long)mapWidth * mapHeight}.", nameof(anomalyMap));
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        int peak = 0;
        for (int i = 1; i < anomalyMap.Length; i++) if (anomalyMap[i] > anomalyMap[peak]) peak = i;
        int y = Math.Clamp((int)((peak / mapWidth + 0.5) * height / mapHeight), 0, height - 1);
        int x = Math.Clamp((int)((peak % mapWidth + 0.5) * width / mapWidth), 0, width - 1);
        return (x, y, anomalyMap[peak]);
    }

    /// <summary>Where the map of an image file is highest, in that file's pixels as shown (<see cref="Peak(float[], int, int, int)"/>).</summary>
    /// <param name="model">The model that scored the image.</param>
    /// <param name="imagePath">The image file, as the model's path column gave it (relative paths read from the model's
    /// <see cref="SsmAnomalyTransformer.ImageFolder"/>).</param>
    /// <param name="anomalyMap">The image's <c>AnomalyMap</c> column value.</param>
    /// <exception cref="FileNotFoundException">The file does not exist (the message names the path as resolved).</exception>
    /// <exception cref="InvalidDataException">The file is not a readable image.</exception>
    public static (int X, int Y, float Value) Peak(SsmAnomalyTransformer model, string imagePath, float[] anomalyMap)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(imagePath);
        var (width, height) = model.FileSize(imagePath);
        return Peak(anomalyMap, MapSizeOf(model, anomalyMap), width, height);
    }

    /// <summary>Width and height with the longest side <paramref name="longest"/> and the ratio of <paramref name="width"/> to <paramref name="height"/>.</summary>
    internal static (int Width, int Height) Fit(int width, int height, int longest)
    {
        double scale = (double)longest / Math.Max(width, height);
        return (Math.Max(1, (int)Math.Round(width * scale)), Math.Max(1, (int)Math.Round(height * scale)));
    }

    private static (int Width, int Height) Fitted((int Width, int Height) source, int maxSide)
    {
        if (maxSide < 1) throw new ArgumentOutOfRangeException(nameof(maxSide), maxSide, "The longest side must be at least 1 pixel.");
        return Fit(source.Width, source.Height, Math.Min(maxSide, Math.Max(source.Width, source.Height)));
    }

    private static byte[] Picture(SsmAnomalyTransformer model, FloatImage image, float[] anomalyMap, (int Width, int Height) source)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(anomalyMap);
        var heat = Enlarged(anomalyMap, MapSizeOf(model, anomalyMap), image.Height, image.Width);
        return Overlay(image, heat, HeatScale.Of(model, source.Width, source.Height), model.MaskThresholdFor(source.Width, source.Height));
    }

    /// <summary>The model's map size, checked against <paramref name="anomalyMap"/>'s length.</summary>
    private static (int Width, int Height) MapSizeOf(SsmAnomalyTransformer model, float[] anomalyMap)
    {
        var (w, h) = (model.MapWidth, model.MapHeight);
        if (anomalyMap.Length != w * h)
            throw new ArgumentException($"The anomaly map has {anomalyMap.Length} values; this model's maps have {w}x{h} = {w * h}.", nameof(anomalyMap));
        return (w, h);
    }

    private static byte Channel(SKColor colour, int k) => k == 0 ? colour.Red : k == 1 ? colour.Green : colour.Blue;

    private static bool IsEdge(bool[] mask, int width, int height, int x, int y)
    {
        int i = y * width + x;
        if (!mask[i]) return false;
        return x == 0 || y == 0 || x == width - 1 || y == height - 1
            || !mask[i - 1] || !mask[i + 1] || !mask[i - width] || !mask[i + width];
    }
}
