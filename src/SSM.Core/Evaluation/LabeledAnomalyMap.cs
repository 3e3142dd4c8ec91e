namespace SSM.Core.Evaluation;

/// <summary>
/// One image's anomaly map with its ground-truth mask, both row-major <see cref="Height"/> × <see cref="Width"/>.
/// Lets pixel metrics take images of different sizes. The arrays are referenced, not copied.
/// </summary>
public readonly struct LabeledAnomalyMap
{
    /// <summary>Pairs a map with its mask; both must hold <paramref name="height"/> × <paramref name="width"/> values.</summary>
    /// <param name="map">Per-pixel anomaly scores, higher = more anomalous.</param>
    /// <param name="mask">Per-pixel ground truth, true = anomalous; all false for a good image.</param>
    /// <param name="height">Rows.</param>
    /// <param name="width">Columns.</param>
    public LabeledAnomalyMap(float[] map, bool[] mask, int height, int width)
    {
        Check(map, mask, height, width, where: "");
        Map = map;
        Mask = mask;
        Height = height;
        Width = width;
    }

    /// <summary>Per-pixel anomaly scores, row-major.</summary>
    public float[] Map { get; }

    /// <summary>Per-pixel ground truth, row-major; true = anomalous.</summary>
    public bool[] Mask { get; }

    /// <summary>Rows of the map and the mask.</summary>
    public int Height { get; }
    /// <summary>Columns of the map and the mask.</summary>
    public int Width { get; }

    /// <summary>Pairs parallel lists of same-size maps and masks, validating counts and sizes.</summary>
    internal static LabeledAnomalyMap[] Zip(IReadOnlyList<float[]> anomalyMaps, IReadOnlyList<bool[]> groundTruthMasks, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(anomalyMaps);
        ArgumentNullException.ThrowIfNull(groundTruthMasks);
        if (anomalyMaps.Count != groundTruthMasks.Count)
            throw new ArgumentException(
                $"{anomalyMaps.Count} anomaly maps but {groundTruthMasks.Count} ground-truth masks were given; they must pair up.", nameof(groundTruthMasks));
        var images = new LabeledAnomalyMap[anomalyMaps.Count];
        for (int i = 0; i < images.Length; i++)
        {
            // Checked here first so that a bad entry is reported with its index.
            Check(anomalyMaps[i], groundTruthMasks[i], height, width, where: $"Image {i}: ");
            images[i] = new LabeledAnomalyMap(anomalyMaps[i], groundTruthMasks[i], height, width);
        }
        return images;
    }

    private static void Check(float[]? map, bool[]? mask, int height, int width, string where)
    {
        if (map is null) throw new ArgumentNullException(nameof(map), $"{where}The anomaly map is null.");
        if (mask is null) throw new ArgumentNullException(nameof(mask), $"{where}The ground-truth mask is null.");
        if (height < 1 || width < 1)
            throw new ArgumentOutOfRangeException(nameof(height), $"{where}Image size {height}x{width} is empty.");
        long pixels = (long)height * width;
        if (map.Length != pixels)
            throw new ArgumentException($"{where}The map has {map.Length} values but {height}x{width} = {pixels} were expected.", nameof(map));
        if (mask.Length != pixels)
            throw new ArgumentException($"{where}The mask has {mask.Length} values but {height}x{width} = {pixels} were expected.", nameof(mask));
    }

    /// <summary>Rejects a default instance (which skipped the constructor's checks).</summary>
    internal void RequireInitialized(int index)
    {
        if (Map is null || Mask is null)
            throw new ArgumentException($"Image {index} is an uninitialized {nameof(LabeledAnomalyMap)}.", "images");
    }
}
