using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace SSM.Core.Data.Dicom;

/// <summary>
/// The attributes of a DICOM Part 10 file that say how its pixels are stored, and the bytes of its first frame, read in one
/// pass up to the pixel data. Everything else (patient, study, sequences such as an icon image's) is skipped unread.
/// </summary>
internal sealed class DicomDataSet
{
    public required string TransferSyntax { get; init; }
    public int Rows { get; private set; }
    public int Columns { get; private set; }
    public int SamplesPerPixel { get; private set; } = 1;
    public string Photometric { get; private set; } = "MONOCHROME2";
    public int BitsAllocated { get; private set; }
    public int BitsStored { get; private set; }
    public int HighBit { get; private set; } = -1;
    public bool Signed { get; private set; }
    public int PlanarConfiguration { get; private set; }
    public int Frames { get; private set; } = 1;
    public double RescaleSlope { get; private set; } = 1;
    public double RescaleIntercept { get; private set; }
    public double? WindowCenter { get; private set; }
    public double? WindowWidth { get; private set; }
    public string VoiLutFunction { get; private set; } = "LINEAR";

    /// <summary>The Modality LUT Sequence's table (instead of a rescale), or null.</summary>
    public DicomLut? ModalityLut { get; private set; }

    /// <summary>The VOI LUT Sequence's first table (beside or instead of a window), or null.</summary>
    public DicomLut? VoiLut { get; private set; }
    public bool BigEndian { get; init; }

    /// <summary>The first frame: its samples as stored (native), or its compressed bytes (encapsulated).</summary>
    public byte[] Frame { get; private set; } = [];

    /// <summary>Whether the pixel data is compressed, in fragments: every transfer syntax but the four native ones.</summary>
    public bool Encapsulated => TransferSyntax is not (Syntax.ImplicitLittle or Syntax.ExplicitLittle or Syntax.Deflated or Syntax.ExplicitBig);

    /// <summary>Native 8-bit samples in 16-bit words (OW) of a big-endian file: each pair of bytes is swapped (PS3.5 8.1.1).</summary>
    public bool SwappedBytePairs { get; private set; }

    public bool Gray => Photometric is "MONOCHROME1" or "MONOCHROME2";

    /// <summary>The length of a Part 10 file's header: a 128-byte preamble, then "DICM".</summary>
    public const int HeaderLength = 132;

    /// <summary>Whether the bytes (the first <see cref="HeaderLength"/> of a file, or all of it) are DICOM: a Part 10 file,
    /// or a data set without that header.</summary>
    public static bool Is(ReadOnlySpan<byte> file) => IsPart10(file) || HeaderlessSyntax(file) is not null;

    /// <summary>Whether the bytes are a DICOM Part 10 file: a 128-byte preamble, then "DICM".</summary>
    private static bool IsPart10(ReadOnlySpan<byte> file) => file.Length >= HeaderLength && file[(HeaderLength - 4)..HeaderLength].SequenceEqual("DICM"u8);

    /// <summary>
    /// The encoding of a data set without the Part 10 header (ACR-NEMA files, and dumps without their meta group), from its
    /// first element, or null when the bytes do not start like one: an element of group 0008 (identification, which such
    /// files begin with) and a low number, then two capital letters (explicit VR, little or big endian) or a short length
    /// (implicit VR little endian). No image format read here starts with 08 00 or 00 08.
    /// </summary>
    private static string? HeaderlessSyntax(ReadOnlySpan<byte> file)
    {
        if (file.Length < 8) return null;
        bool vr = file[4] is >= (byte)'A' and <= (byte)'Z' && file[5] is >= (byte)'A' and <= (byte)'Z';
        if (BinaryPrimitives.ReadUInt16LittleEndian(file) == 0x0008 && BinaryPrimitives.ReadUInt16LittleEndian(file[2..]) < 0x0100)
            return vr ? Syntax.ExplicitLittle : BinaryPrimitives.ReadUInt32LittleEndian(file[4..]) <= 1024 ? Syntax.ImplicitLittle : null;
        return BinaryPrimitives.ReadUInt16BigEndian(file) == 0x0008 && BinaryPrimitives.ReadUInt16BigEndian(file[2..]) < 0x0100 && vr
            ? Syntax.ExplicitBig : null;
    }

    /// <summary>Reads <paramref name="stream"/>, a DICOM file (<see cref="Is"/>; seekable), up to and, unless
    /// <paramref name="withPixels"/> is false, including its first frame.</summary>
    /// <exception cref="InvalidDataException">The file ends early or is not DICOM as the standard writes it.</exception>
    public static DicomDataSet Read(Stream stream, string name, bool withPixels)
    {
        Span<byte> start = stackalloc byte[HeaderLength];
        int read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        stream.Seek(-read, SeekOrigin.Current);
        if (!IsPart10(start[..read]))
            return ReadDataSet(stream, HeaderlessSyntax(start[..read]) ?? throw new InvalidDataException($"{name} is not a DICOM file."), name, withPixels);
        var meta = new DicomReader(stream, name, explicitVr: true, bigEndian: false);
        meta.Skip(HeaderLength);
        string? syntax = null;
        // The file meta group is always explicit VR little endian; its group length is optional, so each tag is looked at.
        while (meta.PeekGroup() == 0x0002)
        {
            var element = meta.Next();
            if (element.Tag == 0x0002_0010) syntax = meta.Text(element.Length);
            else meta.Skip(element.Length);
        }
        syntax ??= meta.LooksExplicit() ? Syntax.ExplicitLittle : Syntax.ImplicitLittle;
        meta.Unread();
        return ReadDataSet(stream, syntax, name, withPixels);
    }

    /// <summary>Reads the data set that starts at the stream's position, in the encoding <paramref name="syntax"/> names.</summary>
    private static DicomDataSet ReadDataSet(Stream stream, string syntax, string name, bool withPixels)
    {
        var body = stream;
        if (syntax == Syntax.Deflated)
            body = new DeflateStream(stream, CompressionMode.Decompress, leaveOpen: true);
        var data = new DicomDataSet { TransferSyntax = syntax, BigEndian = syntax == Syntax.ExplicitBig };
        var reader = new DicomReader(body, name, explicitVr: syntax != Syntax.ImplicitLittle, data.BigEndian);
        data.ReadAttributes(reader, withPixels);
        return data;
    }

    private void ReadAttributes(DicomReader reader, bool withPixels)
    {
        while (!reader.AtEnd)
        {
            var element = reader.Next();
            switch (element.Tag)
            {
                case 0x0028_0002: SamplesPerPixel = reader.UInt16(element); break;
                case 0x0028_0004: Photometric = reader.Text(element.Length).ToUpperInvariant(); break;
                case 0x0028_0006: PlanarConfiguration = reader.UInt16(element); break;
                case 0x0028_0008: Frames = (int)Math.Clamp(Number(reader.Text(element.Length)) ?? 1, 1, int.MaxValue); break;
                case 0x0028_0010: Rows = reader.UInt16(element); break;
                case 0x0028_0011: Columns = reader.UInt16(element); break;
                case 0x0028_0100: BitsAllocated = reader.UInt16(element); break;
                case 0x0028_0101: BitsStored = reader.UInt16(element); break;
                case 0x0028_0102: HighBit = reader.UInt16(element); break;
                case 0x0028_0103: Signed = reader.UInt16(element) == 1; break;
                case 0x0028_1050 or 0x0028_1051 or 0x0028_1052 or 0x0028_1053 or 0x0028_1056 or 0x0028_3000 or 0x0028_3010:
                    pixelValues.Read(reader, element); break;
                // Enhanced CT and MR keep the rescale and window in functional groups: shared by every frame, or the first frame's own.
                case 0x5200_9229: reader.VisitFirstItem(element, 0, (r, e) => ReadFunctionalGroup(r, e, shared)); break;
                case 0x5200_9230: reader.VisitFirstItem(element, 0, (r, e) => ReadFunctionalGroup(r, e, firstFrame)); break;
                case 0x7FE0_0008 or 0x7FE0_0009:
                    throw new InvalidDataException($"{reader.Name} holds floating-point pixel data; this reader takes integer samples.");
                case 0x7FE0_0010:
                    ApplyPixelValues();
                    if (withPixels) ReadFirstFrame(reader, element);
                    return;
                default: reader.SkipValue(element); break;
            }
        }
        ApplyPixelValues();
        if (withPixels) throw new InvalidDataException($"{reader.Name} holds no pixel data (a DICOM file of another kind: a report, a structure set, a plan).");
    }

    private readonly PixelValues pixelValues = new(), shared = new(), firstFrame = new();

    /// <summary>The first frame's own values over those shared by every frame over the data set's own (PS3.3 C.7.6.16).</summary>
    private void ApplyPixelValues()
    {
        foreach (var values in (PixelValues[])[pixelValues, shared, firstFrame])
        {
            RescaleIntercept = values.Intercept ?? RescaleIntercept;
            RescaleSlope = values.Slope ?? RescaleSlope;
            WindowCenter = values.Center ?? WindowCenter;
            WindowWidth = values.Width ?? WindowWidth;
            VoiLutFunction = values.Function ?? VoiLutFunction;
            ModalityLut = values.Modality ?? ModalityLut;
            VoiLut = values.Voi ?? VoiLut;
        }
    }

    /// <summary>One element of a functional group: the Pixel Value Transformation and Frame VOI LUT sequences are read.</summary>
    private static void ReadFunctionalGroup(DicomReader reader, DicomReader.Element element, PixelValues values)
    {
        if (element.Tag is 0x0028_9145 or 0x0028_9132) reader.VisitFirstItem(element, 1, values.Read);
        else reader.SkipValue(element, 1);
    }

    /// <summary>The rescale, window and LUT attributes as a data set or a functional group gives them; null where it does not.</summary>
    private sealed class PixelValues
    {
        public double? Intercept, Slope, Center, Width;
        public string? Function;
        public DicomLut? Modality, Voi;

        public void Read(DicomReader reader, DicomReader.Element element)
        {
            switch (element.Tag)
            {
                case 0x0028_1050: Center = Number(reader.Text(element.Length)); break;
                case 0x0028_1051: Width = Number(reader.Text(element.Length)); break;
                case 0x0028_1052: Intercept = Number(reader.Text(element.Length)); break;
                case 0x0028_1053: Slope = Number(reader.Text(element.Length)); break;
                case 0x0028_1056: Function = reader.Text(element.Length).ToUpperInvariant(); break;
                case 0x0028_3000: reader.VisitFirstItem(element, 2, (Modality = new()).Read); break;
                case 0x0028_3010: reader.VisitFirstItem(element, 2, (Voi = new()).Read); break;
                default: reader.SkipValue(element, 2); break;
            }
        }
    }

    /// <summary>Checks the attributes the pixels need, before any of them is allocated.</summary>
    public void CheckImage(string name)
    {
        if (Rows < 1 || Columns < 1 || SamplesPerPixel is not (1 or 3))
            throw new InvalidDataException($"{name} is a DICOM image of {Columns}x{Rows} pixels with {SamplesPerPixel} samples each; " +
                                           "this reader takes 1 (grey) or 3 (colour).");
        if (BitsAllocated is not (8 or 16) || BitsStored < 1 || BitsStored > BitsAllocated)
            throw new InvalidDataException($"{name} is a DICOM image of {BitsStored}-bit samples in {BitsAllocated} bits; this reader takes " +
                                           "samples of up to 16 bits in 8 or 16 (export the scans as 8- or 16-bit PNG or TIFF).");
        // Checked before anything is allocated: a damaged size can claim gigabytes.
        if ((long)Rows * Columns * SamplesPerPixel > int.MaxValue / 4)
            throw new InvalidDataException($"{name} is too large ({Columns}x{Rows}, {SamplesPerPixel} samples per pixel).");
        if (HighBit < 0) HighBit = BitsStored - 1;
        if (HighBit < BitsStored - 1 || HighBit >= BitsAllocated)
            throw new InvalidDataException($"{name} has its high bit at {HighBit} for {BitsStored}-bit samples in {BitsAllocated} bits.");
    }

    private void ReadFirstFrame(DicomReader reader, DicomReader.Element element)
    {
        CheckImage(reader.Name);
        // Compressed data comes in fragments of undefined length, native data with its length (PS3.5 A.4).
        if (element.Undefined != Encapsulated)
            throw new InvalidDataException(Encapsulated
                ? $"{reader.Name} declares {Syntax.Describe(TransferSyntax)} but stores its pixel data whole, not in fragments; the file is corrupt."
                : $"{reader.Name} declares uncompressed pixel data ({TransferSyntax}) but stores it in fragments; the file is corrupt.");
        if (!element.Undefined)
        {
            SwappedBytePairs = BigEndian && BitsAllocated == 8 && element.Vr == "OW";
            long frameBytes = (long)Rows * Columns * SamplesPerPixel * (BitsAllocated / 8);
            // YBR_FULL_422 stores two luminances and one pair of colours for each two pixels.
            if (Photometric == "YBR_FULL_422") frameBytes = frameBytes * 2 / 3;
            if (element.Length < frameBytes)
                throw new InvalidDataException($"{reader.Name} has {element.Length:N0} bytes of pixel data where one {Columns}x{Rows} frame needs " +
                                               $"{frameBytes:N0}; the file is corrupt or truncated.");
            Frame = reader.Bytes(frameBytes);
            return;
        }
        // Encapsulated: items, the first a table of the frames' offsets (often empty), then fragments, then a delimiter.
        var offsets = reader.Item() ?? throw new InvalidDataException($"{reader.Name} has encapsulated pixel data without fragments.");
        long end = offsets.Length >= 8 ? BinaryPrimitives.ReadUInt32LittleEndian(offsets.AsSpan(4)) : long.MaxValue;
        var frame = new MemoryStream();
        for (long at = 0; reader.Item() is { } fragment; at += 8 + fragment.Length)
        {
            if (at >= end) break;
            // A JPEG 2000 frame may lack its end marker (EOC), which a decoder does without: the next one starts with SOC, SIZ.
            if (end == long.MaxValue && Frames > 1 && frame.Length > 0 && TransferSyntax is Syntax.Jpeg2000Lossless or Syntax.Jpeg2000
                && fragment.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0x4F, 0xFF, 0x51])) break;
            frame.Write(fragment);
            // Without a table, a frame ends with its fragment: RLE's is one fragment, a JPEG's the one ending with EOI.
            if (end == long.MaxValue && (Frames > 1 && (TransferSyntax == Syntax.Rle || EndsJpeg(fragment)))) break;
        }
        if (frame.Length == 0) throw new InvalidDataException($"{reader.Name} has encapsulated pixel data without fragments.");
        Frame = frame.ToArray();
    }

    /// <summary>Whether a fragment ends a JPEG stream: EOI (FF D9), perhaps followed by a padding byte.</summary>
    private static bool EndsJpeg(ReadOnlySpan<byte> fragment)
    {
        var tail = fragment.TrimEnd((byte)0);
        return tail.Length >= 2 && tail[^2] == 0xFF && tail[^1] == 0xD9;
    }

    private static double? Number(string text)
    {
        // Multi-valued attributes (several windows) are separated by backslashes; the first is the one viewers open with.
        string first = text.Split('\\')[0].Trim();
        return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) ? value : null;
    }

    /// <summary>The transfer syntaxes read here; others are named by <see cref="Syntax.Describe"/>.</summary>
    public static class Syntax
    {
        public const string ImplicitLittle = "1.2.840.10008.1.2";
        public const string ExplicitLittle = "1.2.840.10008.1.2.1";
        public const string Deflated = "1.2.840.10008.1.2.1.99";
        public const string ExplicitBig = "1.2.840.10008.1.2.2";
        public const string Rle = "1.2.840.10008.1.2.5";
        public const string JpegBaseline = "1.2.840.10008.1.2.4.50";
        public const string JpegExtended = "1.2.840.10008.1.2.4.51";
        public const string JpegLossless = "1.2.840.10008.1.2.4.57";
        public const string JpegLosslessSv1 = "1.2.840.10008.1.2.4.70";
        public const string JpegLsLossless = "1.2.840.10008.1.2.4.80";
        public const string JpegLsNearLossless = "1.2.840.10008.1.2.4.81";
        public const string Jpeg2000Lossless = "1.2.840.10008.1.2.4.90";
        public const string Jpeg2000 = "1.2.840.10008.1.2.4.91";

        /// <summary>A transfer syntax's name for messages: the families of the standard's list, else the UID alone.</summary>
        public static string Describe(string uid) => uid switch
        {
            Rle => $"RLE Lossless ({uid})",
            JpegBaseline or JpegExtended => $"lossy JPEG ({uid})",
            JpegLossless or JpegLosslessSv1 => $"lossless JPEG ({uid})",
            JpegLsLossless or JpegLsNearLossless => $"JPEG-LS ({uid})",
            Jpeg2000Lossless or Jpeg2000 => $"JPEG 2000 ({uid})",
            "1.2.840.10008.1.2.4.92" or "1.2.840.10008.1.2.4.93" => $"JPEG 2000 Part 2, multi-component ({uid})",
            _ when uid.StartsWith("1.2.840.10008.1.2.4.20", StringComparison.Ordinal) => $"High-Throughput JPEG 2000 ({uid})",
            _ when uid.StartsWith("1.2.840.10008.1.2.4.10", StringComparison.Ordinal) => $"MPEG video ({uid})",
            _ when uid.StartsWith("1.2.840.10008.1.2.4.11", StringComparison.Ordinal) => $"JPEG XL or video ({uid})",
            "1.2.840.10008.1.2.4.52" or "1.2.840.10008.1.2.4.53" or "1.2.840.10008.1.2.4.54" or "1.2.840.10008.1.2.4.55" => $"retired JPEG ({uid})",
            _ => uid,
        };
    }
}

/// <summary>Data elements from a stream in one of DICOM's encodings; every read checked against the end of the file.</summary>
internal sealed class DicomReader(Stream stream, string name, bool explicitVr, bool bigEndian)
{
    private readonly byte[] buffer = new byte[12];
    private int peeked;   // bytes of `buffer` read ahead by PeekGroup, not yet consumed

    /// <summary>How many bytes of elements have been read or skipped: where an item or sequence of known length ends.</summary>
    private long consumed;

    public string Name => name;

    public readonly record struct Element(uint Tag, string? Vr, long Length)
    {
        public bool Undefined => Length == 0xFFFF_FFFF;
    }

    public bool AtEnd
    {
        get
        {
            if (peeked > 0) return false;
            int read = stream.ReadAtLeast(buffer.AsSpan(0, 1), 1, throwOnEndOfStream: false);
            peeked = read;
            return read == 0;
        }
    }

    /// <summary>The group of the next element, read ahead (0 at the end of the file).</summary>
    public int PeekGroup()
    {
        Fill(2, required: false);
        return peeked < 2 ? 0 : BinaryPrimitives.ReadUInt16LittleEndian(buffer);
    }

    /// <summary>Whether the next element's bytes 4-5 are two capital letters: a VR, so explicit VR (for files without one
    /// in their meta group).</summary>
    public bool LooksExplicit()
    {
        Fill(6, required: false);
        return peeked >= 6 && buffer[4] is >= (byte)'A' and <= (byte)'Z' && buffer[5] is >= (byte)'A' and <= (byte)'Z';
    }

    /// <summary>Puts the bytes read ahead back into the stream (a seekable one), for a reader of another encoding to go on.</summary>
    public void Unread()
    {
        stream.Seek(-peeked, SeekOrigin.Current);
        peeked = 0;
    }

    public Element Next()
    {
        Fill(8, required: true);
        uint group = U16(buffer.AsSpan(0)), number = U16(buffer.AsSpan(2));
        uint tag = group << 16 | number;
        peeked = 0;
        consumed += 8;
        // Item and delimiter tags have no VR in any encoding.
        if (group == 0xFFFE || !explicitVr) return new Element(tag, null, U32(buffer.AsSpan(4)));
        string vr = Encoding.ASCII.GetString(buffer, 4, 2);
        if (vr is "OB" or "OD" or "OF" or "OL" or "OV" or "OW" or "SQ" or "UC" or "UN" or "UR" or "UT" or "SV" or "UV")
        {
            Exactly(buffer.AsSpan(8, 4));
            return new Element(tag, vr, U32(buffer.AsSpan(8)));
        }
        return new Element(tag, vr, U16(buffer.AsSpan(6)));
    }

    public ushort UInt16(Element element)
    {
        if (element.Length < 2) { Skip(element.Length); return 0; }
        var value = Bytes(element.Length);
        return (ushort)U16(value);
    }

    /// <summary>A value of 16-bit words (US, SS, OW) in the data set's byte order.</summary>
    public ushort[] Words(Element element)
    {
        var bytes = Bytes(element.Length);
        var words = new ushort[bytes.Length / 2];
        for (int i = 0; i < words.Length; i++) words[i] = (ushort)U16(bytes.AsSpan(2 * i));
        return words;
    }

    public string Text(long length) => Encoding.ASCII.GetString(Bytes(length)).TrimEnd('\0', ' ').Trim();

    public byte[] Bytes(long length)
    {
        // A damaged length can claim gigabytes: never allocate more than the file holds.
        if (length > Array.MaxLength || (stream.CanSeek && length > stream.Length - stream.Position)) throw Truncated(length);
        if (stream.CanSeek || length <= 1 << 20)
        {
            var bytes = new byte[length];
            Exactly(bytes);
            return bytes;
        }
        // A deflated data set's length is known only by inflating it: a megabyte at a time.
        var inflated = new MemoryStream();
        var chunk = new byte[1 << 20];
        for (long left = length; left > 0; left -= chunk.Length)
        {
            var part = chunk.AsSpan(0, (int)Math.Min(left, chunk.Length));
            Exactly(part);
            inflated.Write(part);
        }
        return inflated.ToArray();
    }

    /// <summary>Skips an element's value: by its length, or, when undefined (a sequence), item by item.</summary>
    /// <param name="element">The element whose value is next.</param>
    /// <param name="depth">How deep in sequences it lies: a damaged file can nest them until the stack overflows.</param>
    public void SkipValue(Element element, int depth = 0)
    {
        if (!element.Undefined) { Skip(element.Length); return; }
        if (depth > MaxDepth) throw new InvalidDataException($"{name} nests sequences more than {MaxDepth} deep; the file is corrupt.");
        // A sequence of undefined length: items until the sequence delimiter. Inside UN, the items are implicit VR.
        var inner = element.Vr == "UN" ? new DicomReader(stream, name, explicitVr: false, bigEndian: false) : this;
        while (true)
        {
            var item = inner.Next();
            if (item.Tag == 0xFFFE_E0DD)
            {
                inner.Skip(item.Length);
                if (inner != this) consumed += inner.consumed;
                return;
            }
            if (item.Tag != 0xFFFE_E000) throw new InvalidDataException($"{name} has a sequence with an element ({item.Tag:X8}) outside its items; the file is corrupt.");
            inner.SkipItem(item, depth);
        }
    }

    /// <summary>
    /// Reads the first item of a sequence, handing each of its elements to <paramref name="visit"/> (which reads or skips
    /// its value), and skips the other items; lengths defined or not. Used where only the first item matters: the first
    /// frame's functional group, the one item of a group's sequence. <paramref name="visit"/> is given the reader to read
    /// with: a sequence stored as UN (by a program without the dictionary) holds implicit VR little endian items.
    /// </summary>
    public void VisitFirstItem(Element sequence, int depth, Action<DicomReader, Element> visit)
    {
        if (sequence.Vr is not (null or "SQ" or "UN") || depth > MaxDepth) { SkipValue(sequence, depth); return; }
        var reader = sequence.Vr == "UN" ? new DicomReader(stream, name, explicitVr: false, bigEndian: false) : this;
        long start = consumed;
        reader.VisitItems(sequence.Undefined ? long.MaxValue : sequence.Length, depth, visit);
        if (reader != this) consumed += reader.consumed;
        if (consumed - start > sequence.Length && !sequence.Undefined)
            throw new InvalidDataException($"{name} has a sequence whose items run past its length; the file is corrupt.");
    }

    private void VisitItems(long length, int depth, Action<DicomReader, Element> visit)
    {
        long end = length == long.MaxValue ? long.MaxValue : consumed + length;
        for (bool first = true; consumed < end; first = false)
        {
            var item = Next();
            if (item.Tag == 0xFFFE_E0DD) { Skip(item.Length); return; }
            if (item.Tag != 0xFFFE_E000) throw new InvalidDataException($"{name} has a sequence with an element ({item.Tag:X8}) outside its items; the file is corrupt.");
            if (!first) { SkipItem(item, depth); continue; }
            long itemEnd = item.Undefined ? long.MaxValue : consumed + item.Length;
            while (consumed < itemEnd)
            {
                var element = Next();
                if (element.Tag == 0xFFFE_E00D) { Skip(element.Length); break; }
                visit(this, element);
            }
            if (consumed > itemEnd) throw new InvalidDataException($"{name} has an item whose elements run past its length; the file is corrupt.");
        }
    }

    private void SkipItem(Element item, int depth)
    {
        if (!item.Undefined) { Skip(item.Length); return; }
        for (var nested = Next(); nested.Tag != 0xFFFE_E00D; nested = Next()) SkipValue(nested, depth + 1);
    }

    /// <summary>The next item of encapsulated pixel data, or null at the sequence delimiter.</summary>
    public byte[]? Item()
    {
        var item = Next();
        if (item.Tag == 0xFFFE_E0DD) return null;
        if (item.Tag != 0xFFFE_E000 || item.Undefined)
            throw new InvalidDataException($"{name} has encapsulated pixel data with a {item.Tag:X8} element where an item belongs; the file is corrupt.");
        return Bytes(item.Length);
    }

    public void Skip(long count)
    {
        if (stream.CanSeek)
        {
            if (stream.Position + count > stream.Length) throw Truncated(count);
            stream.Seek(count, SeekOrigin.Current);
            consumed += count;
            return;
        }
        Span<byte> scratch = stackalloc byte[4096];
        for (long left = count; left > 0; left -= scratch.Length)
            Exactly(scratch[..(int)Math.Min(left, scratch.Length)]);
    }

    private void Fill(int count, bool required)
    {
        if (peeked < count) peeked += stream.ReadAtLeast(buffer.AsSpan(peeked, count - peeked), count - peeked, throwOnEndOfStream: false);
        if (required && peeked < count) throw Truncated();
    }

    private void Exactly(Span<byte> target)
    {
        if (stream.ReadAtLeast(target, target.Length, throwOnEndOfStream: false) < target.Length) throw Truncated();
        consumed += target.Length;
    }

    /// <summary>How deep sequences may nest: the standard's own nest a few levels, structured reports a dozen or so.</summary>
    private const int MaxDepth = 64;

    private InvalidDataException Truncated(long? length = null) => new(length is { } n
        ? $"{name} has an element of {n:N0} bytes that runs past its end; the file is corrupt or truncated."
        : $"{name} ends before its pixel data does; the file is corrupt or truncated.");

    private uint U16(ReadOnlySpan<byte> bytes) => bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);

    private uint U32(ReadOnlySpan<byte> bytes) => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
}
