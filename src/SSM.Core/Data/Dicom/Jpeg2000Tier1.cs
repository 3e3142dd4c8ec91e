using System.Runtime.CompilerServices;

namespace SSM.Core.Data.Dicom;

/// <summary>
/// JPEG 2000 tier 1 (T.800 Annex C and D): the MQ arithmetic decoder and the three coding passes (significance propagation,
/// magnitude refinement, cleanup) that rebuild a code-block's coefficients bit-plane by bit-plane, with the code-block
/// style flags (arithmetic coding bypass, context reset, termination on each pass, vertically causal contexts,
/// segmentation symbols). Coefficients are kept at twice their scale so that each one sits at the middle of the interval
/// its decoded bits leave (the reconstruction OpenJPEG uses).
/// </summary>
internal static partial class Jpeg2000
{
    private sealed class Tier1
    {
        // Table C.2: Qe, next index after an MPS and after an LPS, and whether an LPS switches the MPS sense.
        private static readonly int[] Qe =
        [
            0x5601, 0x3401, 0x1801, 0x0AC1, 0x0521, 0x0221, 0x5601, 0x5401, 0x4801, 0x3801, 0x3001, 0x2401, 0x1C01, 0x1601,
            0x5601, 0x5401, 0x5101, 0x4801, 0x3801, 0x3401, 0x3001, 0x2801, 0x2401, 0x2201, 0x1C01, 0x1801, 0x1601, 0x1401,
            0x1201, 0x1101, 0x0AC1, 0x09C1, 0x08A1, 0x0521, 0x0441, 0x02A1, 0x0221, 0x0141, 0x0111, 0x0085, 0x0049, 0x0025,
            0x0015, 0x0009, 0x0005, 0x0001, 0x5601,
        ];
        private static readonly byte[] NextMps =
        [
            1, 2, 3, 4, 5, 38, 7, 8, 9, 10, 11, 12, 13, 29, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
            32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 45, 46,
        ];
        private static readonly byte[] NextLps =
        [
            1, 6, 9, 12, 29, 33, 6, 14, 14, 14, 17, 18, 20, 21, 14, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 23, 24, 25, 26, 27,
            28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 46,
        ];
        private static readonly bool[] Switch =
        [
            true, false, false, false, false, false, true, false, false, false, false, false, false, false, true, false, false,
            false, false, false, false, false, false, false, false, false, false, false, false, false, false, false, false,
            false, false, false, false, false, false, false, false, false, false, false, false, false, false,
        ];

        private const int Uniform = 18, RunLength = 17, Refinement = 14;

        // Each coefficient's flags: which of its eight neighbours are significant (bits 0-7), the signs of the four it
        // shares an edge with (8-11), and its own state (12-15); kept up to date as coefficients become significant, so
        // that a context is one table look-up.
        private const int W = 1, E = 2, N = 4, S = 8, NW = 16, NE = 32, SW = 64, SE = 128;
        private const int NegativeW = 256, NegativeE = 512, NegativeN = 1024, NegativeS = 2048;
        private const int Significant = 4096, Visited = 8192, Refined = 16384, Negative = 32768;
        /// <summary>What a coefficient in a stripe's last row may see under vertically causal contexts (D.7): nothing below.</summary>
        private const int Causal = ~(S | SW | SE | NegativeS);

        /// <summary>Zero coding contexts (Table D.1) by orientation and the neighbours' significance: [o * 256 + (flags &amp; 255)].</summary>
        private static readonly byte[] ZeroContexts = BuildZeroContexts();
        /// <summary>Sign coding contexts (Table D.3) by the edge neighbours' significance and signs, with the bit that flips the decoded sign (16).</summary>
        private static readonly byte[] SignContexts = BuildSignContexts();

        private readonly byte[] state = new byte[19], mps = new byte[19];
        private byte[] buffer = new byte[1024];
        private int position;
        private uint a, c;
        private int ct;
        private readonly int[] magnitudes = new int[4096];
        private readonly ushort[] flags = new ushort[(1024 + 2) * (4 + 2) + 4096];
        private int stride;

        private static byte[] BuildZeroContexts()
        {
            var table = new byte[4 * 256];
            for (int o = 0; o < 4; o++)
                for (int f = 0; f < 256; f++)
                {
                    int h = (f & W) / W + (f & E) / E, v = (f & N) / N + (f & S) / S;
                    int d = (f & NW) / NW + (f & NE) / NE + (f & SW) / SW + (f & SE) / SE;
                    int context;
                    if (o == 3)
                    {
                        int hv = h + v;
                        context = d >= 3 ? 8 : d == 2 ? (hv >= 1 ? 7 : 6) : d == 1 ? (hv >= 2 ? 5 : hv == 1 ? 4 : 3) : hv >= 2 ? 2 : hv == 1 ? 1 : 0;
                    }
                    else
                    {
                        var (hh, vv) = o == 1 ? (v, h) : (h, v);   // HL: the table of LL and LH with its directions exchanged
                        context = hh == 2 ? 8 : hh == 1 ? (vv >= 1 ? 7 : d >= 1 ? 6 : 5) : vv == 2 ? 4 : vv == 1 ? 3 : d >= 2 ? 2 : d == 1 ? 1 : 0;
                    }
                    table[o * 256 + f] = (byte)context;
                }
            return table;
        }

        private static byte[] BuildSignContexts()
        {
            // by 3 (H + 1) + (V + 1), H and V each neighbour pair's clamped sum of +1 (positive), -1 (negative), 0 (insignificant)
            byte[] contexts = [13, 12, 11, 10, 9, 10, 11, 12, 13], flips = [1, 1, 1, 1, 0, 0, 0, 0, 0];
            var table = new byte[256];
            for (int f = 0; f < 256; f++)   // bits 0-3: W, E, N, S significant; 4-7: W, E, N, S negative
            {
                int Contribution(int bit) => (f & bit) == 0 ? 0 : (f & (bit << 4)) != 0 ? -1 : 1;
                int h = Math.Clamp(Contribution(W) + Contribution(E), -1, 1), v = Math.Clamp(Contribution(N) + Contribution(S), -1, 1);
                int k = 3 * (h + 1) + v + 1;
                table[f] = (byte)(contexts[k] | flips[k] << 4);
            }
            return table;
        }

        private void ResetContexts()
        {
            Array.Clear(state);
            Array.Clear(mps);
            // The initial states of Table D.7: the uniform context, the run-length context, and the first zero-coding context.
            state[Uniform] = 46;
            state[RunLength] = 3;
            state[0] = 4;
        }

        /// <summary>Puts a segment's bytes where the decoders read them, followed by two FF bytes (a marker the decoders stop at).</summary>
        private void Load(byte[] data, int start, int length)
        {
            if (buffer.Length < length + 2) buffer = new byte[Math.Max(length + 2, 2 * buffer.Length)];
            Buffer.BlockCopy(data, start, buffer, 0, length);
            buffer[length] = 0xFF;
            buffer[length + 1] = 0xFF;
            position = 0;
        }

        /// <summary>INITDEC (C.3.5).</summary>
        private void StartMq()
        {
            c = (uint)buffer[0] << 16;
            ByteIn();
            c <<= 7;
            ct -= 7;
            a = 0x8000;
        }

        /// <summary>BYTEIN (C.3.4): after an FF, a byte above 8F is a marker, and 1 bits are fed in its place.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void ByteIn()
        {
            if (buffer[position] == 0xFF)
            {
                int next = buffer[position + 1];
                if (next > 0x8F) { c += 0xFF00; ct = 8; }
                else { position++; c += (uint)next << 9; ct = 7; }
            }
            else
            {
                position++;
                c += (uint)buffer[position] << 8;
                ct = 8;
            }
        }

        /// <summary>DECODE (C.3.2), with the conditional exchange of MPS and LPS.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int Decode(int context)
        {
            int s = state[context];
            uint qe = (uint)Qe[s];
            int d;
            a -= qe;
            if ((c >> 16) < qe)
            {
                if (a < qe) { d = mps[context]; state[context] = NextMps[s]; }
                else { d = 1 - mps[context]; if (Switch[s]) mps[context] = (byte)d; state[context] = NextLps[s]; }
                a = qe;
            }
            else
            {
                c -= qe << 16;
                if ((a & 0x8000) != 0) return mps[context];
                if (a < qe) { d = 1 - mps[context]; if (Switch[s]) mps[context] = (byte)d; state[context] = NextLps[s]; }
                else { d = mps[context]; state[context] = NextMps[s]; }
            }
            do
            {
                if (ct == 0) ByteIn();
                a <<= 1;
                c <<= 1;
                ct--;
            } while ((a & 0x8000) == 0);
            return d;
        }

        private void StartRaw()
        {
            c = 0;
            ct = 0;
        }

        /// <summary>A bit of a bypassed (raw) segment (D.6), with the stuffed bit after an FF skipped.</summary>
        private int RawBit()
        {
            if (ct == 0)
            {
                if (c == 0xFF)
                {
                    if (buffer[position] > 0x8F) { c = 0xFF; ct = 8; }
                    else { c = buffer[position++]; ct = 7; }
                }
                else { c = buffer[position++]; ct = 8; }
            }
            ct--;
            return (int)(c >> ct) & 1;
        }

        /// <summary>The sign of a coefficient that has just become significant (D.3.2), with f its flags.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int DecodeSign(int f)
        {
            int k = SignContexts[(f & (W | E | N | S)) | (f >> 4 & 0xF0)];
            return Decode(k & 15) ^ (k >> 4);
        }

        /// <summary>Makes coefficient i significant, telling its eight neighbours.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void SetSignificant(int i, int negative)
        {
            var f = flags;
            int s = stride;
            f[i] |= (ushort)(Significant | (negative != 0 ? Negative : 0));
            f[i - 1] |= (ushort)(E | (negative != 0 ? NegativeE : 0));
            f[i + 1] |= (ushort)(W | (negative != 0 ? NegativeW : 0));
            f[i - s] |= (ushort)(S | (negative != 0 ? NegativeS : 0));
            f[i + s] |= (ushort)(N | (negative != 0 ? NegativeN : 0));
            f[i - s - 1] |= SE;
            f[i - s + 1] |= SW;
            f[i + s - 1] |= NE;
            f[i + s + 1] |= NW;
        }

        /// <summary>
        /// Decodes a code-block and writes its coefficients, dequantised, into a tile-component's array at (x, y) with the
        /// given row stride: integers for the reversible wavelet, reals scaled by the band's step for the irreversible one.
        /// </summary>
        public void Decode(CodeBlock block, int orientation, int style, int roiShift, float step, int[]? ints, float[]? reals, int rowStride, int x, int y)
        {
            int w = block.X1 - block.X0, h = block.Y1 - block.Y0;
            stride = w + 2;
            Array.Clear(flags, 0, (h + 2) * stride);
            Array.Clear(magnitudes, 0, w * h);
            ResetContexts();
            bool bypass = (style & CodingStyle.Bypass) != 0, reset = (style & CodingStyle.Reset) != 0;
            bool causal = (style & CodingStyle.Causal) != 0, symbols = (style & CodingStyle.SegmentSymbols) != 0;
            int pass = 0;
            foreach (var (start, length, passes) in block.Segments)
            {
                Load(block.Data, start, length);
                int kind = pass == 0 ? 2 : (pass - 1) % 3;
                bool raw = bypass && pass >= 10 && kind != 2;
                if (raw) StartRaw();
                else StartMq();
                for (int k = 0; k < passes; k++, pass++)
                {
                    int plane = block.Planes - 1 - (pass + 2) / 3;
                    kind = pass == 0 ? 2 : (pass - 1) % 3;
                    if (kind == 0) SignificancePass(w, h, plane, orientation, causal, raw);
                    else if (kind == 1) RefinementPass(w, h, plane, causal, raw);
                    else
                    {
                        CleanupPass(w, h, plane, orientation, causal);
                        if (symbols) for (int s = 0; s < 4; s++) Decode(Uniform);
                    }
                    if (reset) ResetContexts();
                }
            }
            for (int j = 0; j < h; j++)
            {
                int o = (y + j) * rowStride + x, f = (j + 1) * stride + 1;
                for (int i = 0; i < w; i++)
                {
                    int m = magnitudes[j * w + i];
                    if (roiShift >= 31) m = 0;   // the region's coefficients scaled back down (H.1), on OpenJPEG's doubled scale as it does
                    else if (roiShift > 0 && m >= 1 << roiShift) m >>= roiShift;
                    bool negative = (flags[f + i] & Negative) != 0;
                    if (ints is not null) ints[o + i] = negative ? -(m >> 1) : m >> 1;
                    else reals![o + i] = (negative ? -m : m) * 0.5f * step;
                }
            }
        }

        private void SignificancePass(int w, int h, int plane, int orientation, bool causal, bool raw)
        {
            int oneAndHalf = 3 << plane, table = orientation * 256;
            var f = flags;
            for (int y0 = 0; y0 < h; y0 += 4)
            {
                int rows = Math.Min(4, h - y0);
                for (int x = 0; x < w; x++)
                {
                    int i = (y0 + 1) * stride + x + 1;
                    for (int k = 0; k < rows; k++, i += stride)
                    {
                        int flag = f[i];
                        if (causal && k == 3) flag &= Causal;
                        if ((flag & Significant) != 0 || (flag & 255) == 0) continue;
                        if ((raw ? RawBit() : Decode(ZeroContexts[table + (flag & 255)])) != 0)
                        {
                            SetSignificant(i, raw ? RawBit() : DecodeSign(flag));
                            magnitudes[(y0 + k) * w + x] = oneAndHalf;
                        }
                        f[i] |= Visited;
                    }
                }
            }
        }

        private void RefinementPass(int w, int h, int plane, bool causal, bool raw)
        {
            int half = 1 << plane;
            var f = flags;
            for (int y0 = 0; y0 < h; y0 += 4)
            {
                int rows = Math.Min(4, h - y0);
                for (int x = 0; x < w; x++)
                {
                    int i = (y0 + 1) * stride + x + 1;
                    for (int k = 0; k < rows; k++, i += stride)
                    {
                        int flag = f[i];
                        if ((flag & (Significant | Visited)) != Significant) continue;
                        if (causal && k == 3) flag &= Causal;
                        int bit = raw ? RawBit() : Decode((flag & Refined) != 0 ? Refinement + 2 : (flag & 255) != 0 ? Refinement + 1 : Refinement);
                        magnitudes[(y0 + k) * w + x] += bit != 0 ? half : -half;
                        f[i] |= Refined;
                    }
                }
            }
        }

        private void CleanupPass(int w, int h, int plane, int orientation, bool causal)
        {
            int oneAndHalf = 3 << plane, table = orientation * 256, s = stride;
            var f = flags;
            for (int y0 = 0; y0 < h; y0 += 4)
            {
                int rows = Math.Min(4, h - y0);
                for (int x = 0; x < w; x++)
                {
                    int i0 = (y0 + 1) * s + x + 1, k = 0;
                    // a column of four coefficients, none significant, visited or with a significant neighbour: run-length coded (D.3.4)
                    if (rows == 4 && ((f[i0] | f[i0 + s] | f[i0 + 2 * s]) & (Significant | Visited | 255)) == 0
                                  && (f[i0 + 3 * s] & (causal ? Causal : -1) & (Significant | Visited | 255)) == 0)
                    {
                        if (Decode(RunLength) == 0) continue;
                        k = Decode(Uniform) << 1;
                        k |= Decode(Uniform);
                        int i = i0 + k * s, flag = f[i];
                        if (causal && k == 3) flag &= Causal;
                        SetSignificant(i, DecodeSign(flag));
                        magnitudes[(y0 + k) * w + x] = oneAndHalf;
                        k++;
                    }
                    for (int i = i0 + k * s; k < rows; k++, i += s)
                    {
                        int flag = f[i];
                        if ((flag & (Significant | Visited)) == 0)
                        {
                            if (causal && k == 3) flag &= Causal;
                            if (Decode(ZeroContexts[table + (flag & 255)]) != 0)
                            {
                                SetSignificant(i, DecodeSign(flag));
                                magnitudes[(y0 + k) * w + x] = oneAndHalf;
                            }
                        }
                    }
                    for (int j = 0, i = i0; j < rows; j++, i += s) f[i] &= unchecked((ushort)~Visited);
                }
            }
        }
    }
}
