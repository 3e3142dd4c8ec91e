namespace SSM.Core.Data.Dicom;

/// <summary>
/// Decodes JPEG-LS (ITU T.87, LOCO-I): lossless and near-lossless compression many PACS archive CT and MR with (DICOM
/// transfer syntaxes 1.2.840.10008.1.2.4.80 and .81). Context modelling, median edge prediction and Golomb codes in the
/// regular mode, run lengths where the neighbourhood is flat; one component per scan or line-interleaved colour. Sample
/// interleaving, mapping tables and restart intervals are refused by name. Names follow the standard's (Ra, Rb, Rc, Rd;
/// A, B, C, N; RUNindex).
/// </summary>
internal static class JpegLs
{
    /// <summary>The samples, pixel-interleaved, of an image that must be <paramref name="width"/> x <paramref name="height"/>
    /// with <paramref name="components"/> components (checked before anything is allocated).</summary>
    /// <exception cref="InvalidDataException">The stream is damaged, of another size, or uses what is not read here.</exception>
    public static int[] Decode(byte[] data, string name, int width, int height, int components)
    {
        if (data.Length < 2 || data[0] != 0xFF || data[1] != 0xD8) throw Broken(name, "it does not start a JPEG-LS stream");
        int pos = 2, precision = 0, maxValue = 0, t1 = 0, t2 = 0, t3 = 0, reset = 64;
        int[]? ids = null, samples = null;
        var decoded = new bool[components];
        while (true)
        {
            var (marker, start, length) = JpegSegments.Next(data, ref pos, why => Broken(name, why));
            if (marker == 0xD9) break;
            var segment = data.AsSpan(start, length);
            switch (marker)
            {
                case 0xF7:
                    if (segment.Length < 6) throw Broken(name, "its frame header is short");
                    precision = segment[0];
                    int h = segment[1] << 8 | segment[2], w = segment[3] << 8 | segment[4], count = segment[5];
                    if (w != width || h != height || count != components || segment.Length < 6 + 3 * count)
                        throw Broken(name, $"its frame is {w}x{h} with {count} components, the file's image {width}x{height} with {components}");
                    if (precision is < 2 or > 16) throw Broken(name, $"its samples have {precision} bits");
                    ids = new int[count];
                    for (int c = 0; c < count; c++) ids[c] = segment[6 + 3 * c];
                    samples = new int[width * height * components];
                    break;
                case 0xF8:
                    if (segment.Length < 1 || segment[0] != 1)
                        throw Broken(name, "it uses mapping tables or oversize dimensions (JPEG-LS extensions not read here)");
                    if (segment.Length < 11) throw Broken(name, "its coding parameters are short");
                    maxValue = segment[1] << 8 | segment[2];
                    t1 = segment[3] << 8 | segment[4];
                    t2 = segment[5] << 8 | segment[6];
                    t3 = segment[7] << 8 | segment[8];
                    reset = segment[9] << 8 | segment[10];
                    break;
                case 0xDD:
                    if (segment.ContainsAnyExcept((byte)0)) throw Broken(name, "it uses restart intervals (not read here)");
                    break;
                case 0xDA:
                    if (samples is null || ids is null) throw Broken(name, "a scan comes before the frame header");
                    var parameters = Parameters.Of(precision, maxValue, t1, t2, t3, reset, segment, name);
                    pos = Scan(data, pos, segment, ids, decoded, samples, width, height, parameters, name);
                    break;
                case >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC:
                    throw Broken(name, $"it is coded with JPEG process SOF{marker - 0xC0}, not JPEG-LS");
            }
        }
        if (samples is null) throw Broken(name, "it has no frame");
        if (decoded.Contains(false)) throw Broken(name, "it ends before every component was decoded");
        return samples;
    }

    /// <summary>A scan's coding parameters (T.87 A.2, C.2.4.1.1).</summary>
    private sealed record Parameters(int MaxValue, int Near, int T1, int T2, int T3, int Reset, int Range, int Qbpp, int Limit)
    {
        public static Parameters Of(int precision, int maxValue, int t1, int t2, int t3, int reset, ReadOnlySpan<byte> scan, string name)
        {
            int count = scan.Length > 0 ? scan[0] : 0;
            if (scan.Length < 1 + 2 * count + 3) throw Broken(name, "its scan header is short");
            int near = scan[1 + 2 * count];
            if (scan[3 + 2 * count] != 0) throw Broken(name, "it uses a point transform (not read here)");
            for (int i = 0; i < count; i++)
                if (scan[2 + 2 * i] != 0) throw Broken(name, "it uses mapping tables (not read here)");
            if (maxValue > (1 << precision) - 1) throw Broken(name, $"its maximum sample value {maxValue} exceeds {precision} bits");
            int max = maxValue > 0 ? maxValue : (1 << precision) - 1;
            reset = reset > 0 ? reset : 64;   // 0 in a preset-parameters segment means the default (C.2.4.1.1)
            if (near > Math.Min(255, max / 2)) throw Broken(name, $"its NEAR ({near}) is out of range");
            int range = (max + 2 * near) / (2 * near + 1) + 1;
            int qbpp = Log2Ceiling(range), bpp = Math.Max(2, Log2Ceiling(max + 1));
            var (d1, d2, d3) = Defaults(max, near);
            t1 = t1 > 0 ? t1 : d1;
            t2 = t2 > 0 ? t2 : d2;
            t3 = t3 > 0 ? t3 : d3;
            if (reset < 3 || !(near + 1 <= t1 && t1 <= t2 && t2 <= t3 && t3 <= max)) throw Broken(name, "its coding parameters are inconsistent");
            return new Parameters(max, near, t1, t2, t3, reset, range, qbpp, 2 * (bpp + Math.Max(8, bpp)));
        }

        private static (int, int, int) Defaults(int max, int near)
        {
            static int Clamp(int i, int j, int max) => i > max || i < j ? j : i;
            if (max >= 128)
            {
                int factor = (Math.Min(max, 4095) + 128) / 256;
                int t1 = Clamp(factor * (3 - 2) + 2 + 3 * near, near + 1, max);
                int t2 = Clamp(factor * (7 - 3) + 3 + 5 * near, t1, max);
                return (t1, t2, Clamp(factor * (21 - 4) + 4 + 7 * near, t2, max));
            }
            int f = 256 / (max + 1);
            int s1 = Clamp(Math.Max(2, 3 / f + 3 * near), near + 1, max);
            int s2 = Clamp(Math.Max(3, 7 / f + 5 * near), s1, max);
            return (s1, s2, Clamp(Math.Max(4, 21 / f + 7 * near), s2, max));
        }

        private static int Log2Ceiling(int n)
        {
            int bits = 0;
            while (1 << bits < n) bits++;
            return bits;
        }
    }

    private static readonly int[] J = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14, 15];

    /// <summary>Decodes one scan (its components, one after the other or line by line) into <paramref name="samples"/>;
    /// returns the position of the marker after it.</summary>
    private static int Scan(byte[] data, int pos, ReadOnlySpan<byte> header, int[] ids, bool[] decoded, int[] samples, int width, int height,
        Parameters p, string name)
    {
        int count = header[0], interleave = header[2 + 2 * count];
        if (interleave > 1 || (interleave == 0 && count != 1))
            throw Broken(name, interleave == 2 ? "its colour samples are interleaved sample by sample (not read here)" : "its scan header is inconsistent");
        var planes = new int[count];
        for (int i = 0; i < count; i++)
        {
            planes[i] = Array.IndexOf(ids, (int)header[1 + 2 * i]);
            if (planes[i] < 0 || decoded[planes[i]]) throw Broken(name, "a scan names a component the frame does not have, or one decoded already");
            decoded[planes[i]] = true;
        }
        var state = new State(p, name);
        var bits = new BitReader(data, pos, name);
        // Each component's previous and current line, one sample of margin on either side (A.2.1).
        var lines = Enumerable.Range(0, count).Select(_ => (Previous: new int[width + 2], Current: new int[width + 2])).ToArray();
        var runIndex = new int[count];
        for (int y = 0; y < height; y++)
            for (int i = 0; i < count; i++)
            {
                var (previous, current) = lines[i];
                previous[width + 1] = previous[width];
                current[0] = previous[1];
                state.RunIndex = runIndex[i];
                DecodeLine(bits, state, previous, current, width);
                runIndex[i] = state.RunIndex;
                for (int x = 0; x < width; x++) samples[(y * width + x) * ids.Length + planes[i]] = current[x + 1];
                lines[i] = (current, previous);
            }
        return bits.End();
    }

    private static void DecodeLine(BitReader bits, State s, int[] previous, int[] current, int width)
    {
        var p = s.P;
        for (int x = 1; x <= width;)
        {
            int ra = current[x - 1], rb = previous[x], rc = previous[x - 1], rd = previous[x + 1];
            int q1 = Quantize(rd - rb, p), q2 = Quantize(rb - rc, p), q3 = Quantize(rc - ra, p);
            if (q1 == 0 && q2 == 0 && q3 == 0)
            {
                x += RunMode(bits, s, previous, current, x, width);
                continue;
            }
            int sign = 1;
            if (q1 < 0 || (q1 == 0 && (q2 < 0 || (q2 == 0 && q3 < 0))))
            {
                (q1, q2, q3) = (-q1, -q2, -q3);
                sign = -1;
            }
            int q = 81 * q1 + 9 * q2 + q3;
            int predicted = rc >= Math.Max(ra, rb) ? Math.Min(ra, rb) : rc <= Math.Min(ra, rb) ? Math.Max(ra, rb) : ra + rb - rc;
            predicted = Math.Clamp(predicted + sign * s.C[q], 0, p.MaxValue);
            int k = State.GolombK(s.N[q], s.A[q], bits.Name);
            int mapped = bits.Golomb(k, p.Limit, p.Qbpp);
            int correction = p.Near == 0 && k == 0 && 2 * s.B[q] <= -s.N[q] ? 1 : 0;
            int error = Unmap(mapped ^ correction);
            current[x] = Reconstruct(predicted, sign * error, p);
            s.Update(q, error);
            x++;
        }
    }

    /// <summary>Run mode (A.7): samples equal to Ra up to the line's end or an interruption sample; returns how many.</summary>
    private static int RunMode(BitReader bits, State s, int[] previous, int[] current, int x, int width)
    {
        var p = s.P;
        int left = width - x + 1, ra = current[x - 1], run = 0;
        while (bits.Read(1) == 1)
        {
            int count = Math.Min(1 << J[s.RunIndex], left - run);
            run += count;
            if (count == 1 << J[s.RunIndex]) s.RunIndex = Math.Min(31, s.RunIndex + 1);
            if (run == left) break;
        }
        if (run != left && J[s.RunIndex] > 0) run += bits.Read(J[s.RunIndex]);
        if (run > left) throw new InvalidDataException($"{bits.Name} holds a JPEG-LS run longer than its line; the file is corrupt.");
        Array.Fill(current, ra, x, run);
        if (run == left) return run;
        // The run interruption sample.
        int at = x + run, rb = previous[at];
        ra = current[at - 1];
        int type = Math.Abs(ra - rb) <= p.Near ? 1 : 0, context = 365 + type;
        int temp = s.A[context] + (s.N[context] >> 1) * type, k = State.GolombK(s.N[context], temp, bits.Name);
        int mapped = bits.Golomb(k, p.Limit - J[s.RunIndex] - 1, p.Qbpp) + type;
        int magnitude = (mapped + (mapped & 1)) / 2;
        int error = (k != 0 || 2 * s.Nn[context - 365] >= s.N[context]) == ((mapped & 1) != 0) ? -magnitude : magnitude;
        current[at] = type == 1 ? Reconstruct(ra, error, p) : Reconstruct(rb, error * (rb > ra ? 1 : -1), p);
        if (error < 0) s.Nn[context - 365]++;
        s.A[context] += (mapped - type + 1 - type) >> 1;   // (EMErrval + 1 - RItype) / 2, EMErrval = mapped - RItype
        State.Check(s.A[context], 0, bits.Name);
        if (s.N[context] == p.Reset)
        {
            s.A[context] >>= 1;
            s.N[context] >>= 1;
            s.Nn[context - 365] >>= 1;
        }
        s.N[context]++;
        s.RunIndex = Math.Max(0, s.RunIndex - 1);
        return run + 1;
    }

    private static int Quantize(int d, Parameters p) =>
        d <= -p.T3 ? -4 : d <= -p.T2 ? -3 : d <= -p.T1 ? -2 : d < -p.Near ? -1 : d <= p.Near ? 0 : d < p.T1 ? 1 : d < p.T2 ? 2 : d < p.T3 ? 3 : 4;

    /// <summary>The inverse of the error mapping (A.5.2): 0, -1, 1, -2, 2, ... for 0, 1, 2, 3, 4, ...</summary>
    private static int Unmap(int mapped) => (mapped >> 1) ^ -(mapped & 1);

    /// <summary>The prediction plus the dequantised error, brought back into range (A.4.5 and its modulo reduction).</summary>
    private static int Reconstruct(int predicted, int error, Parameters p)
    {
        int step = 2 * p.Near + 1, value = predicted + error * step;
        if (value < -p.Near) value += p.Range * step;
        else if (value > p.MaxValue + p.Near) value -= p.Range * step;
        return Math.Clamp(value, 0, p.MaxValue);
    }

    private static InvalidDataException Broken(string name, string why) =>
        new($"{name} holds a JPEG-LS image that cannot be decoded: {why}; decompress it with another program (`gdcmconv --raw in.dcm out.dcm`).");

    /// <summary>The context variables of a scan (A.2.2): 365 regular contexts and the 2 of run interruptions.</summary>
    private sealed class State
    {
        public readonly Parameters P;
        private readonly string name;
        public readonly int[] A = new int[367], N = new int[367], B = new int[365], C = new int[365], Nn = new int[2];
        public int RunIndex;

        public State(Parameters p, string name)
        {
            P = p;
            this.name = name;
            Array.Fill(A, Math.Max(2, (p.Range + 32) / 64));
            Array.Fill(N, 1);
        }

        /// <summary>The Golomb parameter: the least k with N 2^k >= A. A valid stream never needs 16 or more (no error of a
        /// 16-bit sample is that large); a damaged one can drive A so high that the search would never end.</summary>
        public static int GolombK(int n, int a, string name)
        {
            int k = 0;
            while ((long)n << k < a)
                if (++k >= 16) throw new InvalidDataException($"{name} holds JPEG-LS data whose statistics run out of range; the file is corrupt.");
            return k;
        }

        /// <summary>Refuses statistics no valid stream reaches (CharLS's bound, 2^24): damage, caught before it overflows.</summary>
        public static void Check(int a, int b, string name)
        {
            if (a >= 1 << 24 || Math.Abs(b) >= 1 << 24)
                throw new InvalidDataException($"{name} holds JPEG-LS data whose statistics run out of range; the file is corrupt.");
        }

        /// <summary>A.6: the error statistics and the bias correction of a regular context.</summary>
        public void Update(int q, int error)
        {
            B[q] += error * (2 * P.Near + 1);
            A[q] += Math.Abs(error);
            Check(A[q], B[q], name);
            if (N[q] == P.Reset)
            {
                A[q] >>= 1;
                B[q] >>= 1;
                N[q] >>= 1;
            }
            N[q]++;
            if (B[q] <= -N[q])
            {
                B[q] += N[q];
                if (C[q] > -128) C[q]--;
                if (B[q] <= -N[q]) B[q] = -N[q] + 1;
            }
            else if (B[q] > 0)
            {
                B[q] -= N[q];
                if (C[q] < 127) C[q]++;
                if (B[q] > 0) B[q] = 0;
            }
        }
    }

    /// <summary>A scan's bits (A.1): after an FF byte the next holds 7 bits (its top bit is a stuffed 0); an FF followed
    /// by a byte with the top bit set is a marker, where the data ends.</summary>
    private sealed class BitReader(byte[] data, int pos, string name)
    {
        private long buffer;
        private int count;

        public string Name => name;

        public int Read(int bits)
        {
            while (count < bits) Fill();
            count -= bits;
            return (int)(buffer >> count) & ((1 << bits) - 1);
        }

        /// <summary>A limited-length Golomb code (A.5.3): zeros then a one, then k bits; at the limit, qbpp bits.</summary>
        public int Golomb(int k, int limit, int qbpp)
        {
            int high = 0;
            while (Read(1) == 0)
                if (++high > limit) throw new InvalidDataException($"{name} holds a JPEG-LS code longer than its limit; the file is corrupt.");
            if (high >= limit - qbpp - 1) return Read(qbpp) + 1;
            return k == 0 ? high : (high << k) + Read(k);
        }

        private void Fill()
        {
            if (pos >= data.Length) throw Ended();
            int b = data[pos];
            if (pos > 0 && data[pos - 1] == 0xFF && pos - 1 >= 0)
            {
                // After FF: a byte with the top bit set is a marker; otherwise 7 bits of data.
                if (b >= 0x80) throw Ended();
                buffer = buffer << 7 | (uint)b;
                count += 7;
            }
            else
            {
                buffer = buffer << 8 | (uint)b;
                count += 8;
            }
            pos++;
        }

        /// <summary>
        /// The position of the marker after the scan. The bits left in the last byte must be zero padding, and the marker
        /// must follow at once (after a final FF, one more byte of padding): anything else means the decoding went out of
        /// step with the encoder (a damaged stream, or parameters other than the encoder's), and the pixels are wrong.
        /// </summary>
        public int End()
        {
            bool padded = count == 0 || (buffer & ((1L << count) - 1)) == 0;
            if (padded && pos > 0 && data[pos - 1] == 0xFF && pos < data.Length && data[pos] == 0) pos++;
            if (!padded || pos + 1 >= data.Length || data[pos] != 0xFF || data[pos + 1] < 0x80)
                throw new InvalidDataException($"{name} holds a JPEG-LS image whose scan does not end where its last sample does; the file is " +
                                               "corrupt or was coded with parameters it does not state.");
            return pos;
        }

        private InvalidDataException Ended() =>
            new($"{name} holds a JPEG-LS image whose data ends before its last sample; the file is corrupt or truncated.");
    }
}
