namespace SSM.Core.Data.Dicom;

/// <summary>
/// JPEG 2000 tier 2 (T.800 Annex B): a tile's resolutions, subbands, precincts and code-blocks, the order of its packets
/// (the five progressions and POC's changes of them), and the packet headers that say which code-blocks contribute how
/// many coding passes of how many bytes (tag trees, B.10), read in the packets or packed apart in PPM and PPT markers.
/// </summary>
internal static partial class Jpeg2000
{
    private sealed class Tile
    {
        public int Index, X0, Y0, X1, Y1;
        public bool Mct;
        public TileComponent[] Components = [];
    }

    private sealed class TileComponent
    {
        public int X0, Y0, X1, Y1;
        public CodingStyle Style = null!;
        public int RoiShift;
        public Resolution[] Resolutions = [];
    }

    private sealed class Resolution
    {
        public int X0, Y0, X1, Y1, PrecinctsWide, PrecinctsHigh, PrecinctWidthExp, PrecinctHeightExp;
        public long PrecinctStartX, PrecinctStartY;   // the first precinct's column and row on the precinct grid
        public Band[] Bands = [];
        public Precinct[] Precincts = [];
    }

    private sealed class Band
    {
        public int Orientation, X0, Y0, X1, Y1, OffsetX, OffsetY, Planes, BlockWidthExp, BlockHeightExp;   // 0 LL, 1 HL, 2 LH, 3 HH
        public float Step;
    }

    private sealed class Precinct
    {
        public PrecinctBand[] Bands = [];
    }

    /// <summary>The code-blocks of one subband inside one precinct, with their two tag trees.</summary>
    private sealed class PrecinctBand
    {
        public int BlocksWide, BlocksHigh, FirstBlockX, FirstBlockY;
        public TagTree? Inclusion, ZeroPlanes;
        public CodeBlock?[] Blocks = [];
    }

    private sealed class CodeBlock
    {
        public int X0, Y0, X1, Y1, Planes, Passes, LengthBits = 3;
        public bool Open;   // its last codeword segment has room for more passes
        public byte[] Data = [];
        public int Length;
        public readonly List<(int Start, int Length, int Passes)> Segments = [];

        public void Append(byte[] source, int pos, int length, int passes, bool newSegment)
        {
            if (Length + length > Data.Length) Array.Resize(ref Data, Math.Max(Length + length, Math.Max(64, 2 * Data.Length)));
            Buffer.BlockCopy(source, pos, Data, Length, length);
            if (newSegment || Segments.Count == 0) Segments.Add((Length, length, passes));
            else
            {
                var last = Segments[^1];
                Segments[^1] = (last.Start, last.Length + length, last.Passes + passes);
            }
            Length += length;
        }
    }

    /// <summary>A tag tree (B.10.2): the minimum of each quad of nodes one level up, decoded as far as a threshold asks.</summary>
    private sealed class TagTree
    {
        private readonly int[] value, low, offset, wide;
        private readonly int levels;

        public TagTree(int width, int height)
        {
            var offsets = new List<int>();
            var widths = new List<int>();
            int total = 0, w = width, h = height;
            while (true)
            {
                offsets.Add(total);
                widths.Add(w);
                total += w * h;
                if (w == 1 && h == 1) break;
                w = (w + 1) >> 1;
                h = (h + 1) >> 1;
            }
            levels = offsets.Count;
            offset = [.. offsets];
            wide = [.. widths];
            value = new int[total];
            low = new int[total];
            Array.Fill(value, int.MaxValue);
        }

        /// <summary>Whether the leaf's value is below <paramref name="threshold"/>, reading bits as B.10.2 does; the value when it is.</summary>
        public bool Decode(BitReader bits, int x, int y, int threshold, out int leafValue)
        {
            int current = 0, node = 0;
            for (int k = levels - 1; k >= 0; k--)
            {
                node = offset[k] + (y >> k) * wide[k] + (x >> k);
                if (current > low[node]) low[node] = current;
                else current = low[node];
                while (current < threshold && current < value[node])
                {
                    if (bits.Bit() != 0) value[node] = current;
                    else current++;
                }
                low[node] = current;
            }
            leafValue = value[node];
            return leafValue < threshold;
        }
    }

    /// <summary>Packet headers packed apart from the packets' bodies (PPM, PPT), and where the next begins.</summary>
    private sealed class Packed(byte[] data)
    {
        public readonly byte[] Data = data;
        public int Pos;
    }

    /// <summary>The bits of a packet header, with the bit stuffing after FF bytes (B.10.1).</summary>
    private sealed class BitReader(Func<InvalidDataException> truncated)
    {
        public int Pos;
        private byte[] data = [];
        private int end, buffer, count;

        public void Start(byte[] source, int limit, int pos) { data = source; end = limit; Pos = pos; buffer = 0; count = 0; }

        public int Bit()
        {
            if (count == 0)
            {
                if (Pos >= end) throw truncated();
                buffer = ((buffer << 8) & 0xFFFF) | data[Pos++];
                count = buffer >> 8 == 0xFF ? 7 : 8;
            }
            count--;
            return (buffer >> count) & 1;
        }

        public int Bits(int n)
        {
            int v = 0;
            for (int i = 0; i < n; i++) v = (v << 1) | Bit();
            return v;
        }

        /// <summary>To the next byte; past the byte that follows an FF, whose first bit was stuffed.</summary>
        public void Align()
        {
            if ((buffer & 0xFF) == 0xFF)
            {
                if (Pos >= end) throw truncated();
                Pos++;
            }
            count = 0;
            buffer = 0;
        }
    }

    private static long CeilShift(long a, int n) => -((-a) >> n);
    private static long FloorShift(long a, int n) => a >> n;

    /// <summary>How many of the passes from pass <paramref name="t"/> on belong to its codeword segment (D.4.1, Table D.9).</summary>
    private static int PassesLeftInSegment(int t, int style)
    {
        if ((style & CodingStyle.TermAll) != 0) return 1;
        if ((style & CodingStyle.Bypass) != 0)
        {
            if (t < 10) return 10 - t;
            return (t - 10) % 3 == 0 ? 2 : 1;
        }
        return int.MaxValue;
    }

    private sealed partial class Codestream
    {
        private long codeBlocks;   // made so far, in all tiles

        /// <summary>Builds a tile's structure and reads all its packets, keeping each code-block's bytes.</summary>
        private Tile ReadPackets(int t)
        {
            var parts = tiles[t];
            var own = parts.Own;
            var cod = own.HasCod ? own : main;
            int p = t % tilesWide, q = t / tilesWide;
            long xsiz = (long)x0 + width, ysiz = (long)y0 + height;
            var tile = new Tile
            {
                Index = t,
                X0 = (int)Math.Max(tileX0 + (long)p * tileWidth, x0), Y0 = (int)Math.Max(tileY0 + (long)q * tileHeight, y0),
                X1 = (int)Math.Min(tileX0 + (long)(p + 1) * tileWidth, xsiz), Y1 = (int)Math.Min(tileY0 + (long)(q + 1) * tileHeight, ysiz),
                Mct = cod.Mct == 1 && components == 3,   // on one component OpenJPEG skips it too
            };
            int total = 0;
            foreach (var (s, e) in parts.Parts) total += e - s;
            var stream = new byte[total];
            total = 0;
            foreach (var (s, e) in parts.Parts) { Buffer.BlockCopy(data, s, stream, total, e - s); total += e - s; }

            Packed? packed = null;   // the packet headers, when PPM or PPT markers hold them apart from the bodies
            if (main.Packed is not null)
            {
                var headers = new List<byte>();
                foreach (var (s, n) in parts.PackedHeaders) headers.AddRange(packedHeaders.AsSpan(s, n));
                packed = new Packed([.. headers]);
            }
            else if (own.Packed is not null)
            {
                var headers = new List<byte>();
                foreach (var (_, s, n) in own.Packed.OrderBy(p => p.Index)) headers.AddRange(data.AsSpan(s, n));
                packed = new Packed([.. headers]);
            }
            long budget = total + (packed?.Data.Length ?? 0);   // every packet takes a byte at least, of header or body
            tile.Components = new TileComponent[components];
            long packets = 0;
            for (int c = 0; c < components; c++)
            {
                var (style, quantisation, roiShift) = ParametersOf(own, c);
                tile.Components[c] = BuildComponent(tile, style, quantisation, cod.Layers, budget - packets);
                tile.Components[c].RoiShift = roiShift;
                foreach (var r in tile.Components[c].Resolutions) packets += (long)r.PrecinctsWide * r.PrecinctsHigh * cod.Layers;
            }
            if (tile.Mct && tile.Components[0].Style.Transform != tile.Components[1].Style.Transform
                         || tile.Mct && tile.Components[0].Style.Transform != tile.Components[2].Style.Transform)
                throw Unsupported(name, $"applies a colour transform to components of different wavelets in tile {t}");
            if (packets > budget) throw Broken(name, $"has {budget} bytes for tile {t}'s {packets} packets");

            var order = Sequence(tile, cod.Layers, cod.Order, own.Pocs ?? main.Pocs, (int)packets);
            var bits = new BitReader(() => Broken(name, $"ends inside tile {t}'s packets"));
            var pending = new List<(CodeBlock Block, int Passes, int Length, bool NewSegment)>();
            int pos = 0;
            foreach (var (layer, r, c, k) in order)
                pos = ReadPacket(stream, total, pos, bits, packed, pending, tile.Components[c], r, k, layer, cod.Scod, t);
            return tile;
        }

        /// <summary>
        /// A tile-component's resolutions, subbands, precincts and code-blocks. Every packet takes a byte at least, so
        /// precincts are counted against the tile's <paramref name="bytes"/> before any is made, and code-blocks against
        /// what the whole image may have.
        /// </summary>
        private TileComponent BuildComponent(Tile tile, CodingStyle style, Quantisation quantisation, int layers, long bytes)
        {
            var tc = new TileComponent { X0 = tile.X0, Y0 = tile.Y0, X1 = tile.X1, Y1 = tile.Y1, Style = style };
            int levels = style.Levels;
            if (quantisation.Style != 1 && quantisation.Exponents.Length < 3 * levels + 1)
                throw Broken(name, $"quantises {quantisation.Exponents.Length} subbands of a component with {3 * levels + 1}");
            tc.Resolutions = new Resolution[levels + 1];
            for (int r = 0; r <= levels; r++)
            {
                int down = levels - r;
                var res = new Resolution
                {
                    X0 = (int)CeilShift(tc.X0, down), Y0 = (int)CeilShift(tc.Y0, down),
                    X1 = (int)CeilShift(tc.X1, down), Y1 = (int)CeilShift(tc.Y1, down),
                    PrecinctWidthExp = style.PrecinctWidthExp[r], PrecinctHeightExp = style.PrecinctHeightExp[r],
                };
                tc.Resolutions[r] = res;
                res.PrecinctStartX = FloorShift(res.X0, res.PrecinctWidthExp);
                res.PrecinctStartY = FloorShift(res.Y0, res.PrecinctHeightExp);
                long pw = res.X0 == res.X1 ? 0 : CeilShift(res.X1, res.PrecinctWidthExp) - res.PrecinctStartX;
                long ph = res.Y0 == res.Y1 ? 0 : CeilShift(res.Y1, res.PrecinctHeightExp) - res.PrecinctStartY;
                if (pw * ph > bytes || (bytes -= pw * ph * layers) < 0) throw Broken(name, $"has fewer bytes in tile {tile.Index} than it has packets");
                res.PrecinctsWide = (int)pw;
                res.PrecinctsHigh = (int)ph;
                var below = r > 0 ? tc.Resolutions[r - 1] : null;
                int[] orientations = r == 0 ? [0] : [1, 2, 3];
                res.Bands = new Band[orientations.Length];
                for (int b = 0; b < orientations.Length; b++)
                {
                    int o = orientations[b], nb = r == 0 ? levels : levels - r + 1;
                    long xo = o & 1, yo = o >> 1;
                    var band = new Band
                    {
                        Orientation = o,
                        X0 = (int)CeilShift(tc.X0 - (nb == 0 ? 0 : xo << (nb - 1)), nb), Y0 = (int)CeilShift(tc.Y0 - (nb == 0 ? 0 : yo << (nb - 1)), nb),
                        X1 = (int)CeilShift(tc.X1 - (nb == 0 ? 0 : xo << (nb - 1)), nb), Y1 = (int)CeilShift(tc.Y1 - (nb == 0 ? 0 : yo << (nb - 1)), nb),
                        OffsetX = (o & 1) != 0 ? below!.X1 - below.X0 : 0, OffsetY = (o & 2) != 0 ? below!.Y1 - below.Y0 : 0,
                        BlockWidthExp = Math.Min(style.BlockWidthExp, r == 0 ? res.PrecinctWidthExp : res.PrecinctWidthExp - 1),
                        BlockHeightExp = Math.Min(style.BlockHeightExp, r == 0 ? res.PrecinctHeightExp : res.PrecinctHeightExp - 1),
                    };
                    int index = r == 0 ? 0 : 3 * (r - 1) + 1 + b;
                    int exponent = quantisation.Style == 1 ? quantisation.Exponents[0] - (r == 0 ? 0 : r - 1) : quantisation.Exponents[index];
                    int mantissa = quantisation.Style == 1 ? quantisation.Mantissas[0] : quantisation.Mantissas[index];
                    // Scalar derived with more levels than its exponent allows: legal, but no step size follows (E.1.1.1).
                    if (exponent < 0) throw Unsupported(name, "derives a negative quantisation exponent (scalar derived, too many levels for its exponent)");
                    int gain = style.Transform == 0 ? 0 : o == 0 ? 0 : o == 3 ? 2 : 1;   // see TwoInverseK for the irreversible 0
                    band.Planes = quantisation.GuardBits + exponent - 1;
                    band.Step = (float)(Math.Pow(2, bits + gain - exponent) * (1 + mantissa / 2048.0));
                    res.Bands[b] = band;
                }
                res.Precincts = new Precinct[res.PrecinctsWide * res.PrecinctsHigh];
                for (int k = 0; k < res.Precincts.Length; k++)
                {
                    var precinct = new Precinct { Bands = new PrecinctBand[res.Bands.Length] };
                    long i = k % res.PrecinctsWide, j = k / res.PrecinctsWide;
                    for (int b = 0; b < res.Bands.Length; b++)
                    {
                        var band = res.Bands[b];
                        int ex = r == 0 ? res.PrecinctWidthExp : res.PrecinctWidthExp - 1, ey = r == 0 ? res.PrecinctHeightExp : res.PrecinctHeightExp - 1;
                        long px0 = (res.PrecinctStartX + i) << ex, py0 = (res.PrecinctStartY + j) << ey;
                        long px1 = px0 + (1L << ex), py1 = py0 + (1L << ey);
                        long ax0 = Math.Max(px0, band.X0), ay0 = Math.Max(py0, band.Y0), ax1 = Math.Min(px1, band.X1), ay1 = Math.Min(py1, band.Y1);
                        var pb = new PrecinctBand();
                        if (ax0 < ax1 && ay0 < ay1)
                        {
                            long bx0 = FloorShift(ax0, band.BlockWidthExp), by0 = FloorShift(ay0, band.BlockHeightExp);
                            long bw = CeilShift(ax1, band.BlockWidthExp) - bx0, bh = CeilShift(ay1, band.BlockHeightExp) - by0;
                            codeBlocks += bw * bh;
                            if (codeBlocks > MaxCodeBlocks) throw Unsupported(name, $"divides its image into more than {MaxCodeBlocks} code-blocks");
                            pb.BlocksWide = (int)bw;
                            pb.BlocksHigh = (int)bh;
                            pb.FirstBlockX = (int)bx0;
                            pb.FirstBlockY = (int)by0;
                            pb.Blocks = new CodeBlock?[bw * bh];
                            pb.Inclusion = new TagTree(pb.BlocksWide, pb.BlocksHigh);
                            pb.ZeroPlanes = new TagTree(pb.BlocksWide, pb.BlocksHigh);
                        }
                        precinct.Bands[b] = pb;
                    }
                    res.Precincts[k] = precinct;
                }
            }
            return tc;
        }

        /// <summary>The packets of a tile in their order (B.12): layer, resolution, component, precinct.</summary>
        private List<(int Layer, int Resolution, int Component, int Precinct)> Sequence(Tile tile, int layers, int order, List<Progression>? pocs, int count)
        {
            var all = new (int L, int R, int C, int K, long Y, long X)[count];
            int n = 0;
            for (int c = 0; c < components; c++)
            {
                var tc = tile.Components[c];
                int levels = tc.Resolutions.Length - 1;
                for (int r = 0; r <= levels; r++)
                {
                    var res = tc.Resolutions[r];
                    for (int k = 0; k < res.Precincts.Length; k++)
                    {
                        long i = k % res.PrecinctsWide, j = k / res.PrecinctsWide;
                        // where the precinct starts on the reference grid, the tile's corner for one that starts before it (B.12.1.3)
                        long y = Math.Max(tile.Y0, ((res.PrecinctStartY + j) << res.PrecinctHeightExp) << (levels - r));
                        long x = Math.Max(tile.X0, ((res.PrecinctStartX + i) << res.PrecinctWidthExp) << (levels - r));
                        for (int l = 0; l < layers; l++) all[n++] = (l, r, c, k, y, x);
                    }
                }
            }
            var result = new List<(int, int, int, int)>(count);
            if (pocs is null)
            {
                Array.Sort(all, Comparer(order));
                foreach (var a in all) result.Add((a.L, a.R, a.C, a.K));
                return result;
            }
            if ((long)pocs.Count * count > 50_000_000) throw Unsupported(name, $"changes its progression {pocs.Count} times over {count} packets");
            var done = new bool[count];
            var index = new int[count];
            for (int i = 0; i < count; i++) index[i] = i;
            foreach (var poc in pocs)
            {
                var chosen = new List<int>();
                for (int i = 0; i < count; i++)
                {
                    var a = all[i];
                    if (!done[i] && a.R >= poc.ResolutionStart && a.R < poc.ResolutionEnd && a.C >= poc.ComponentStart && a.C < poc.ComponentEnd && a.L < poc.LayerEnd)
                        chosen.Add(i);
                }
                var compare = Comparer(poc.Order);
                chosen.Sort((u, v) => compare(all[u], all[v]));
                foreach (int i in chosen) { done[i] = true; result.Add((all[i].L, all[i].R, all[i].C, all[i].K)); }
            }
            var rest = new List<int>();
            for (int i = 0; i < count; i++) if (!done[i]) rest.Add(i);
            var byDefault = Comparer(order);
            rest.Sort((u, v) => byDefault(all[u], all[v]));
            foreach (int i in rest) result.Add((all[i].L, all[i].R, all[i].C, all[i].K));
            return result;
        }

        private static Comparison<(int L, int R, int C, int K, long Y, long X)> Comparer(int order) => order switch
        {
            0 => (a, b) => a.L != b.L ? a.L.CompareTo(b.L) : a.R != b.R ? a.R.CompareTo(b.R) : a.C != b.C ? a.C.CompareTo(b.C) : a.K.CompareTo(b.K),
            1 => (a, b) => a.R != b.R ? a.R.CompareTo(b.R) : a.L != b.L ? a.L.CompareTo(b.L) : a.C != b.C ? a.C.CompareTo(b.C) : a.K.CompareTo(b.K),
            2 => (a, b) => a.R != b.R ? a.R.CompareTo(b.R) : a.Y != b.Y ? a.Y.CompareTo(b.Y) : a.X != b.X ? a.X.CompareTo(b.X)
                : a.C != b.C ? a.C.CompareTo(b.C) : a.L.CompareTo(b.L),
            3 => (a, b) => a.Y != b.Y ? a.Y.CompareTo(b.Y) : a.X != b.X ? a.X.CompareTo(b.X) : a.C != b.C ? a.C.CompareTo(b.C)
                : a.R != b.R ? a.R.CompareTo(b.R) : a.L.CompareTo(b.L),
            _ => (a, b) => a.C != b.C ? a.C.CompareTo(b.C) : a.Y != b.Y ? a.Y.CompareTo(b.Y) : a.X != b.X ? a.X.CompareTo(b.X)
                : a.R != b.R ? a.R.CompareTo(b.R) : a.L.CompareTo(b.L),
        };

        /// <summary>One packet (B.9, B.10): its optional SOP, header, optional EPH and the code-blocks' bytes; where the next begins.</summary>
        private int ReadPacket(byte[] stream, int end, int pos, BitReader bits, Packed? packed, List<(CodeBlock Block, int Passes, int Length, bool NewSegment)> pending,
                               TileComponent tc, int r, int k, int layer, int scod, int t)
        {
            if ((scod & 2) != 0 && pos + 1 < end && stream[pos] == 0xFF && stream[pos + 1] == 0x91)
            {
                if (pos + 6 > end) throw Broken(name, $"ends inside a start-of-packet marker of tile {t}");
                pos += 6;
            }
            if (packed is null) bits.Start(stream, end, pos);
            else bits.Start(packed.Data, packed.Data.Length, packed.Pos);
            pending.Clear();
            var res = tc.Resolutions[r];
            var precinct = res.Precincts[k];
            int style = tc.Style.BlockStyle;
            if (bits.Bit() != 0)
            {
                for (int b = 0; b < res.Bands.Length; b++)
                {
                    var band = res.Bands[b];
                    var pb = precinct.Bands[b];
                    for (int by = 0; by < pb.BlocksHigh; by++)
                        for (int bx = 0; bx < pb.BlocksWide; bx++)
                        {
                            var block = pb.Blocks[by * pb.BlocksWide + bx];
                            bool included = block is null ? pb.Inclusion!.Decode(bits, bx, by, layer + 1, out _) : bits.Bit() != 0;
                            if (!included) continue;
                            if (block is null)
                            {
                                if (!pb.ZeroPlanes!.Decode(bits, bx, by, 64, out int zero))
                                    throw Broken(name, $"has a code-block of tile {t} with more missing bit-planes than it can have");
                                long cx0 = (long)(pb.FirstBlockX + bx) << band.BlockWidthExp, cy0 = (long)(pb.FirstBlockY + by) << band.BlockHeightExp;
                                block = new CodeBlock
                                {
                                    X0 = (int)Math.Max(cx0, band.X0), Y0 = (int)Math.Max(cy0, band.Y0),
                                    X1 = (int)Math.Min(cx0 + (1L << band.BlockWidthExp), band.X1), Y1 = (int)Math.Min(cy0 + (1L << band.BlockHeightExp), band.Y1),
                                    Planes = band.Planes + tc.RoiShift - zero,   // a region of interest adds its shift (H.1)
                                };
                                if (block.Planes < 0) throw Broken(name, $"has a code-block of tile {t} with {block.Planes} bit-planes");
                                // Legal (a large region-of-interest shift on deep samples), but beyond 32-bit magnitudes; OpenJPEG refuses it too.
                                if (block.Planes > 30) throw Unsupported(name, $"codes a code-block of tile {t} in {block.Planes} bit-planes (more than 30)");
                                pb.Blocks[by * pb.BlocksWide + bx] = block;
                            }
                            int passes = PassCount(bits);
                            while (bits.Bit() != 0)
                                if (++block.LengthBits > 32) throw Broken(name, $"has a code-block length of tile {t} out of range");
                            if (block.Passes + passes > 3 * block.Planes - 2)
                                throw Broken(name, $"has a code-block of tile {t} with more coding passes than its bit-planes allow");
                            int pass = block.Passes, left = passes;
                            while (left > 0)
                            {
                                int room = PassesLeftInSegment(pass, style), take = Math.Min(left, room);
                                int lengthBits = block.LengthBits + Log2(take);
                                if (lengthBits > 31) throw Broken(name, $"has a code-block length of tile {t} out of range");
                                pending.Add((block, take, bits.Bits(lengthBits), !block.Open));
                                block.Open = take < room;
                                pass += take;
                                left -= take;
                                block.Passes = pass;
                            }
                        }
                }
            }
            bits.Align();
            var (header, headerEnd, headerPos) = packed is null ? (stream, end, bits.Pos) : (packed.Data, packed.Data.Length, bits.Pos);
            if ((scod & 4) != 0 && headerPos + 1 < headerEnd && header[headerPos] == 0xFF && header[headerPos + 1] == 0x92) headerPos += 2;
            if (packed is null) pos = headerPos;
            else packed.Pos = headerPos;
            foreach (var (block, passes, length, newSegment) in pending)
            {
                if (length > end - pos) throw Broken(name, $"ends inside tile {t}'s code-block data");
                block.Append(stream, pos, length, passes, newSegment);
                pos += length;
            }
            return pos;
        }

        /// <summary>The number of coding passes in a packet for one code-block (Table B.4).</summary>
        private static int PassCount(BitReader bits)
        {
            if (bits.Bit() == 0) return 1;
            if (bits.Bit() == 0) return 2;
            int n = bits.Bits(2);
            if (n != 3) return 3 + n;
            n = bits.Bits(5);
            if (n != 31) return 6 + n;
            return 37 + bits.Bits(7);
        }

        private static int Log2(int n) => 31 - int.LeadingZeroCount(n);
    }
}
