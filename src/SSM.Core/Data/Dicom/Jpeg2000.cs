namespace SSM.Core.Data.Dicom;

/// <summary>
/// Decodes JPEG 2000 (ITU T.800 / ISO 15444-1, Part 1): what most hospital archives compress with (DICOM transfer syntaxes
/// 1.2.840.10008.1.2.4.90 and .91). This file reads the codestream's markers and puts the tiles together; the packets
/// (tier 2) are read in Jpeg2000Packets.cs, the code-blocks (tier 1, with the MQ decoder) in Jpeg2000Tier1.cs and the
/// inverse wavelet in Jpeg2000Wavelet.cs. Names follow the standard's (SIZ, COD, QCD, Scod, SPcod, εb, μb, Mb...).
/// Read: one or three components of 1 to 16 bits, signed or not; any tiling, tile-parts, offsets; all five progressions
/// and their changes (POC); precincts; every code-block style of Part 1; SOP and EPH markers; packed packet headers (PPM,
/// PPT); regions of interest by the maximum shift (RGN); the 5/3 and 9/7 wavelets, RCT and ICT. Refused by name: other
/// component counts, subsampled components, more than 16 bits, HTJ2K code-blocks, and JP2 files whose colour needs
/// converting (palette, sYCC and other enumerated spaces; an ICC profile is ignored). Samples agree with OpenJPEG's
/// opj_decompress, whose reconstruction rules (midpoint, rounding, its 9/7 scaling) are followed.
/// </summary>
internal static partial class Jpeg2000
{
    /// <summary>The most samples (all components) an image may declare.</summary>
    private const int MaxSamples = int.MaxValue / 4;

    /// <summary>The most code-blocks an image may have: three 8192 x 8192 components in code-blocks of 16 x 16 (encoders'
    /// usual 64 x 64 make a sixteenth of that). Each has its place in two tag trees, made before the packets are read.</summary>
    private const int MaxCodeBlocks = 3 << 18;

    /// <summary>A decoded image.</summary>
    /// <param name="Values">The samples, pixel-interleaved, in the range of <paramref name="Bits"/>.</param>
    /// <param name="Components">1 or 3.</param>
    /// <param name="Width">Width in pixels.</param>
    /// <param name="Height">Height in pixels.</param>
    /// <param name="Bits">The samples' precision, 1 to 16.</param>
    /// <param name="Signed">Whether the samples are signed (two's complement in the stream).</param>
    /// <param name="ComponentTransform">Whether the stream's own component transform (RCT or ICT) was undone: the three
    /// components are then R, G and B whatever a container's label says.</param>
    public readonly record struct Image(int[] Values, int Components, int Width, int Height, int Bits, bool Signed, bool ComponentTransform);

    /// <summary>
    /// The samples of a JPEG 2000 codestream (a raw J2K stream, or a JP2 file's contiguous-codestream box), pixel-interleaved,
    /// after the inverse wavelet, the inverse component transform (RCT/ICT) and the DC level shift.
    /// </summary>
    /// <param name="data">A raw codestream or a JP2 file.</param>
    /// <param name="name">The file, for messages.</param>
    /// <param name="expected">The size and components a container (a DICOM file) declares: compared with the stream's
    /// before anything is decoded, so that a small stream cannot make the decoder allocate gigabytes first.</param>
    /// <exception cref="InvalidDataException">The stream is damaged, truncated, of another size than
    /// <paramref name="expected"/>, or uses what is not read here.</exception>
    public static Image Decode(byte[] data, string name, (int Width, int Height, int Components)? expected = null)
    {
        var (start, end) = Locate(data, name);
        var stream = new Codestream(data, start, end, name);
        return stream.Decode(expected);
    }

    /// <summary>Where the codestream is: all of a raw stream, or a JP2 file's 'jp2c' box.</summary>
    private static (int Start, int End) Locate(byte[] data, string name)
    {
        if (data.Length >= 4 && data[0] == 0xFF && data[1] == 0x4F && data[2] == 0xFF && data[3] == 0x51) return (0, data.Length);
        if (data.Length < 12 || data[4] != 0x6A || data[5] != 0x50 || data[6] != 0x20 || data[7] != 0x20)
            throw Broken(name, "does not start with a codestream (SOC and SIZ markers) or a JP2 signature");
        long pos = 0;
        while (pos + 8 <= data.Length)
        {
            long length = ReadU32(data, (int)pos);
            uint type = (uint)ReadU32(data, (int)pos + 4);
            int header = 8;
            if (length == 1)
            {
                if (pos + 16 > data.Length) break;
                length = (long)((ulong)ReadU32(data, (int)pos + 8) << 32 | (uint)ReadU32(data, (int)pos + 12));
                header = 16;
            }
            else if (length == 0) length = data.Length - pos;
            if (length < header || length > data.Length - pos) throw Broken(name, "has a JP2 box that runs past the end of the file");
            if (type == 0x6A703268) CheckJp2Header(data, (int)pos + header, (int)(pos + length), name);   // 'jp2h'
            if (type == 0x6A703263)   // 'jp2c'
            {
                int start = (int)pos + header, end = (int)(pos + length);
                if (end - start < 4 || data[start] != 0xFF || data[start + 1] != 0x4F || data[start + 2] != 0xFF || data[start + 3] != 0x51)
                    throw Broken(name, "has a JP2 codestream box that does not start with SOC and SIZ markers");
                return (start, end);
            }
            pos += length;
        }
        throw Broken(name, "is a JP2 file without a codestream box");
    }

    /// <summary>
    /// Refuses what a JP2 header asks of a reader beyond the codestream's samples: a palette, or an enumerated colour space
    /// other than sRGB and greyscale (sYCC, CIELab, CMYK...). An ICC profile is not applied: the samples are the
    /// codestream's, as a DICOM reader wants them (GDCM has written JP2 files with profiles into DICOM frames).
    /// </summary>
    private static void CheckJp2Header(byte[] data, int pos, int end, string name)
    {
        while (pos + 8 <= end)
        {
            long length = ReadU32(data, pos);
            uint type = (uint)ReadU32(data, pos + 4);
            if (length < 8 || length > end - pos) return;   // extended or open lengths do not occur inside jp2h
            if (type == 0x70636C72) throw Unsupported(name, "is a JP2 file whose samples index a palette (pclr box)");
            if (type == 0x63646566 && !IdentityChannels(data, pos + 8, (int)(pos + length)))   // 'cdef'
                throw Unsupported(name, "is a JP2 file whose channels are in another order or hold opacity (cdef box)");
            if (type == 0x636F6C72 && length >= 11)   // 'colr'
            {
                long space = data[pos + 8] != 1 ? 16 : length >= 15 ? ReadU32(data, pos + 11) : -1;
                if (space is not (16 or 17)) throw Unsupported(name, $"is a JP2 file in colour space {space} (sRGB and greyscale are read)");
            }
            pos += (int)length;
        }
    }

    /// <summary>Whether a channel definition box (I.5.3.6) says what the codestream's order says anyway: channel i is
    /// colour i + 1 of the image (type 0: a colour, association i + 1).</summary>
    private static bool IdentityChannels(byte[] data, int pos, int end)
    {
        if (pos + 2 > end) return false;
        int count = data[pos] << 8 | data[pos + 1];
        if (pos + 2 + 6 * count > end) return false;
        for (int i = 0; i < count; i++)
        {
            int at = pos + 2 + 6 * i, channel = data[at] << 8 | data[at + 1], type = data[at + 2] << 8 | data[at + 3], colour = data[at + 4] << 8 | data[at + 5];
            if (type != 0 || colour != channel + 1) return false;
        }
        return true;
    }

    private static long ReadU32(byte[] data, int pos) => (long)((uint)data[pos] << 24 | (uint)data[pos + 1] << 16 | (uint)data[pos + 2] << 8 | data[pos + 3]);

    private static InvalidDataException Broken(string name, string why) =>
        new($"{name} holds a JPEG 2000 stream that {why}; the file is corrupt or truncated.");

    private static InvalidDataException Unsupported(string name, string what) =>
        new($"{name} holds a JPEG 2000 stream that {what}, which this reader does not decode; decompress it with another program (`gdcmconv --raw in.dcm out.dcm` for DICOM, `opj_decompress -i in.jp2 -o out.tif` for a JPEG 2000 file).");

    /// <summary>COD or COC parameters of one component (A.6.1, A.6.2).</summary>
    private sealed class CodingStyle
    {
        public int Levels, BlockWidthExp, BlockHeightExp, BlockStyle, Transform;   // Transform 1: reversible 5/3, 0: irreversible 9/7
        public int[] PrecinctWidthExp = [], PrecinctHeightExp = [];

        // Predictable termination (16) asks nothing of a decoder: it makes the encoder's terminations checkable.
        public const int Bypass = 1, Reset = 2, TermAll = 4, Causal = 8, Predictable = 16, SegmentSymbols = 32;
    }

    /// <summary>QCD or QCC parameters of one component (A.6.4, A.6.5): per subband, its exponent εb and mantissa μb.</summary>
    private sealed class Quantisation
    {
        public int Style, GuardBits;   // Sqcd's style (0 none, 1 scalar derived, 2 scalar expounded) and its guard bits G
        public int[] Exponents = [], Mantissas = [];   // εb and μb of each subband
    }

    /// <summary>A progression order change (A.6.6).</summary>
    private readonly record struct Progression(int ResolutionStart, int ComponentStart, int LayerEnd, int ResolutionEnd, int ComponentEnd, int Order);

    /// <summary>What COD, COC, QCD, QCC and POC set, in the main header or in a tile's first tile-part header.</summary>
    private sealed class Defaults(int components)
    {
        public bool HasCod;
        public int Scod, Order, Layers, Mct;
        public CodingStyle? Cod;
        public readonly CodingStyle?[] Coc = new CodingStyle?[components];
        public Quantisation? Qcd;
        public readonly Quantisation?[] Qcc = new Quantisation?[components];
        public readonly int?[] RoiShift = new int?[components];
        public List<(int Index, int Start, int Length)>? Packed;   // PPM segments (main header) or PPT segments (a tile's)
        public int Part;   // the tile-part whose header is being read: PPT segments are numbered (Zppt) within each
        public List<Progression>? Pocs;
    }

    /// <summary>A tile: its tile-parts' bitstream and its own parameters.</summary>
    private sealed class TileParts(int components)
    {
        public readonly List<(int Start, int End)> Parts = [];
        public readonly List<(int Start, int Length)> PackedHeaders = [];   // from the PPM segments, one run per tile-part
        public readonly Defaults Own = new(components);
        public int Declared;   // the most tile-parts a tile-part says there are (TNsot), else 0
    }

    /// <summary>The codestream being read: its SIZ and the tiles.</summary>
    private sealed partial class Codestream(byte[] data, int start, int end, string name)
    {
        private int width, height, x0, y0, tileWidth, tileHeight, tileX0, tileY0, tilesWide, tilesHigh, components, bits;
        private bool signed, transformed;
        private Defaults main = null!;
        private byte[] packedHeaders = [];   // PPM's contents
        private TileParts[] tiles = [];

        public Image Decode((int Width, int Height, int Components)? expected)
        {
            ReadHeaders();
            if (expected is { } e && (e.Width != width || e.Height != height || e.Components != components))
                throw new InvalidDataException($"{name} holds a {width}x{height} JPEG 2000 image of {components} components " +
                                               $"for a {e.Width}x{e.Height} image of {e.Components}.");
            var decoded = new Tile[tiles.Length];
            for (int t = 0; t < tiles.Length; t++) decoded[t] = ReadPackets(t);   // all the data is read before any sample is allocated
            int[] values;
            try { values = new int[(long)width * height * components]; }
            catch (OutOfMemoryException) { throw Unsupported(name, $"declares a {width}x{height} image too large for this machine's memory"); }
            for (int t = 0; t < tiles.Length; t++)
            {
                Reconstruct(decoded[t], values);
                decoded[t] = null!;
            }
            return new Image(values, components, width, height, bits, signed, transformed);
        }

        private int U8(int pos) => data[pos];
        private int U16(int pos) => data[pos] << 8 | data[pos + 1];
        private long U32(int pos) => ReadU32(data, pos);

        /// <summary>The main header, then every tile-part's header and where its data lies.</summary>
        private void ReadHeaders()
        {
            int pos = start + 2;
            if (pos + 4 > end || U16(pos) != 0xFF51) throw Broken(name, "does not start with SOC and SIZ markers");
            int length = U16(pos + 2);
            if (length < 41 || pos + 2 + length > end) throw Broken(name, "has a short or overlong SIZ marker");
            ReadSiz(pos + 4, length - 2);
            pos += 2 + length;
            main = new Defaults(components);
            while (true)
            {
                var (marker, body, size) = NextMarker(ref pos, "its main header");
                if (marker == 0xFF90) { pos -= 2; break; }
                ReadParameterMarker(marker, body, size, main);
            }
            if (!main.HasCod) throw Broken(name, "has no COD marker in its main header");
            if (main.Qcd is null) throw Broken(name, "has no QCD marker in its main header");
            var ppm = new List<byte>();   // the PPM segments' contents, in their order (Zppm)
            if (main.Packed is not null)
                foreach (var (_, s, n) in main.Packed.OrderBy(p => p.Index)) ppm.AddRange(data.AsSpan(s, n));
            int ppmPos = 0;
            packedHeaders = [.. ppm];

            tiles = new TileParts[tilesWide * tilesHigh];
            for (int t = 0; t < tiles.Length; t++) tiles[t] = new TileParts(components);
            bool stated = false;   // the last tile-part's length was stated (Psot), so that it cannot have been cut short unnoticed
            while (true)
            {
                if (pos == end && stated) break;   // no end-of-codestream marker after a whole tile-part: some writers leave it out
                if (pos + 2 > end) throw Broken(name, "ends before its end-of-codestream marker");
                int marker = U16(pos);
                if (marker == 0xFFD9) break;
                if (marker != 0xFF90) throw Broken(name, $"has marker {marker:X4} where a tile-part should start");
                int sot = pos;
                if (pos + 12 > end || U16(pos + 2) != 10) throw Broken(name, "has a short SOT marker");
                int index = U16(pos + 4);
                long partLength = U32(pos + 6);
                int partIndex = U8(pos + 10), partCount = U8(pos + 11);
                if (index >= tiles.Length) throw Broken(name, $"has a tile-part of tile {index}, where there are {tiles.Length} tiles");
                var tile = tiles[index];
                if (partIndex != tile.Parts.Count) throw Broken(name, $"has tile-part {partIndex} of tile {index} out of order");
                tile.Declared = Math.Max(tile.Declared, partCount);
                long partEnd = partLength == 0 ? LastTilePartEnd(sot) : sot + partLength;
                if (partLength != 0 && partLength < 14) throw Broken(name, "has a tile-part shorter than its header");
                if (partEnd > end) throw Broken(name, $"ends inside tile {index}'s data");
                pos += 12;
                tile.Own.Part = partIndex;
                while (true)
                {
                    var (m, body, size) = NextMarker(ref pos, $"tile {index}'s header");
                    if (pos > partEnd) throw Broken(name, $"has a tile-part header of tile {index} longer than its tile-part");
                    if (m == 0xFF93) break;
                    if (m == 0xFF90) throw Broken(name, $"has a tile-part header of tile {index} without a start-of-data marker");
                    if (m is 0xFF52 or 0xFF53 or 0xFF5C or 0xFF5D && partIndex != 0)
                        throw Broken(name, $"sets coding parameters in tile-part {partIndex} of tile {index}, not its first");
                    ReadParameterMarker(m, body, size, tile.Own);
                }
                tile.Parts.Add((pos, (int)partEnd));
                if (main.Packed is not null)   // the next of PPM's runs (Nppm, then Ippm) holds this tile-part's packet headers
                {
                    if (tile.Own.Packed is not null) throw Broken(name, $"packs tile {index}'s packet headers both in PPM and PPT markers");
                    if (ppmPos + 4 > ppm.Count) throw Broken(name, $"has fewer packed packet headers (PPM) than tile-parts");
                    long run = (long)ppm[ppmPos] << 24 | (long)ppm[ppmPos + 1] << 16 | (long)ppm[ppmPos + 2] << 8 | ppm[ppmPos + 3];
                    if (run > ppm.Count - ppmPos - 4) throw Broken(name, $"has packed packet headers (PPM) that run past their end");
                    tile.PackedHeaders.Add((ppmPos + 4, (int)run));
                    ppmPos += 4 + (int)run;
                }
                pos = (int)partEnd;
                stated = partLength != 0;
            }
            for (int t = 0; t < tiles.Length; t++)
            {
                if (tiles[t].Parts.Count == 0) throw Broken(name, $"has no data for tile {t}");
                // More tile-parts than declared is an old OpenJPEG's miscount (pydicom's GDCMJ2K_TextGBR.dcm), read as OpenJPEG reads it.
                if (tiles[t].Parts.Count < tiles[t].Declared)
                    throw Broken(name, $"has {tiles[t].Parts.Count} of tile {t}'s {tiles[t].Declared} tile-parts");
            }
        }

        /// <summary>Where a tile-part of unstated length (Psot 0, the last one) ends: at the end-of-codestream marker, before any padding.</summary>
        private int LastTilePartEnd(int sot)
        {
            int e = end;
            while (e > sot + 14 && data[e - 1] == 0) e--;
            return e - 2 >= sot + 12 && U16(e - 2) == 0xFFD9 ? e - 2 : end;
        }

        /// <summary>The next marker and its segment (empty for SOD and EOC); a marker outside a header is refused.</summary>
        private (int Marker, int Body, int Size) NextMarker(ref int pos, string where)
        {
            if (pos + 2 > end) throw Broken(name, $"ends inside {where}");
            int marker = U16(pos);
            if (marker < 0xFF00) throw Broken(name, $"has {marker:X4} where a marker of {where} should be");
            pos += 2;
            if (marker is 0xFF93 or 0xFFD9 or 0xFF4F || marker is >= 0xFF30 and <= 0xFF3F) return (marker, pos, 0);
            if (marker == 0xFF90) return (marker, pos, 0);
            if (pos + 2 > end) throw Broken(name, $"ends inside {where}");
            int length = U16(pos);
            if (length < 2 || pos + length > end) throw Broken(name, $"has a marker in {where} whose length runs past the end");
            pos += length;
            return (marker, pos - length + 2, length - 2);
        }

        private void ReadSiz(int pos, int size)
        {
            long xsiz = U32(pos + 2), ysiz = U32(pos + 6), xo = U32(pos + 10), yo = U32(pos + 14);
            long xt = U32(pos + 18), yt = U32(pos + 22), xto = U32(pos + 26), yto = U32(pos + 30);
            int csiz = U16(pos + 34);
            if (xsiz <= xo || ysiz <= yo) throw Broken(name, $"declares an empty image ({xsiz}x{ysiz} from offset {xo},{yo})");
            if (xsiz > int.MaxValue || ysiz > int.MaxValue) throw Unsupported(name, "places its image beyond 2^31 on the reference grid");
            if (xt == 0 || yt == 0 || xto > xo || yto > yo || xto + xt <= xo || yto + yt <= yo)
                throw Broken(name, "declares tiles that do not cover its image");
            if (csiz is not (1 or 3)) throw Unsupported(name, $"has {csiz} components (1 and 3 are read)");
            if (size < 36 + 3 * csiz) throw Broken(name, "has a short SIZ marker");
            long w = xsiz - xo, h = ysiz - yo;
            if (w * h * csiz > MaxSamples) throw Unsupported(name, $"declares a {w}x{h} image of {csiz} components, more samples than read here");
            long wide = (xsiz - xto + xt - 1) / xt, high = (ysiz - yto + yt - 1) / yt;
            if (wide * high > 65535) throw Broken(name, $"declares {wide}x{high} tiles, more than a codestream can hold");
            for (int c = 0; c < csiz; c++)
            {
                int s = U8(pos + 36 + 3 * c), dx = U8(pos + 37 + 3 * c), dy = U8(pos + 38 + 3 * c);
                if (dx != 1 || dy != 1) throw Unsupported(name, $"subsamples component {c} ({dx}x{dy})");
                int precision = (s & 0x7F) + 1;
                bool isSigned = (s & 0x80) != 0;
                if (precision > 16) throw Unsupported(name, $"has {precision}-bit samples (up to 16 are read)");
                if (c > 0 && (precision != bits || isSigned != signed)) throw Unsupported(name, "has components of different precisions");
                bits = precision;
                signed = isSigned;
            }
            width = (int)w; height = (int)h; x0 = (int)xo; y0 = (int)yo;
            tileWidth = (int)Math.Min(xt, int.MaxValue); tileHeight = (int)Math.Min(yt, int.MaxValue);
            tileX0 = (int)xto; tileY0 = (int)yto;
            tilesWide = (int)wide; tilesHigh = (int)high;
            components = csiz;
        }

        /// <summary>COD, COC, QCD, QCC, POC, and the markers that are skipped or refused.</summary>
        private void ReadParameterMarker(int marker, int pos, int size, Defaults into)
        {
            switch (marker)
            {
                case 0xFF52:   // COD
                {
                    if (size < 10) throw Broken(name, "has a short COD marker");
                    into.HasCod = true;
                    into.Scod = U8(pos);
                    into.Order = U8(pos + 1);
                    into.Layers = U16(pos + 2);
                    into.Mct = U8(pos + 4);
                    if (into.Order > 4) throw Broken(name, $"has progression order {into.Order}, which Part 1 does not define");
                    if (into.Layers == 0) throw Broken(name, "declares no quality layers");
                    if (into.Mct > 1) throw Unsupported(name, $"uses multiple component transform {into.Mct}");
                    if ((into.Scod & ~7) != 0) throw Unsupported(name, $"has coding style flags {into.Scod:X2} (Part 2's, or undefined)");
                    into.Cod = ReadCodingStyle(pos + 5, size - 5, (into.Scod & 1) != 0, "COD");
                    break;
                }
                case 0xFF53:   // COC
                {
                    if (size < 2) throw Broken(name, "has a short COC marker");
                    int c = U8(pos);
                    if (c >= components) throw Broken(name, $"has a COC marker for component {c} of {components}");
                    into.Coc[c] = ReadCodingStyle(pos + 2, size - 2, (U8(pos + 1) & 1) != 0, "COC");
                    break;
                }
                case 0xFF5C:   // QCD
                    into.Qcd = ReadQuantisation(pos, size, "QCD");
                    break;
                case 0xFF5D:   // QCC
                {
                    if (size < 1) throw Broken(name, "has a short QCC marker");
                    int c = U8(pos);
                    if (c >= components) throw Broken(name, $"has a QCC marker for component {c} of {components}");
                    into.Qcc[c] = ReadQuantisation(pos + 1, size - 1, "QCC");
                    break;
                }
                case 0xFF5F:   // POC
                {
                    if (size < 7 || size % 7 != 0) throw Broken(name, "has a POC marker of the wrong length");
                    into.Pocs ??= [];
                    for (int i = 0; i < size; i += 7)
                    {
                        int ce = U8(pos + i + 5);
                        into.Pocs.Add(new Progression(U8(pos + i), U8(pos + i + 1), U16(pos + i + 2), U8(pos + i + 4), ce == 0 ? 256 : ce, U8(pos + i + 6)));
                        if (into.Pocs[^1].Order > 4) throw Broken(name, $"has progression order {into.Pocs[^1].Order}, which Part 1 does not define");
                    }
                    if (into.Pocs.Count > 4096) throw Broken(name, "has more progression order changes than it can use");
                    break;
                }
                case 0xFF5E:   // RGN: a region of interest, coded by the maximum shift (Annex H)
                {
                    if (size < 3) throw Broken(name, "has a short RGN marker");
                    int c = U8(pos);
                    if (c >= components) throw Broken(name, $"has an RGN marker for component {c} of {components}");
                    if (U8(pos + 1) != 0) throw Unsupported(name, $"codes a region of interest in style {U8(pos + 1)} (RGN marker; Part 1 defines the maximum shift, 0)");
                    into.RoiShift[c] = U8(pos + 2);
                    break;
                }
                case 0xFF60 or 0xFF61:   // PPM, PPT: packet headers packed in the main header or a tile-part's (A.7.4, A.7.5)
                {
                    if ((marker == 0xFF60) != (into == main)) throw Broken(name, $"has a {(marker == 0xFF60 ? "PPM marker in a tile-part" : "PPT marker in the main")} header");
                    if (size < 1) throw Broken(name, $"has a short {(marker == 0xFF60 ? "PPM" : "PPT")} marker");
                    into.Packed ??= [];
                    into.Packed.Add((into.Part * 256 + U8(pos), pos + 1, size - 1));
                    break;
                }
                case 0xFF51: throw Broken(name, "has a second SIZ marker");
                case 0xFF4F: throw Broken(name, "has a second SOC marker");
                case 0xFFD9: throw Broken(name, "ends inside a header");
                case 0xFF93: throw Broken(name, "has a start-of-data marker in its main header");
                case 0xFF91 or 0xFF92: throw Broken(name, "has a packet marker in a header");
                default: break;   // TLM, PLM, PLT, CRG, COM, CAP and unknown segments are skipped
            }
        }

        private CodingStyle ReadCodingStyle(int pos, int size, bool precincts, string marker)
        {
            if (size < 5) throw Broken(name, $"has a short {marker} marker");
            var style = new CodingStyle
            {
                Levels = U8(pos), BlockWidthExp = U8(pos + 1) + 2, BlockHeightExp = U8(pos + 2) + 2,
                BlockStyle = U8(pos + 3), Transform = U8(pos + 4),
            };
            if (style.Levels > 32) throw Broken(name, $"has {style.Levels} decomposition levels (at most 32)");
            if (style.BlockWidthExp > 10 || style.BlockHeightExp > 10 || style.BlockWidthExp + style.BlockHeightExp > 12)
                throw Broken(name, $"has code-blocks of 2^{style.BlockWidthExp} x 2^{style.BlockHeightExp} samples, more than Part 1 allows");
            if ((style.BlockStyle & ~63) != 0) throw Unsupported(name, $"uses code-block style {style.BlockStyle:X2} (HTJ2K or undefined flags)");
            if (style.Transform > 1) throw Unsupported(name, $"uses wavelet transform {style.Transform}");
            int count = style.Levels + 1;
            style.PrecinctWidthExp = new int[count];
            style.PrecinctHeightExp = new int[count];
            if (precincts && size < 5 + count) throw Broken(name, $"has a {marker} marker short of its precinct sizes");
            for (int r = 0; r < count; r++)
            {
                int b = precincts ? U8(pos + 5 + r) : 0xFF;
                style.PrecinctWidthExp[r] = b & 15;
                style.PrecinctHeightExp[r] = b >> 4;
                if (r > 0 && (style.PrecinctWidthExp[r] == 0 || style.PrecinctHeightExp[r] == 0))
                    throw Broken(name, "has a precinct of one sample beyond the lowest resolution");
            }
            return style;
        }

        private Quantisation ReadQuantisation(int pos, int size, string marker)
        {
            if (size < 1) throw Broken(name, $"has a short {marker} marker");
            var q = new Quantisation { Style = U8(pos) & 31, GuardBits = U8(pos) >> 5 };
            int count = q.Style switch
            {
                0 => size - 1,
                1 => (size - 1) / 2,
                2 => (size - 1) / 2,
                _ => throw Broken(name, $"has quantisation style {q.Style}, which Part 1 does not define"),
            };
            if (count < 1 || (q.Style == 1 && count != 1)) throw Broken(name, $"has a {marker} marker of the wrong length");
            q.Exponents = new int[count];
            q.Mantissas = new int[count];
            for (int i = 0; i < count; i++)
            {
                if (q.Style == 0) q.Exponents[i] = U8(pos + 1 + i) >> 3;
                else
                {
                    int v = U16(pos + 1 + 2 * i);
                    q.Exponents[i] = v >> 11;
                    q.Mantissas[i] = v & 0x7FF;
                }
            }
            return q;
        }

        /// <summary>The parameters of a component in a tile: tile COC, tile COD, main COC, main COD (A.6), the same for QCC and QCD; the tile's RGN, else the main header's.</summary>
        private (CodingStyle, Quantisation, int RoiShift) ParametersOf(Defaults tile, int c)
        {
            var cs = tile.Coc[c] ?? tile.Cod ?? main.Coc[c] ?? main.Cod!;
            var q = tile.Qcc[c] ?? tile.Qcd ?? main.Qcc[c] ?? main.Qcd!;
            return (cs, q, tile.RoiShift[c] ?? main.RoiShift[c] ?? 0);
        }

        /// <summary>Writes a decoded tile's samples into the image: inverse wavelet, component transform, level shift, clamp.</summary>
        private void Reconstruct(Tile tile, int[] values)
        {
            var planes = new Array[components];
            for (int c = 0; c < components; c++) planes[c] = DecodeComponent(tile.Components[c]);
            int tw = tile.X1 - tile.X0, th = tile.Y1 - tile.Y0;
            int min = signed ? -(1 << (bits - 1)) : 0, max = signed ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
            int shift = signed ? 0 : 1 << (bits - 1);
            int n = tw * th;
            if (tile.Mct)
            {
                transformed = true;
                if (planes[0] is int[] y && planes[1] is int[] cb && planes[2] is int[] cr)
                    for (int i = 0; i < n; i++)
                    {
                        int g = y[i] - ((cb[i] + cr[i]) >> 2);
                        y[i] = cr[i] + g;
                        cr[i] = cb[i] + g;
                        cb[i] = g;
                    }
                else if (planes[0] is float[] fy && planes[1] is float[] fcb && planes[2] is float[] fcr)
                    for (int i = 0; i < n; i++)
                    {
                        float yy = fy[i], u = fcb[i], v = fcr[i];
                        fy[i] = yy + 1.402f * v;
                        fcb[i] = yy - 0.34413f * u - 0.71414f * v;
                        fcr[i] = yy + 1.772f * u;
                    }
                else throw Unsupported(name, $"applies a colour transform to components of different wavelets in tile {tile.Index}");
            }
            int ox = tile.X0 - x0, oy = tile.Y0 - y0;
            for (int c = 0; c < components; c++)
            {
                if (planes[c] is int[] plane)
                    for (int yy = 0; yy < th; yy++)
                    {
                        int o = ((oy + yy) * width + ox) * components + c, s = yy * tw;
                        for (int xx = 0; xx < tw; xx++, o += components) values[o] = Math.Clamp(plane[s + xx] + shift, min, max);
                    }
                else
                {
                    var fplane = (float[])planes[c];
                    for (int yy = 0; yy < th; yy++)
                    {
                        int o = ((oy + yy) * width + ox) * components + c, s = yy * tw;
                        for (int xx = 0; xx < tw; xx++, o += components)
                        {
                            float v = fplane[s + xx];
                            int iv = float.IsNaN(v) ? 0 : v >= int.MaxValue / 2 ? int.MaxValue / 2 : v <= int.MinValue / 2 ? int.MinValue / 2 : (int)MathF.Round(v);
                            values[o] = Math.Clamp(iv + shift, min, max);
                        }
                    }
                }
            }
        }
    }
}
