using System.Globalization;
using System.Text.Json.Serialization;

namespace SSM.Core.Data;

/// <summary>
/// Tiles of a large or long image: every image is resized to <see cref="Columns"/> x S by <see cref="Rows"/> x S and cut
/// into Columns x Rows tiles of S x S, which the network trains on and scores as images of their own. A 2048 x 256
/// line-scan strip read as 8 x 1 tiles of 128 px is shrunk 2 times, where read whole at 128 px it is shrunk 16 times
/// along its length, and a pinhole of 3 pixels vanishes. An image's score is the highest of its tiles' scores, and its
/// anomaly map the tiles' maps put together (<see cref="Stitch"/>): Columns x S wide and Rows x S high.
/// <para>Overlapping tiles add a tile across every border, half on each side, so a defect on a border lies whole inside
/// one tile and away from that tile's edges, where the network has the least context to restore from. On a walkthrough's
/// strips every defect 8 x 1 side-by-side tiles missed lay within 12 px of a border.</para>
/// </summary>
/// <param name="Columns">Tiles across, 1 to <see cref="MaxTiles"/>, side by side.</param>
/// <param name="Rows">Tiles down, 1 to <see cref="MaxTiles"/>, side by side.</param>
/// <param name="Overlapping">Whether tiles are also cut across the borders, half a tile on: 2 x Columns - 1 across and
/// 2 x Rows - 1 down (<see cref="Across"/>, <see cref="Down"/>), at the same read size. Default true: on those strips 22 of
/// 24 defects were found instead of 20 (image AUROC 0.963 against 0.871), with no good strip flagged, for about twice the
/// scoring time (docs/reliability.md, "Overlapping tiles").</param>
public sealed record TileGrid(int Columns, int Rows, bool Overlapping = true)
{
    /// <summary>Most tiles across or down: 16 (an image of 16 x 16 tiles is scored as 256 images, or 961 overlapping).</summary>
    public const int MaxTiles = 16;

    /// <summary>One tile: the whole image, as without tiling.</summary>
    public static TileGrid Whole { get; } = new(1, 1, Overlapping: false);

    /// <summary>Tiles cut across the image: <see cref="Columns"/>, or 2 x Columns - 1 when <see cref="Overlapping"/>.</summary>
    [JsonIgnore]
    public int Across => Overlapping ? 2 * Columns - 1 : Columns;

    /// <summary>Tiles cut down the image: <see cref="Rows"/>, or 2 x Rows - 1 when <see cref="Overlapping"/>.</summary>
    [JsonIgnore]
    public int Down => Overlapping ? 2 * Rows - 1 : Rows;

    /// <summary>Tiles per image: <see cref="Across"/> x <see cref="Down"/>.</summary>
    [JsonIgnore]
    public int Count => Across * Down;

    /// <summary>Whether both counts are from 1 to <see cref="MaxTiles"/>: what <see cref="Validate"/>, <see cref="Parse"/> and
    /// the ML.NET options accept.</summary>
    [JsonIgnore]
    public bool InRange => Columns is >= 1 and <= MaxTiles && Rows is >= 1 and <= MaxTiles;

    /// <summary>The size an image is resized to before it is cut into tiles of <paramref name="tileSide"/>, and of its stitched
    /// map: Columns x tileSide by Rows x tileSide (overlapping or not).</summary>
    public (int Width, int Height) ReadSize(int tileSide) => (Columns * tileSide, Rows * tileSide);

    /// <summary>Throws with the setting's name when a count is out of range.</summary>
    public void Validate()
    {
        if (!InRange)
            throw new ArgumentOutOfRangeException("Tiles", this, $"Tiles across and down must each be from 1 to {MaxTiles} (got {this}).");
    }

    /// <summary>"8x1": tiles across, then down, side by side (what <see cref="Parse"/> reads; overlapping or not).</summary>
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
        var (width, height) = ReadSize(tileSide);
        var whole = image.Width == width && image.Height == height ? image : ImageResize.Resize(image, height, width);
        var source = TileSourceSize(image.SourceSize);
        var (lefts, tops) = (Starts(Across, width, tileSide), Starts(Down, height, tileSide));
        var tiles = new FloatImage[Count];
        for (int row = 0; row < Down; row++)
            for (int column = 0; column < Across; column++)
            {
                var tile = new FloatImage(image.Channels, tileSide, tileSide) { SourceSize = source };
                for (int c = 0; c < image.Channels; c++)
                    for (int y = 0; y < tileSide; y++)
                        Array.Copy(whole.Pixels, (c * height + tops[row] + y) * width + lefts[column],
                            tile.Pixels, (c * tileSide + y) * tileSide, tileSide);
                tiles[row * Across + column] = tile;
            }
        return tiles;
    }

    /// <summary>Where each of <paramref name="count"/> tiles of <paramref name="side"/> starts along a length of
    /// <paramref name="length"/>: evenly from 0 to the end, so side by side or half a tile on (for an even side).</summary>
    private static int[] Starts(int count, int length, int side) =>
        count == 1 ? [0] : [.. Enumerable.Range(0, count).Select(k => (int)Math.Round((double)k * (length - side) / (count - 1)))];

    /// <summary>The part of an image of <paramref name="imageSize"/> each tile is cut from: what the size correction knows of a tile.</summary>
    public (int Width, int Height) TileSourceSize((int Width, int Height) imageSize) =>
        (Math.Max(1, (int)Math.Round((double)imageSize.Width / Columns)), Math.Max(1, (int)Math.Round((double)imageSize.Height / Rows)));

    /// <summary>Why an image of <paramref name="imageSize"/> (as given, before any resize), named <paramref name="what"/>, cannot
    /// be cut into these tiles: a tile would come from less than <see cref="ImageCache.MinimumSide"/> pixels each way. Null
    /// when it can, and for one tile (the whole image, which <see cref="ImageCache.SizeProblem"/> judges).</summary>
    public string? SizeProblem(string what, (int Width, int Height) imageSize)
    {
        int least = ImageCache.MinimumSide;
        if (Count == 1 || ImageCache.SizeProblem("A tile", TileSourceSize(imageSize)) is null) return null;
        // The grid that fits it, for a user who has one small image among large ones or asked for too many tiles.
        int Fitting(int tiles, int side) => Enumerable.Range(1, tiles).Last(n => n == 1 || Math.Round((double)side / n) >= least);
        return $"{what} is {imageSize.Width}x{imageSize.Height} pixels: too small to cut into {this} tiles of at least {least}x{least} " +
               $"(at most {Fitting(Columns, imageSize.Width)}x{Fitting(Rows, imageSize.Height)} tiles fit it).";
    }

    /// <summary>Each image's score from its tiles' scores (<see cref="Count"/> in a row, as <see cref="Cut"/> gives them): the
    /// highest, so a defect in any tile flags its image. Scoring and calibration both take it.</summary>
    public float[] ImageScores(float[] tileScores) =>
        Count == 1 ? tileScores : [.. tileScores.Chunk(Count).Select(t => t.Max())];

    /// <summary>
    /// One image's anomaly map from its tiles' maps (each tileSide x tileSide, in <see cref="Cut"/>'s order): Columns x
    /// tileSide wide and Rows x tileSide high, row-major. Side by side tiles are put back in their places; where
    /// overlapping ones cover a pixel together, it shows the highest of their values. So the map's maximum is its highest
    /// tile's, the image's score (<see cref="ImageScores"/>), and a contour at the decision threshold marks where the
    /// verdict comes from: with each pixel shown by the tile it lay most inside, a tile scoring from near its own edge
    /// flagged images whose maps stayed below the threshold everywhere (4 of 7 flagged in a 4x4 run of generated textures).
    /// </summary>
    public float[] Stitch(IReadOnlyList<float[]> tileMaps, int tileSide)
    {
        ArgumentNullException.ThrowIfNull(tileMaps);
        if (tileMaps.Count != Count) throw new ArgumentException($"A grid of {Describe()} has {Count} tiles, got {tileMaps.Count} maps.", nameof(tileMaps));
        var map = EmptyMap(tileSide);
        for (int t = 0; t < Count; t++) Place(map, t, tileMaps[t], tileSide);
        return map;
    }

    /// <summary>An image's map before any tile is placed (<see cref="Place"/>): every value negative infinity, below what
    /// any tile's map can hold, so each pixel ends at the highest value placed on it.</summary>
    public float[] EmptyMap(int tileSide)
    {
        var (width, height) = ReadSize(tileSide);
        var map = new float[width * height];
        Array.Fill(map, float.NegativeInfinity);
        return map;
    }

    /// <summary>Places tile <paramref name="tile"/>'s map (tileSide x tileSide, in <see cref="Cut"/>'s order) on its part of an
    /// image's <paramref name="map"/> (from <see cref="EmptyMap"/>), each pixel keeping the higher of its value and the
    /// tile's, so a caller can stitch a batch of tiles at a time, in any order (<see cref="Stitch"/>).</summary>
    public void Place(float[] map, int tile, ReadOnlySpan<float> tileMap, int tileSide)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentOutOfRangeException.ThrowIfNegative(tile);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(tile, Count);
        var (width, height) = ReadSize(tileSide);
        if (map.Length != width * height) throw new ArgumentException($"A map of {Describe()} of {tileSide} px has {width * height} values, not {map.Length}.", nameof(map));
        if (tileMap.Length != tileSide * tileSide)
            throw new ArgumentException($"Tile {tile}'s map has {tileMap.Length} values, not {tileSide * tileSide}.", nameof(tileMap));
        int left = Starts(Across, width, tileSide)[tile % Across], top = Starts(Down, height, tileSide)[tile / Across];
        for (int y = 0; y < tileSide; y++)
        {
            var source = tileMap.Slice(y * tileSide, tileSide);
            var target = map.AsSpan((top + y) * width + left, tileSide);
            // Math.Max keeps a NaN, as the tile's score (its maximum) does.
            for (int x = 0; x < tileSide; x++) target[x] = Math.Max(target[x], source[x]);
        }
    }

    /// <summary>How the tiles overlap, as <c>--tile-overlap</c> names it: "half" or "none" (side by side).</summary>
    [JsonIgnore]
    public string OverlapName => Overlapping ? "half" : "none";

    /// <summary>"8x1 tiles", "8x1 overlapping tiles" or "whole images": how messages name the grid.</summary>
    public string Describe() => Count == 1 ? "whole images" : Overlapping ? $"{this} overlapping tiles" : $"{this} tiles";
}
