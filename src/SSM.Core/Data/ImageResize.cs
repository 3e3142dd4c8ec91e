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
    /// Returns a copy when the size is unchanged. The result keeps <paramref name="src"/>'s <see cref="FloatImage.SourceSize"/>.
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
        var rows = new RowResampler(src.Channels, src.Height, src.Width, height, width, clampToUnit) { SourceSize = src.SourceSize };
        int plane = src.Height * src.Width;
        for (int y = 0; y < src.Height; y++)
            for (int c = 0; c < src.Channels; c++)
                rows.Add(c, src.Pixels.AsSpan(c * plane + y * src.Width, src.Width));
        return rows.Result();
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

    /// <summary><see cref="ResizeMask"/> as one flag per pixel, row-major (true = defect): what pixel metrics and overlays compare maps with.</summary>
    public static bool[] ResizeMaskToFlags(FloatImage mask, int height, int width) => [.. ResizeMask(mask, height, width).Pixels.Select(v => v > 0.5f)];

    // The source pixel whose area contains the output pixel's centre.
    private static int NearestSource(int i, int srcSize, int dstSize) =>
        Math.Min(srcSize - 1, (int)((i + 0.5) * srcSize / dstSize));

    private static void CheckSize(int height, int width)
    {
        if (height < 1) throw new ArgumentOutOfRangeException(nameof(height), height, "Target height must be positive.");
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "Target width must be positive.");
    }

    /// <summary>
    /// <see cref="Resize"/> of an image that arrives one source row at a time, top to bottom (every channel of a row before
    /// the next row), so a large image never has to be held whole: only the output and one resampled row are. Each row is
    /// resampled horizontally once and added, weighted, to the output rows it covers, in the order <see cref="Resize"/> adds
    /// them, so the result is the same to the last bit.
    /// </summary>
    public sealed class RowResampler
    {
        private readonly ResampleWeights wx;
        private readonly ResampleWeights targetRows;   // for each source row, the output rows it adds to and its weights
        private readonly int[] nextRow;
        private readonly float[] resampled;
        private readonly float[] dst;
        private readonly int channels, sourceWidth, sourceHeight, height, width;
        private readonly bool clampToUnit;

        /// <param name="channels">Channels of the source and of the result: 1 or 3.</param>
        /// <param name="sourceHeight">Rows the source has (each channel).</param>
        /// <param name="sourceWidth">Values in each source row.</param>
        /// <param name="height">Height of the result.</param>
        /// <param name="width">Width of the result.</param>
        /// <param name="clampToUnit">Clamp the result to [0, 1] (images); false for values in any range (anomaly maps).</param>
        public RowResampler(int channels, int sourceHeight, int sourceWidth, int height, int width, bool clampToUnit = true)
        {
            if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "An image has 1 or 3 channels.");
            CheckSize(sourceHeight, sourceWidth);
            CheckSize(height, width);
            (this.channels, this.sourceWidth, this.sourceHeight, this.height, this.width) = (channels, sourceWidth, sourceHeight, height, width);
            this.clampToUnit = clampToUnit;
            SourceSize = (sourceWidth, sourceHeight);
            wx = ResampleWeights.For(sourceWidth, width);
            targetRows = ResampleWeights.For(sourceHeight, height).Transposed(sourceHeight);
            dst = new float[channels * height * width];
            nextRow = new int[channels];
            resampled = new float[width];
        }

        /// <summary>Channels of the source and of the result.</summary>
        public int Channels => channels;

        /// <summary>The <see cref="FloatImage.SourceSize"/> the result records: the rows' size unless set.</summary>
        public (int Width, int Height) SourceSize { get; init; }

        /// <summary>Adds the next source row of <paramref name="channel"/>.</summary>
        public void Add(int channel, ReadOnlySpan<float> row)
        {
            if (row.Length != sourceWidth) throw new ArgumentException($"A source row has {sourceWidth} values, not {row.Length}.", nameof(row));
            int j = nextRow[channel];
            if (j >= sourceHeight) throw new InvalidOperationException($"Channel {channel} already has all {sourceHeight} rows.");
            nextRow[channel]++;
            if (targetRows.Offsets[j] == targetRows.Offsets[j + 1]) return;
            ReadOnlySpan<int> offsets = wx.Offsets, indices = wx.Indices;
            ReadOnlySpan<float> weights = wx.Weights;
            for (int x = 0; x < resampled.Length; x++)
            {
                float sum = 0f;
                for (int k = offsets[x]; k < offsets[x + 1]; k++) sum += weights[k] * row[indices[k]];
                resampled[x] = sum;
            }
            for (int t = targetRows.Offsets[j]; t < targetRows.Offsets[j + 1]; t++)
            {
                Span<float> outRow = dst.AsSpan((channel * height + targetRows.Indices[t]) * width, width);
                float rowWeight = targetRows.Weights[t];
                for (int x = 0; x < outRow.Length; x++) outRow[x] += rowWeight * resampled[x];
            }
        }

        /// <summary>The resized image, once every row of every channel has been added (call it once: it hands over its
        /// pixels).</summary>
        public FloatImage Result()
        {
            if (nextRow.Any(n => n != sourceHeight))
                throw new InvalidOperationException($"Rows added per channel: {string.Join(", ", nextRow)}; the source has {sourceHeight}.");
            // Weights are convex, so only float rounding can leave [0, 1]; clamp keeps the FloatImage contract.
            if (clampToUnit)
                foreach (ref float v in dst.AsSpan()) v = Math.Clamp(v, 0f, 1f);
            return new FloatImage(channels, height, width, dst) { SourceSize = SourceSize };
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

        /// <summary>The same matrix by source: input j is read by outputs Indices[Offsets[j]..Offsets[j+1]), in increasing
        /// order, with those weights.</summary>
        public ResampleWeights Transposed(int srcSize)
        {
            var offsets = new int[srcSize + 1];
            foreach (int j in Indices) offsets[j + 1]++;
            for (int j = 0; j < srcSize; j++) offsets[j + 1] += offsets[j];
            var outputs = new int[Indices.Length];
            var weights = new float[Indices.Length];
            var next = (int[])offsets.Clone();
            for (int i = 0; i + 1 < Offsets.Length; i++)
                for (int k = Offsets[i]; k < Offsets[i + 1]; k++)
                {
                    int slot = next[Indices[k]]++;
                    outputs[slot] = i;
                    weights[slot] = Weights[k];
                }
            return new ResampleWeights(offsets, outputs, weights);
        }

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
