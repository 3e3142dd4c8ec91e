namespace SSM.Core.Data.Dicom;

/// <summary>
/// The inverse discrete wavelet transform of JPEG 2000 (T.800 Annex F): the reversible 5/3 filter in integers and the
/// irreversible 9/7 filter in single precision, by lifting, with whole-sample symmetric extension at both ends; each level
/// rows first, then columns (2D_SR, F.3.2). A tile-component's array holds each resolution's subbands side by side, the
/// low-pass ones first, as the code-blocks were written into it.
/// </summary>
internal static partial class Jpeg2000
{
    /// <summary>
    /// K scales the low-pass samples; the high-pass ones are scaled by OpenJPEG's historic 1.625732422 in place of 2/K
    /// (1.6257861), their step sizes taken without the subbands' gains (Table E.1) to make up the factor 2, as OpenJPEG
    /// decodes (its BUG_WEIRD_TWO_INVK): samples then agree with opj_decompress's. The standard's 2/K moves 16-bit samples
    /// by up to 3 from them (nearer the image coded, on the one 16-bit image compared), 8- and 12-bit ones by 1 at most.
    /// </summary>
    private const float K = 1.230174105f, TwoInverseK = 1.625732422f;
    private const float Alpha = -1.586134342f, Beta = -0.052980118f, Gamma = 0.882911075f, Delta = 0.443506852f;

    private sealed partial class Codestream
    {
        private Tier1? tier1;

        /// <summary>A tile-component's samples before the component transform and level shift: its code-blocks, then the inverse wavelet.</summary>
        private Array DecodeComponent(TileComponent tc)
        {
            int w = tc.X1 - tc.X0, h = tc.Y1 - tc.Y0;
            bool reversible = tc.Style.Transform == 1;
            int[]? ints = null;
            float[]? reals = null;
            try
            {
                if (reversible) ints = new int[(long)w * h];
                else reals = new float[(long)w * h];
            }
            catch (OutOfMemoryException) { throw Unsupported(name, $"has a {w}x{h} tile too large for this machine's memory"); }
            tier1 ??= new Tier1();
            foreach (var res in tc.Resolutions)
                foreach (var precinct in res.Precincts)
                    for (int b = 0; b < res.Bands.Length; b++)
                    {
                        var band = res.Bands[b];
                        foreach (var block in precinct.Bands[b].Blocks)
                            if (block is not null && block.Passes > 0)
                                tier1.Decode(block, band.Orientation, tc.Style.BlockStyle, tc.RoiShift, band.Step, ints, reals, w,
                                    band.OffsetX + block.X0 - band.X0, band.OffsetY + block.Y0 - band.Y0);
                    }
            if (ints is not null) { Inverse(tc, ints, Lift53); return ints; }
            Inverse(tc, reals!, Lift97);
            return reals!;
        }

        /// <summary>The inverse transform, resolution by resolution: each row, then each column, interleaved from its low and
        /// high halves and lifted (<paramref name="lift"/>: the 5/3 on integers, the 9/7 on reals).</summary>
        private static void Inverse<T>(TileComponent tc, T[] a, Action<T[], int, int> lift)
        {
            int stride = tc.X1 - tc.X0;
            var line = new T[Math.Max(stride, tc.Y1 - tc.Y0)];
            for (int r = 1; r < tc.Resolutions.Length; r++)
            {
                var res = tc.Resolutions[r];
                var low = tc.Resolutions[r - 1];
                int w = res.X1 - res.X0, h = res.Y1 - res.Y0, sw = low.X1 - low.X0, sh = low.Y1 - low.Y0;
                if (w == 0 || h == 0) continue;
                for (int y = 0; y < h; y++)
                {
                    int o = y * stride;
                    Interleave(a, o, 1, w, sw, res.X0 & 1, line);
                    lift(line, w, res.X0 & 1);
                    Array.Copy(line, 0, a, o, w);
                }
                for (int x = 0; x < w; x++)
                {
                    Interleave(a, x, stride, h, sh, res.Y0 & 1, line);
                    lift(line, h, res.Y0 & 1);
                    for (int y = 0; y < h; y++) a[x + y * stride] = line[y];
                }
            }
        }

        /// <summary>
        /// One line of n samples from its low-pass half (the first <paramref name="lows"/>) and high-pass half, interleaved:
        /// sample k is low-pass where k + <paramref name="odd"/> is even (the line starts at an odd coordinate when odd is 1).
        /// </summary>
        private static void Interleave<T>(T[] a, int start, int step, int n, int lows, int odd, T[] line)
        {
            for (int k = 0; k < n; k++)
            {
                bool isLow = ((k + odd) & 1) == 0;
                int index = isLow ? k >> 1 : lows + (k >> 1);
                line[k] = a[start + index * step];
            }
        }

        /// <summary>The 5/3 lifting steps (F.3.8.1, equations F-5 and F-6) in place.</summary>
        private static void Lift53(int[] x, int n, int odd)
        {
            if (n == 1)
            {
                if (odd == 1) x[0] /= 2;
                return;
            }
            for (int k = odd; k < n; k += 2)
            {
                int left = k > 0 ? x[k - 1] : x[k + 1], right = k + 1 < n ? x[k + 1] : x[k - 1];
                x[k] -= (left + right + 2) >> 2;
            }
            for (int k = 1 - odd; k < n; k += 2)
            {
                int left = k > 0 ? x[k - 1] : x[k + 1], right = k + 1 < n ? x[k + 1] : x[k - 1];
                x[k] += (left + right) >> 1;
            }
        }

        /// <summary>The 9/7 scaling and four lifting steps (F.3.8.2) in place.</summary>
        private static void Lift97(float[] x, int n, int odd)
        {
            if (n == 1) return;   // a lone high-pass sample is halved (F.3.7), which its halved step size has done
            for (int k = odd; k < n; k += 2) x[k] *= K;
            for (int k = 1 - odd; k < n; k += 2) x[k] *= TwoInverseK;
            Step(x, n, odd, Delta);
            Step(x, n, 1 - odd, Gamma);
            Step(x, n, odd, Beta);
            Step(x, n, 1 - odd, Alpha);

            static void Step(float[] x, int n, int first, float factor)
            {
                for (int k = first; k < n; k += 2)
                {
                    float left = k > 0 ? x[k - 1] : x[k + 1], right = k + 1 < n ? x[k + 1] : x[k - 1];
                    x[k] -= factor * (left + right);
                }
            }
        }
    }
}
