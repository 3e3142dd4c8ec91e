namespace SSM.Core.Data;

/// <summary>
/// Resampling of <see cref="FloatImage"/>s in pure C#: anti-aliased area averaging when an axis shrinks,
/// bilinear interpolation (pixel centres aligned, edges clamped) when it grows.
/// </summary>
public static class ImageResize
{
    /// <summary>
    /// Resizes every channel to <paramref name="height"/> x <paramref name="width"/>. Each axis is handled on its own,
    /// so one may shrink (box filter over the covered source area) while the other grows (bilinear).
    /// Returns a copy when the size is unchanged.
    /// </summary>
    public static FloatImage Resize(FloatImage src, int height, int width) => Resample(src, height, width, clampToUnit: true);

    /// <summary>
    /// <see cref="Resize"/> for values in any range, such as anomaly maps in standard deviations: the same filters without
    /// the clamp to [0, 1] that keeps an image's values valid.
    /// </summary>
    internal static FloatImage ResizeUnbounded(FloatImage src, int height, int width) => Resample(src, height, width, clampToUnit: false);

    private static FloatImage Resample(FloatImage src, int height, int width, bool clampToUnit)
    {
        ArgumentNullException.ThrowIfNull(src);
        CheckSize(height, width);
        if (height == src.Height && width == src.Width) return src.Clone();

        // Separable: weights cost O(width + height); each source row is resampled horizontally once into one of two
        // scratch rows (consecutive output rows share source rows both when shrinking and when enlarging), and
        // output rows are accumulated from those.
        ResampleWeights wx = ResampleWeights.For(src.Width, width);
        ResampleWeights wy = ResampleWeights.For(src.Height, height);
        var dst = new FloatImage(src.Channels, height, width);
        var rows = new HorizontalRows(width);
        int srcPlane = src.Height * src.Width, dstPlane = height * width;

        for (int c = 0; c < src.Channels; c++)
        {
            ReadOnlySpan<float> srcChannel = src.Pixels.AsSpan(c * srcPlane, srcPlane);
            rows.Reset();
            for (int y = 0; y < height; y++)
            {
                Span<float> outRow = dst.Pixels.AsSpan(c * dstPlane + y * width, width);
                for (int ky = wy.Offsets[y]; ky < wy.Offsets[y + 1]; ky++)
                {
                    ReadOnlySpan<float> row = rows.Get(wy.Indices[ky], srcChannel, src.Width, wx);
                    float rowWeight = wy.Weights[ky];
                    for (int x = 0; x < outRow.Length; x++) outRow[x] += rowWeight * row[x];
                }
                // Weights are convex, so only float rounding can leave [0, 1]; clamp keeps the FloatImage contract.
                if (clampToUnit)
                    foreach (ref float v in outRow) v = Math.Clamp(v, 0f, 1f);
            }
        }
        return dst;
    }

    /// <summary>
    /// Nearest-neighbour resize of a ground-truth mask; the result holds only 0 and 1 (source values &gt; 0.5 become 1).
    /// </summary>
    public static FloatImage ResizeMask(FloatImage mask, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(mask);
        CheckSize(height, width);
        var dst = new FloatImage(mask.Channels, height, width);
        float[] s = mask.Pixels, d = dst.Pixels;
        int[] srcX = new int[width];
        for (int x = 0; x < width; x++) srcX[x] = NearestSource(x, mask.Width, width);
        for (int c = 0; c < mask.Channels; c++)
            for (int y = 0; y < height; y++)
            {
                int srcRow = (c * mask.Height + NearestSource(y, mask.Height, height)) * mask.Width;
                int dstRow = (c * height + y) * width;
                for (int x = 0; x < width; x++) d[dstRow + x] = s[srcRow + srcX[x]] > 0.5f ? 1f : 0f;
            }
        return dst;
    }

    // The source pixel whose area contains the output pixel's centre.
    private static int NearestSource(int i, int srcSize, int dstSize) =>
        Math.Min(srcSize - 1, (int)((i + 0.5) * srcSize / dstSize));

    private static void CheckSize(int height, int width)
    {
        if (height < 1) throw new ArgumentOutOfRangeException(nameof(height), height, "Target height must be positive.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "Target width must be positive.");
    }

    /// <summary>Two horizontally resampled source rows, reused while consecutive output rows read them.</summary>
    private sealed class HorizontalRows(int width)
    {
        private readonly float[][] _rows = [new float[width], new float[width]];
        private readonly int[] _sourceRow = [-1, -1];
        private int _next;

        public void Reset() { _sourceRow[0] = _sourceRow[1] = -1; _next = 0; }

        public ReadOnlySpan<float> Get(int sourceRow, ReadOnlySpan<float> channel, int sourceWidth, ResampleWeights wx)
        {
            if (_sourceRow[0] == sourceRow) return _rows[0];
            if (_sourceRow[1] == sourceRow) return _rows[1];
            // Source rows are requested in increasing order, so the slot filled first is the one no longer needed.
            int slot = _next;
            _next ^= 1;
            _sourceRow[slot] = sourceRow;
            float[] row = _rows[slot];
            ReadOnlySpan<float> input = channel.Slice(sourceRow * sourceWidth, sourceWidth);
            ReadOnlySpan<int> offsets = wx.Offsets, indices = wx.Indices;
            ReadOnlySpan<float> weights = wx.Weights;
            for (int x = 0; x < row.Length; x++)
            {
                float sum = 0f;
                for (int k = offsets[x]; k < offsets[x + 1]; k++) sum += weights[k] * input[indices[k]];
                row[x] = sum;
            }
            return row;
        }
    }

    /// <summary>Sparse 1-D resampling matrix in CSR form: output i reads Indices/Weights[Offsets[i]..Offsets[i+1]).</summary>
    private sealed class ResampleWeights
    {
        private ResampleWeights(int[] offsets, int[] indices, float[] weights)
        {
            Offsets = offsets; Indices = indices; Weights = weights;
        }

        public int[] Offsets { get; }
        public int[] Indices { get; }
        public float[] Weights { get; }

        public static ResampleWeights For(int srcSize, int dstSize) =>
            dstSize < srcSize ? Area(srcSize, dstSize) : Bilinear(srcSize, dstSize);

        // Output i covers source interval [i*scale, (i+1)*scale); each source pixel is weighted by its overlap.
        // A source pixel overlaps at most two outputs, so there are at most srcSize + dstSize entries.
        private static ResampleWeights Area(int srcSize, int dstSize)
        {
            double scale = (double)srcSize / dstSize;
            var offsets = new int[dstSize + 1];
            var indices = new List<int>(srcSize + dstSize);
            var weights = new List<float>(srcSize + dstSize);
            for (int i = 0; i < dstSize; i++)
            {
                double start = i * scale, end = Math.Min(srcSize, (i + 1) * scale);
                for (int j = (int)start; j < end; j++)
                {
                    double overlap = Math.Min(end, j + 1) - Math.Max(start, j);
                    if (overlap <= 1e-12) continue;
                    indices.Add(j);
                    weights.Add((float)(overlap / scale));
                }
                offsets[i + 1] = indices.Count;
            }
            return new ResampleWeights(offsets, [.. indices], [.. weights]);
        }

        // Half-pixel-centre convention (as OpenCV INTER_LINEAR / torch align_corners=false); equal sizes give identity.
        private static ResampleWeights Bilinear(int srcSize, int dstSize)
        {
            double scale = (double)srcSize / dstSize;
            var offsets = new int[dstSize + 1];
            var indices = new int[2 * dstSize];
            var weights = new float[2 * dstSize];
            for (int i = 0; i < dstSize; i++)
            {
                double pos = Math.Clamp((i + 0.5) * scale - 0.5, 0, srcSize - 1);
                int j0 = (int)pos, j1 = Math.Min(j0 + 1, srcSize - 1);
                float f = (float)(pos - j0);
                indices[2 * i] = j0; weights[2 * i] = 1f - f;
                indices[2 * i + 1] = j1; weights[2 * i + 1] = f;
                offsets[i + 1] = 2 * (i + 1);
            }
            return new ResampleWeights(offsets, indices, weights);
        }
    }
}
