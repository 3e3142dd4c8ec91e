using System.Globalization;

namespace SSM.Core.Data;

/// <summary>
/// Tiles of a large or long image: every image is resized to <see cref="Columns"/> x S by <see cref="Rows"/> x S and cut
/// into Columns x Rows tiles of S x S, which the network trains on and scores as images of their own. A 2048 x 256
/// line-scan strip read as 8 x 1 tiles of 128 px is shrunk 2 times, where read whole at 128 px it is shrunk 16 times
/// along its length, and a pinhole of 3 pixels vanishes. An image's score is the highest of its tiles' scores, and its
/// anomaly map the tiles' maps put side by side (<see cref="Stitch"/>): Columns x S wide and Rows x S high.
/// </summary>
/// <param name="Columns">Tiles across, 1 to <see cref="MaxTiles"/>.</param>
/// <param name="Rows">Tiles down, 1 to <see cref="MaxTiles"/>.</param>
public sealed record TileGrid(int Columns, int Rows)
{
    /// <summary>Most tiles across or down: 16 (an image of 16 x 16 tiles is scored as 256 images).</summary>
    public const int MaxTiles = 16;

    /// <summary>One tile: the whole image, as without tiling.</summary>
    public static TileGrid Whole { get; } = new(1, 1);

    /// <summary>Tiles per image.</summary>
    public int Count => Columns * Rows;

    /// <summary>Whether both counts are from 1 to <see cref="MaxTiles"/>: what <see cref="Validate"/>, <see cref="Parse"/> and
    /// the ML.NET options accept.</summary>
    public bool InRange => Columns is >= 1 and <= MaxTiles && Rows is >= 1 and <= MaxTiles;

    /// <summary>Throws with the setting's name when a count is out of range.</summary>
    public void Validate()
    {
        if (!InRange)
            throw new ArgumentOutOfRangeException("Tiles", this, $"Tiles across and down must each be from 1 to {MaxTiles} (got {this}).");
    }

    /// <summary>"8x1": tiles across, then down.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Columns}x{Rows}");

    /// <summary>Reads "8x1" or "8 x 1" (across x down) or "4" (4 x 4); null when <paramref name="text"/> is neither or out of range.</summary>
    public static TileGrid? Parse(string? text)
    {
        var parts = (text ?? "").Replace(" ", "").ToLowerInvariant().Split('x');
        if (parts.Length is not (1 or 2)) return null;
        var counts = parts.Select(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1).ToArray();
        var grid = new TileGrid(counts[0], counts[^1]);
        return grid.InRange ? grid : null;
    }

    /// <summary>
    /// The tiles of <paramref name="image"/>, left to right and then top to bottom, each <paramref name="tileSide"/> square:
    /// the image resized to Columns x side by Rows x side first (not when it already is). Each tile's
    /// <see cref="FloatImage.SourceSize"/> is its share of the image's, so the size correction and the minimum-size check
    /// judge a tile by the pixels it came from.
    /// </summary>
    public FloatImage[] Cut(FloatImage image, int tileSide)
    {
        ArgumentNullException.ThrowIfNull(image);
        int width = Columns * tileSide, height = Rows * tileSide;
        var whole = image.Width == width && image.Height == height ? image : ImageResize.Resize(image, height, width);
        var source = TileSourceSize(image.SourceSize);
        var tiles = new FloatImage[Count];
        for (int row = 0; row < Rows; row++)
            for (int column = 0; column < Columns; column++)
            {
                var tile = new FloatImage(image.Channels, tileSide, tileSide) { SourceSize = source };
                for (int c = 0; c < image.Channels; c++)
                    for (int y = 0; y < tileSide; y++)
                        Array.Copy(whole.Pixels, (c * height + row * tileSide + y) * width + column * tileSide,
                            tile.Pixels, (c * tileSide + y) * tileSide, tileSide);
                tiles[row * Columns + column] = tile;
            }
        return tiles;
    }

    /// <summary>The part of an image of <paramref name="imageSize"/> each tile is cut from: what the size correction knows of a tile.</summary>
    public (int Width, int Height) TileSourceSize((int Width, int Height) imageSize) =>
        (Math.Max(1, (int)Math.Round((double)imageSize.Width / Columns)), Math.Max(1, (int)Math.Round((double)imageSize.Height / Rows)));

    /// <summary>Why an image of <paramref name="imageSize"/> (as given, before any resize), named <paramref name="what"/>, cannot
    /// be cut into these tiles: a tile would come from less than <see cref="ImageCache.MinimumSide"/> pixels each way. Null
    /// when it can, and for one tile (the whole image, which <see cref="ImageCache.SizeProblem"/> judges).</summary>
    public string? SizeProblem(string what, (int Width, int Height) imageSize)
    {
        int least = ImageCache.MinimumSide;
        return Count > 1 && ImageCache.SizeProblem("A tile", TileSourceSize(imageSize)) is not null
            ? $"{what} is {imageSize.Width}x{imageSize.Height} pixels: too small to cut into {this} tiles of at least {least}x{least}."
            : null;
    }

    /// <summary>Each image's score from its tiles' scores (<see cref="Count"/> in a row, as <see cref="Cut"/> gives them): the
    /// highest, so a defect in any tile flags its image. Scoring and calibration both take it.</summary>
    public float[] ImageScores(float[] tileScores) =>
        Count == 1 ? tileScores : [.. tileScores.Chunk(Count).Select(t => t.Max())];

    /// <summary>
    /// One image's anomaly map from its tiles' maps (each tileSide x tileSide, in <see cref="Cut"/>'s order): put side by
    /// side, Columns x tileSide wide and Rows x tileSide high, row-major.
    /// </summary>
    public float[] Stitch(IReadOnlyList<float[]> tileMaps, int tileSide)
    {
        ArgumentNullException.ThrowIfNull(tileMaps);
        if (tileMaps.Count != Count) throw new ArgumentException($"A {this} grid has {Count} tiles, got {tileMaps.Count} maps.", nameof(tileMaps));
        int width = Columns * tileSide, height = Rows * tileSide;
        var map = new float[width * height];
        for (int t = 0; t < Count; t++)
        {
            int row = t / Columns, column = t % Columns;
            if (tileMaps[t].Length != tileSide * tileSide)
                throw new ArgumentException($"Tile {t}'s map has {tileMaps[t].Length} values, not {tileSide * tileSide}.", nameof(tileMaps));
            for (int y = 0; y < tileSide; y++)
                Array.Copy(tileMaps[t], y * tileSide, map, (row * tileSide + y) * width + column * tileSide, tileSide);
        }
        return map;
    }
}
