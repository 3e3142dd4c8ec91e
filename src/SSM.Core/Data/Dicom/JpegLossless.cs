namespace SSM.Core.Data.Dicom;

/// <summary>
/// Decodes lossless JPEG (ITU T.81 process 14, the Huffman-coded predictive mode): what PACS archives and CT and MR
/// exports compress with (DICOM transfer syntaxes 1.2.840.10008.1.2.4.57 and .70). Skia decodes only JPEG's lossy
/// processes, and no package served here decodes this one.
/// </summary>
internal static class JpegLossless
{
    /// <summary>The samples, pixel-interleaved (each component after the other within a pixel), with the image's size.</summary>
    /// <exception cref="InvalidDataException">The stream is no lossless JPEG, or ends or breaks before its last sample.</exception>
    public static (int[] Samples, int Components, int Width, int Height) Decode(byte[] data, string name)
    {
        var tables = new Huffman?[4];
        int precision = 0, width = 0, height = 0, restartInterval = 0;
        int[]? componentIds = null, samples = null;
        bool[]? decoded = null;
        int pos = 0;
        if (data.Length < 2 || data[0] != 0xFF || data[1] != 0xD8) throw Broken(name, "it does not start a JPEG stream");
        pos = 2;
        while (true)
        {
            var (marker, start, length) = JpegSegments.Next(data, ref pos, why => Broken(name, why));
            if (marker == 0xD9) break;   // end of image
            var segment = data.AsSpan(start, length);
            switch (marker)
            {
                case 0xC3:
                    if (segment.Length < 6) throw Broken(name, "its frame header is short");
                    precision = segment[0];
                    height = segment[1] << 8 | segment[2];
                    width = segment[3] << 8 | segment[4];
                    int count = segment[5];
                    if (precision is < 2 or > 16 || width < 1 || height < 1 || count is < 1 or > 4 || segment.Length < 6 + 3 * count)
                        throw Broken(name, $"its frame header says {width}x{height}, {count} components of {precision} bits");
                    // Every sample takes at least one bit: a size the data cannot hold is damage, refused before allocating.
                    if ((long)width * height * count > 8L * data.Length) throw Broken(name, $"its frame header says {width}x{height}, more than its data holds");
                    componentIds = new int[count];
                    for (int c = 0; c < count; c++)
                    {
                        componentIds[c] = segment[6 + 3 * c];
                        if (count > 1 && segment[7 + 3 * c] != 0x11) throw Broken(name, "its colour components are subsampled");
                    }
                    samples = new int[width * height * count];
                    decoded = new bool[count];
                    break;
                case >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC:
                    throw Broken(name, $"it is coded with JPEG process SOF{marker - 0xC0}, not lossless process 14");
                case 0xC4: ReadTables(segment, tables, name); break;
                case 0xDD:
                    if (segment.Length < 2) throw Broken(name, "its restart interval is short");
                    restartInterval = segment[0] << 8 | segment[1];
                    break;
                case 0xDA:
                    if (samples is null || componentIds is null || decoded is null) throw Broken(name, "a scan comes before the frame header");
                    pos = Scan(data, pos, segment, tables, componentIds, decoded, samples, width, height, precision, restartInterval, name);
                    break;
            }
        }
        if (samples is null || componentIds is null || decoded is null) throw Broken(name, "it has no frame");
        // A component no scan decoded would be zeros, silently.
        if (decoded.Contains(false)) throw Broken(name, "it ends before every component was decoded");
        return (samples, componentIds.Length, width, height);
    }

    /// <summary>Decodes one scan (the components it lists) into <paramref name="samples"/>; returns the position after it.</summary>
    private static int Scan(byte[] data, int pos, ReadOnlySpan<byte> header, Huffman?[] tables, int[] componentIds, bool[] decoded, int[] samples,
        int width, int height, int precision, int restartInterval, string name)
    {
        int count = header.Length > 0 ? header[0] : 0;
        if (count < 1 || header.Length < 1 + 2 * count + 3) throw Broken(name, "its scan header is short");
        var planes = new int[count];
        var coders = new Huffman[count];
        for (int i = 0; i < count; i++)
        {
            planes[i] = Array.IndexOf(componentIds, (int)header[1 + 2 * i]);
            coders[i] = tables[header[2 + 2 * i] >> 4 & 3] ?? throw Broken(name, "a scan uses a Huffman table it never defined");
            if (planes[i] < 0) throw Broken(name, "a scan names a component the frame does not have");
            decoded[planes[i]] = true;
        }
        int predictor = header[1 + 2 * count], pointTransform = header[3 + 2 * count] & 15;
        if (predictor is < 1 or > 7) throw Broken(name, $"its predictor is {predictor} (1 to 7 in lossless JPEG)");
        if (pointTransform >= precision) throw Broken(name, $"its point transform ({pointTransform}) leaves none of its {precision} bits");
        int stride = componentIds.Length, initial = 1 << (precision - pointTransform - 1);
        var bits = new BitReader(data, pos, name);
        // Predictions use the values before the point transform; they are kept in `samples` and shifted at the end.
        int restartRow = 0, left = restartInterval, restarts = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                if (restartInterval > 0 && left-- == 0)
                {
                    bits.Restart(restarts++);
                    left = restartInterval - 1;
                    if (x != 0) throw Broken(name, "a restart interval ends inside a row");
                    restartRow = y;
                }
                for (int i = 0; i < count; i++)
                {
                    int at = (y * width + x) * stride + planes[i];
                    int prediction;
                    if (y == restartRow) prediction = x == 0 ? initial : samples[at - stride];
                    else if (x == 0) prediction = samples[at - width * stride];
                    else
                    {
                        int a = samples[at - stride], b = samples[at - width * stride], c = samples[at - (width + 1) * stride];
                        prediction = predictor switch
                        {
                            1 => a, 2 => b, 3 => c, 4 => a + b - c, 5 => a + ((b - c) >> 1), 6 => b + ((a - c) >> 1), _ => (a + b) >> 1,
                        };
                    }
                    samples[at] = (prediction + Difference(bits, coders[i])) & 0xFFFF;
                }
            }
        // Only this scan's components: an earlier scan's are final already.
        if (pointTransform > 0)
            for (int p = 0; p < width * height; p++)
                foreach (int plane in planes) samples[p * stride + plane] <<= pointTransform;
        return bits.End();
    }

    /// <summary>One coded difference: a Huffman-coded size, then that many bits (T.81 H.1.2.2; size 16 is 32768 alone).</summary>
    private static int Difference(BitReader bits, Huffman coder)
    {
        int size = coder.Decode(bits);
        if (size > 16) throw new InvalidDataException($"{bits.Name} holds a lossless JPEG with a difference of {size} bits (16 at most); the file is corrupt.");
        if (size == 0) return 0;
        if (size == 16) return 32768;
        int value = bits.Read(size);
        return value < 1 << (size - 1) ? value - (1 << size) + 1 : value;
    }

    private static void ReadTables(ReadOnlySpan<byte> segment, Huffman?[] tables, string name)
    {
        while (segment.Length > 0)
        {
            if (segment.Length < 17) throw Broken(name, "a Huffman table is short");
            int id = segment[0] & 3, total = 0;
            bool dc = segment[0] >> 4 == 0;   // lossless JPEG codes with DC tables only: an AC table of the same id is no concern
            var counts = segment.Slice(1, 16);
            foreach (byte c in counts) total += c;
            if (segment.Length < 17 + total) throw Broken(name, "a Huffman table is short");
            if (dc) tables[id] = new Huffman(counts, segment.Slice(17, total));
            segment = segment[(17 + total)..];
        }
    }

    private static InvalidDataException Broken(string name, string why) =>
        new($"{name} holds a lossless JPEG that cannot be decoded: {why}; the file is corrupt or truncated.");

    /// <summary>
    /// A Huffman table in T.81's canonical form (Annex C): codes of up to <see cref="FastBits"/> bits looked up at once in a
    /// table of every such bit pattern, longer ones decoded code length by code length (F.2.2.3). A synthetic 12-megapixel
    /// 12-bit frame read in 0.32-0.38 s this way against 0.42-0.48 s bit by bit (0.15 s uncompressed).
    /// </summary>
    private sealed class Huffman
    {
        private const int FastBits = 9;
        private readonly int[] maxCode = new int[18], offset = new int[17];
        private readonly byte[] values;
        private readonly short[] fast = new short[1 << FastBits];   // (length << 8) | value; 0 where no short code starts

        public Huffman(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values)
        {
            this.values = values.ToArray();
            int code = 0, k = 0;
            for (int length = 1; length <= 16; length++)
            {
                offset[length] = k - code;
                for (int i = 0; i < counts[length - 1] && length <= FastBits && k + i < values.Length; i++)
                {
                    int first = (code + i) << (FastBits - length);
                    if (first + (1 << (FastBits - length)) > fast.Length) break;   // a damaged table with more codes than fit
                    fast.AsSpan(first, 1 << (FastBits - length)).Fill((short)(length << 8 | values[k + i]));
                }
                code += counts[length - 1];
                k += counts[length - 1];
                maxCode[length] = counts[length - 1] > 0 ? code - 1 : -1;
                code <<= 1;
            }
            maxCode[17] = int.MaxValue;
        }

        public int Decode(BitReader bits)
        {
            if (bits.TryFill(FastBits) && fast[bits.Peek(FastBits)] is var entry and not 0)
            {
                bits.Drop(entry >> 8);
                return entry & 0xFF;
            }
            int code = bits.Read(1);
            for (int length = 1; length <= 16; length++)
            {
                if (code <= maxCode[length])
                {
                    int index = code + offset[length];
                    if ((uint)index < (uint)values.Length) return values[index];
                    break;
                }
                code = code << 1 | bits.Read(1);
            }
            throw new InvalidDataException($"{bits.Name} holds a lossless JPEG with a code its Huffman table does not have; the file is corrupt.");
        }
    }

    /// <summary>The entropy-coded bits of a scan: stuffed zero bytes after FF removed, stopping at a marker.</summary>
    private sealed class BitReader(byte[] data, int pos, string name)
    {
        private int buffer, count;
        private bool atMarker;

        public string Name => name;

        public int Read(int bits)
        {
            while (count < bits)
            {
                buffer = buffer << 8 | NextByte();
                count += 8;
            }
            count -= bits;
            return buffer >> count & ((1 << bits) - 1);
        }

        /// <summary>Whether <paramref name="bits"/> bits can be looked at before the scan's data ends (a marker, the end).</summary>
        public bool TryFill(int bits)
        {
            while (count < bits)
            {
                if (atMarker || pos >= data.Length) return false;
                int b = data[pos];
                if (b == 0xFF && (pos + 1 >= data.Length || data[pos + 1] != 0)) return false;   // a marker: NextByte says so when read
                buffer = buffer << 8 | NextByte();
                count += 8;
            }
            return true;
        }

        /// <summary>The next <paramref name="bits"/> bits, not consumed (after <see cref="TryFill"/>).</summary>
        public int Peek(int bits) => buffer >> (count - bits) & ((1 << bits) - 1);

        /// <summary>Consumes <paramref name="bits"/> bits looked at with <see cref="Peek"/>.</summary>
        public void Drop(int bits) => count -= bits;

        private int NextByte()
        {
            if (atMarker) throw Ended();
            if (pos >= data.Length) throw Ended();
            int b = data[pos++];
            if (b != 0xFF) return b;
            if (pos >= data.Length) throw Ended();
            if (data[pos] == 0) { pos++; return 0xFF; }
            // A marker inside the data: the scan's bits end here.
            pos--;
            atMarker = true;
            throw Ended();
        }

        /// <summary>
        /// At the <paramref name="index"/>-th restart: drops the bits left in the byte and reads past the marker RST(index mod
        /// 8), which must come right there (after fill bytes, if any): anything else means the bits went out of step.
        /// </summary>
        public void Restart(int index)
        {
            count = buffer = 0;
            atMarker = false;
            int marker = MarkerHere();
            if (marker != 0xD0 + index % 8)
                throw new InvalidDataException($"{name} holds a lossless JPEG without restart marker {index % 8} where it belongs; the file is corrupt.");
        }

        /// <summary>The position after the scan's bits, where the next marker must start.</summary>
        public int End()
        {
            int start = pos;
            if (MarkerHere() < 0)
                throw new InvalidDataException($"{name} holds a lossless JPEG whose scan does not end where its last sample does; the file is corrupt.");
            return start;
        }

        /// <summary>The marker at the position (after fill bytes FF), read past; -1 when there is none.</summary>
        private int MarkerHere()
        {
            if (pos >= data.Length || data[pos] != 0xFF) return -1;
            while (pos < data.Length && data[pos] == 0xFF) pos++;
            if (pos >= data.Length || data[pos] == 0) return -1;
            return data[pos++];
        }

        private InvalidDataException Ended() =>
            new($"{name} holds a lossless JPEG whose data ends before its last sample; the file is corrupt or truncated.");
    }
}
