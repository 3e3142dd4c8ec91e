using static TorchSharp.torch;

namespace SSM.Core.Scoring;

/// <summary>
/// Per-pixel mean and scale of the raw anomaly maps of held-out normal images, one plane per restoration error
/// (<see cref="ScoringOptions.ErrorKinds"/>). Standardising a map with them, (map - mean) / scale averaged over the
/// planes, removes the errors the network makes at the same place on every normal image (borders, edges of the part,
/// fixed structures), which would otherwise dominate the image score, and puts different errors on one scale.
/// </summary>
public sealed record NormalMapStatistics
{
    /// <summary>
    /// Weight, in images, of the prior that every pixel's own mean and variance are shrunk towards: pixel estimate =
    /// (n * own + <see cref="PriorImages"/> * prior) / (n + <see cref="PriorImages"/>), the prior being the pixel's average
    /// over its images under the square's mirrors and quarter turns, tilted by how much its neighbourhood exceeds theirs.
    /// With few held-out images (5 in a 50-image folder) the statistics are mostly the prior's: they still know that the
    /// network errs more at every border and corner, where a plane-wide prior (before 2026-12-01) outlined the border of
    /// every good image's map; with many (76 on MTD) they are mostly per pixel. It also keeps pixels that happen to vary
    /// little on the held-out images from blowing up.
    /// </summary>
    public const int PriorImages = 8;

    /// <summary>Number of planes K (restoration errors).</summary>
    public int Kinds { get; init; } = 1;

    /// <summary>Per-pixel mean of the normal maps, shrunk towards its prior (<see cref="PriorImages"/>), K x S x S (plane-major, then row-major).</summary>
    public float[] Mean { get; init; } = [];

    /// <summary>Per-pixel standard deviation (shrunk like the mean), K x S x S.</summary>
    public float[] Scale { get; init; } = [];

    /// <summary>Statistics of a set of raw maps (at least 2), each K x S x S; each pixel's scale at least
    /// <paramref name="minimumScale"/>'s (K x S x S) when given.</summary>
    public static NormalMapStatistics Compute(IReadOnlyList<float[]> maps, int kinds, float[]? minimumScale = null)
    {
        var (sum, squares) = Sums(maps);
        return FromSums(sum, squares, maps.Count, kinds, without: null, minimumScale);
    }

    /// <summary>
    /// The image score (maximum of the standardised map's <paramref name="planes"/>, all when null) of every given normal map,
    /// each standardised with statistics of the others (leave one out): with statistics that include the image itself its
    /// score would be biased low. Maps come in groups of <paramref name="group"/> (an image's tiles, one after another), and
    /// a map's whole group is left out: tiles of one image share its lighting, and overlapping ones share pixels. When that
    /// would leave fewer than 2 maps (one held-out image), each map is left out alone. Each pixel's scale is at least
    /// <paramref name="minimumScale"/>'s when given, as <see cref="Compute"/>'s.
    /// </summary>
    public static float[] LeaveOneOutScores(IReadOnlyList<float[]> maps, int kinds, (int Start, int Count)? planes = null, int group = 1,
        float[]? minimumScale = null)
    {
        if (maps.Count < 3) throw new ArgumentException("Leave-one-out statistics need at least 3 maps.", nameof(maps));
        if (group < 1 || maps.Count % group != 0) throw new ArgumentException($"{maps.Count} maps do not come in groups of {group}.", nameof(group));
        if (maps.Count - group < 2) group = 1;
        var (sum, squares) = Sums(maps);
        var scores = new float[maps.Count];
        for (int first = 0; first < maps.Count; first += group)
        {
            var without = maps.Skip(first).Take(group).ToArray();
            var others = FromSums(sum, squares, maps.Count, kinds, without, minimumScale);
            for (int i = first; i < first + group; i++) scores[i] = others.MaxStandardized(maps[i], planes);
        }
        return scores;
    }

    /// <summary>The maximum over pixels of the mean of (map - mean) / scale over the <paramref name="planes"/> (first, count;
    /// all when null).</summary>
    public float MaxStandardized(float[] map, (int Start, int Count)? planes = null)
    {
        int plane = map.Length / Kinds;
        var (first, count) = planes ?? (0, Kinds);
        float max = float.NegativeInfinity;
        for (int p = 0; p < plane; p++)
        {
            float z = 0;
            for (int k = first; k < first + count; k++) z += (map[k * plane + p] - Mean[k * plane + p]) / Scale[k * plane + p];
            max = Math.Max(max, z / count);
        }
        return max;
    }

    /// <summary>The mean over pixels of the mean of (map - mean) / scale over the <paramref name="planes"/>: the map's level.</summary>
    public float MeanStandardized(float[] map, (int Start, int Count) planes)
    {
        int plane = map.Length / Kinds;
        double sum = 0;
        for (int k = planes.Start; k < planes.Start + planes.Count; k++)
            for (int p = 0; p < plane; p++) sum += (map[k * plane + p] - Mean[k * plane + p]) / Scale[k * plane + p];
        return (float)(sum / (plane * planes.Count));
    }

    /// <summary>Mean and scale as [1, K, S, S] tensors on a device, for standardising batches of raw maps.</summary>
    public (Tensor Mean, Tensor Scale) ToTensors(int side, int kinds, Device device)
    {
        if (Kinds != kinds || Mean.Length != kinds * side * side || Scale.Length != Mean.Length)
            throw new InvalidDataException($"The map statistics hold {Kinds} plane(s) of {Mean.Length / Math.Max(Kinds, 1)} pixels; the model's maps have {kinds} of {side * side}.");
        // Made on the device: a tensor moved there by to() leaves the one it came from to the finaliser.
        return (tensor(Mean, [1, kinds, side, side], device: device), tensor(Scale, [1, kinds, side, side], device: device));
    }

    /// <summary>
    /// The prior of a plane of non-negative per-pixel means or variances (side x side): symmetric(v) x box(v) /
    /// symmetric(box(v)). The network errs alike at every border and corner, so the sharp part is the pixel's mean over its
    /// images under the square's eight mirrors and quarter turns (symmetric). But lighting may rise along one side of the scene (a line-scan
    /// strip's illumination ramp), which the mirrors fold onto the other side: the bright end of every map then stood out
    /// (26 of 34 peaks in the bright 30 % of a line-scan walkthrough's strips). So the slow part is the pixel's own
    /// neighbourhood's (box: a square of 2 (side / 16) + 1 pixels, at least 3; side/8 + 1 at 32, 64, 128 and 256), relative
    /// to its symmetric images', within an eighth to 8 times. Where the values are symmetric the factor is 1. A fixed
    /// structure that is not mirrored raises its neighbourhood's prior as well as its own.
    /// </summary>
    internal static double[] Prior(ReadOnlySpan<double> values, int side)
    {
        var box = Box(values, side, Math.Max(1, side / 16));
        var prior = new double[side * side];
        for (int p = 0; p < prior.Length; p++)
        {
            double symmetricBox = Symmetric(box, side, p);
            // Non-negative values (errors, variances) give a factor up to 8, the neighbourhood being one of the eight; the
            // floor of an eighth keeps a neighbourhood that never varied on the held-out images (a saturated background)
            // from a scale of nothing, which would flag any new image that varies there at all.
            prior[p] = Symmetric(values, side, p) * (symmetricBox > 0 ? Math.Clamp(box[p] / symmetricBox, 1.0 / 8, 8) : 1);
        }
        return prior;
    }

    /// <summary>The mean of <paramref name="values"/> (side x side) over pixel <paramref name="p"/>'s images under the square's
    /// eight symmetries (mirrors, quarter turns).</summary>
    private static double Symmetric(ReadOnlySpan<double> values, int side, int p)
    {
        int x = p % side, y = p / side, mx = side - 1 - x, my = side - 1 - y;
        return (values[y * side + x] + values[y * side + mx] + values[my * side + x] + values[my * side + mx]
              + values[x * side + y] + values[x * side + my] + values[mx * side + y] + values[mx * side + my]) / 8;
    }

    /// <summary>The mean over the square of radius <paramref name="radius"/> centred on each pixel, cut at the plane's edges:
    /// a window alike on both axes and centred commutes with the square's symmetries. Rows, then columns, each by running
    /// sums.</summary>
    private static double[] Box(ReadOnlySpan<double> values, int side, int radius)
    {
        var rows = new double[side * side];
        var both = new double[side * side];
        var sums = new double[side + 1];
        for (int y = 0; y < side; y++)
        {
            for (int x = 0; x < side; x++) sums[x + 1] = sums[x] + values[y * side + x];
            for (int x = 0; x < side; x++) rows[y * side + x] = Window(sums, x, radius, side);
        }
        for (int x = 0; x < side; x++)
        {
            for (int y = 0; y < side; y++) sums[y + 1] = sums[y] + rows[y * side + x];
            for (int y = 0; y < side; y++) both[y * side + x] = Window(sums, y, radius, side);
        }
        return both;
    }

    private static double Window(double[] sums, int i, int radius, int side)
    {
        int from = Math.Max(0, i - radius), to = Math.Min(side, i + radius + 1);
        return (sums[to] - sums[from]) / (to - from);
    }

    private static (double[] Sum, double[] Squares) Sums(IReadOnlyList<float[]> maps)
    {
        if (maps.Count < 2) throw new ArgumentException("Map statistics need at least 2 maps.", nameof(maps));
        int length = maps[0].Length;
        var sum = new double[length];
        var squares = new double[length];
        foreach (var m in maps)
        {
            if (m.Length != length) throw new ArgumentException("All maps must have the same size.", nameof(maps));
            for (int p = 0; p < length; p++) { sum[p] += m[p]; squares[p] += (double)m[p] * m[p]; }
        }
        return (sum, squares);
    }

    /// <summary>Statistics from per-pixel sums over n maps, optionally with some of those maps taken out.</summary>
    private static NormalMapStatistics FromSums(double[] sum, double[] squares, int n, int kinds, float[][]? without, float[]? minimumScale = null)
    {
        if (minimumScale is not null && minimumScale.Length != sum.Length)
            throw new ArgumentException($"The minimum scale has {minimumScale.Length} values; the maps have {sum.Length}.", nameof(minimumScale));
        if (without is not null) n -= without.Length;
        int length = sum.Length, plane = length / kinds;
        var mean = new double[length];
        var variance = new double[length];
        for (int p = 0; p < length; p++)
        {
            double s = sum[p], q = squares[p];
            if (without is not null)
                foreach (var m in without) { s -= m[p]; q -= (double)m[p] * m[p]; }
            mean[p] = s / n;
            variance[p] = Math.Max(0, (q - n * mean[p] * mean[p]) / (n - 1));
        }
        var shrunkMean = new float[length];
        var scale = new float[length];
        double own = (double)n / (n + PriorImages), prior = 1 - own;
        int side = (int)Math.Round(Math.Sqrt(plane));
        if (side * side != plane) throw new ArgumentException($"Maps must be square planes; a plane here has {plane} pixels.");
        for (int k = 0; k < kinds; k++)
        {
            var planeMean = mean.AsSpan(k * plane, plane);
            var planeVariance = variance.AsSpan(k * plane, plane);
            var priorMean = Prior(planeMean, side);
            var priorVariance = Prior(planeVariance, side);
            for (int p = 0; p < plane; p++)
            {
                shrunkMean[k * plane + p] = (float)(own * planeMean[p] + prior * priorMean[p]);
                // The 1e-24 keeps a set of identical maps (e.g. flat synthetic images) finite.
                scale[k * plane + p] = (float)Math.Sqrt(own * planeVariance[p] + prior * priorVariance[p] + 1e-24);
                if (minimumScale is not null) scale[k * plane + p] = Math.Max(scale[k * plane + p], minimumScale[k * plane + p]);
            }
        }
        return new NormalMapStatistics { Kinds = kinds, Mean = shrunkMean, Scale = scale };
    }
}
