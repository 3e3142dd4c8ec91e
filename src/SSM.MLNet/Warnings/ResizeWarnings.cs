using System.Globalization;
using SSM.Core.Data;

namespace SSM.MLNet;

/// <summary>
/// What reading the training images at the model's size (S x S, or a tile grid's Columns x S by Rows x S) costs them, said
/// before training: it shrinks them, so a defect narrower than the factor becomes less than a pixel, and squashes those of
/// other proportions, so a defect shrinks more one way than the other. Neither shows in the log's "at 64x64"; a
/// walkthrough's 1024 x 128 strips read in 4x1 tiles of 32 (shrunk 8 times, squashed 2) found none of 12 defects.
/// </summary>
internal static class ResizeWarnings
{
    /// <summary>The factor from which shrinking is said: a defect of 4 px along the most shrunk side becomes one.</summary>
    public const int NotedShrink = 4;

    /// <summary>The squash from which it is said: proportions off by a fifth.</summary>
    public const double NotedSquash = 1.2;

    /// <summary>The warning that every image is shrunk at least <see cref="NotedShrink"/> times along its most shrunk side, or null.</summary>
    /// <param name="sizes">The training images' sizes as given.</param>
    /// <param name="tiles">The tiles each image is cut into (<see cref="TileGrid.Whole"/> for none).</param>
    /// <param name="imageSize">The side S each tile is read at.</param>
    /// <param name="fineTuning">Whether the images fine-tune a model, whose size and tiles are its training's: the remedy is a new model.</param>
    public static string? Shrinking(IReadOnlyCollection<(int Width, int Height)> sizes, TileGrid tiles, int imageSize, bool fineTuning = false)
    {
        // Along the most shrunk side: by the shortest side, 2048 x 256 strips read at 256 px, shrunk 8 times along, got no word.
        var (readWidth, readHeight) = tiles.ReadSize(imageSize);
        int shrunk = sizes.Count > 0 ? sizes.Min(s => Math.Max(s.Width / readWidth, s.Height / readHeight)) : 0;
        if (shrunk < NotedShrink) return null;
        return $"SSM: all {sizes.Count} images are shrunk at least {shrunk} times along one side to {Read(tiles, imageSize)}: a defect narrower " +
               $"than {shrunk} px along it becomes less than a pixel. " +
               (fineTuning
                   ? $"The model reads images so since its training: for small defects train a new model with a larger {nameof(SsmAnomalyDetectionOptions.ImageSize)} " +
                     $"or with {nameof(SsmAnomalyDetectionOptions.Tiles)}."
                   : $"For small defects give a larger {nameof(SsmAnomalyDetectionOptions.ImageSize)} (training time and memory grow with its square) " +
                     $"or cut the images into tiles with {nameof(SsmAnomalyDetectionOptions.Tiles)} (each epoch as many times longer).");
    }

    /// <summary>The warning that every image is squashed at least <see cref="NotedSquash"/> times to the tiles' shape, with the
    /// tiles that keep their proportions when there are such, or null.</summary>
    /// <param name="sizes">The training images' sizes as given.</param>
    /// <param name="tiles">The tiles each image is cut into (<see cref="TileGrid.Whole"/> for none).</param>
    /// <param name="imageSize">The side S each tile is read at.</param>
    /// <param name="fineTuning">Whether the images fine-tune a model, whose tiles are its training's: other tiles need a new model.</param>
    public static string? Squashing(IReadOnlyCollection<(int Width, int Height)> sizes, TileGrid tiles, int imageSize, bool fineTuning = false)
    {
        if (sizes.Count == 0) return null;
        var least = sizes.MinBy(s => Squash(s, tiles));
        if (Squash(least, tiles) < NotedSquash) return null;
        var proportional = Proportional(least);
        string fix = (proportional.Columns, proportional.Rows) != (tiles.Columns, tiles.Rows) && Squash(least, proportional) < NotedSquash
            ? $"{(fineTuning ? "A new model with " : "")}{nameof(SsmAnomalyDetectionOptions.Tiles)} = new TileGrid({proportional.Columns}, {proportional.Rows}) keeps their proportions."
            : tiles.Count == 1 ? "Cropping to square parts keeps the proportions." : "Cropping them to the tiles' proportions keeps theirs.";
        return (tiles.Count == 1 ? string.Create(CultureInfo.InvariantCulture, $"SSM: all {sizes.Count} images are oblong ({Aspect(least):0.##}:1 or more")
                   : string.Create(CultureInfo.InvariantCulture, $"SSM: all {sizes.Count} images differ in proportions from their tiles ({Squash(least, tiles):0.##} times or more")) +
               $", e.g. {least.Width} x {least.Height}) and are squashed to {Read(tiles, imageSize)}: a defect shrinks more one way than the " +
               $"other; heat maps are stretched back onto the images. {fix}";
    }

    /// <summary>What the model reads: "64 x 64", or "512 x 64 (8x1 tiles of 64)".</summary>
    public static string Read(TileGrid tiles, int imageSize)
    {
        var (width, height) = tiles.ReadSize(imageSize);
        return tiles.Count == 1 ? $"{imageSize} x {imageSize}" : $"{width} x {height} ({tiles} tiles of {imageSize})";
    }

    /// <summary>How much more one way than the other an image is resized to the tiles' shape: 1 when its proportions are theirs.</summary>
    private static double Squash((int Width, int Height) size, TileGrid tiles)
    {
        double ratio = (double)size.Width / Math.Max(1, size.Height) * tiles.Rows / tiles.Columns;
        return Math.Max(ratio, 1 / ratio);
    }

    /// <summary>The tiles of an image's proportions: 8x1 for a 2048 x 256 strip, 1x1 for a square.</summary>
    private static TileGrid Proportional((int Width, int Height) size)
    {
        int across = Math.Clamp((int)Math.Round((double)size.Width / Math.Max(1, size.Height)), 1, TileGrid.MaxTiles);
        int down = Math.Clamp((int)Math.Round((double)size.Height / Math.Max(1, size.Width)), 1, TileGrid.MaxTiles);
        return new TileGrid(across, down);
    }

    /// <summary>Longest side over shortest: 1 for a square image.</summary>
    private static double Aspect((int Width, int Height) size) =>
        (double)Math.Max(size.Width, size.Height) / Math.Max(1, Math.Min(size.Width, size.Height));
}
