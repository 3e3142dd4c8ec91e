using System.Buffers.Binary;
using BitMiracle.LibTiff.Classic;

namespace SSM.Core.Tests.Data;

/// <summary>Writes small TIFF files with LibTiff itself, for the reader's tests.</summary>
internal static class TiffWriter
{
    /// <summary><paramref name="samples"/> (8- or 16-bit, pixel-interleaved) in one strip, or in square tiles of
    /// <paramref name="tile"/> pixels (a multiple of 16), each sample in its own plane when <paramref name="separate"/>; "b"
    /// in <paramref name="byteOrder"/> writes a big-endian ("MM") file; <paramref name="pages"/> copies of it make a stack.</summary>
    public static void Write(string path, int width, int height, int samplesPerPixel, ushort[] samples, int bits = 16,
        Photometric photometric = Photometric.MINISBLACK, int orientation = 1, string byteOrder = "l", Compression compression = Compression.LZW,
        int tile = 0, bool separate = false, int pages = 1)
    {
        using var tiff = Tiff.Open(path, "w" + byteOrder) ?? throw new IOException($"LibTiff could not create {path}.");
        for (int page = 0; page < pages; page++)
        {
            if (page > 0) tiff.WriteDirectory();
            WritePage(tiff, path, width, height, samplesPerPixel, samples, bits, photometric, orientation, compression, tile, separate);
        }
    }

    private static void WritePage(Tiff tiff, string path, int width, int height, int samplesPerPixel, ushort[] samples, int bits,
        Photometric photometric, int orientation, Compression compression, int tile, bool separate)
    {
        Tags(tiff, width, height, bits, samplesPerPixel, photometric, orientation, compression, tile, separate);
        if (samplesPerPixel is 2 or 4) tiff.SetField(TiffTag.EXTRASAMPLES, 1, new short[] { (short)ExtraSample.UNASSALPHA });
        int planes = separate ? samplesPerPixel : 1, perPixel = separate ? 1 : samplesPerPixel;
        int blockWidth = tile > 0 ? tile : width, blockHeight = tile > 0 ? tile : 1;
        var block = new byte[blockWidth * blockHeight * perPixel * bits / 8];
        for (int plane = 0; plane < planes; plane++)
            for (int y0 = 0; y0 < height; y0 += blockHeight)
                for (int x0 = 0; x0 < width; x0 += blockWidth)
                {
                    Array.Clear(block);
                    for (int y = 0; y < blockHeight && y0 + y < height; y++)
                        for (int x = 0; x < blockWidth && x0 + x < width; x++)
                            for (int k = 0; k < perPixel; k++)
                            {
                                ushort v = samples[((y0 + y) * width + x0 + x) * samplesPerPixel + plane + k];
                                int i = (y * blockWidth + x) * perPixel + k;
                                if (bits == 8) block[i] = (byte)v;
                                else BitConverter.TryWriteBytes(block.AsSpan(2 * i), v);   // this machine's order: LibTiff swaps for "MM"
                            }
                    bool written = tile > 0 ? tiff.WriteTile(block, x0, y0, 0, (short)plane) >= 0 : tiff.WriteScanline(block, y0, (short)plane);
                    if (!written) throw new IOException($"LibTiff could not write at ({x0}, {y0}) of {path}.");
                }
    }

    /// <summary>An 8-bit palette image: <paramref name="indices"/> into a colour map of (r, g, b) bytes.</summary>
    public static void WritePalette(string path, int width, int height, byte[] indices, (byte R, byte G, byte B)[] colours)
    {
        using var tiff = Tiff.Open(path, "w") ?? throw new IOException($"LibTiff could not create {path}.");
        Tags(tiff, width, height, 8, 1, Photometric.PALETTE, 1, Compression.LZW, 0, false);
        // TIFF colour maps hold 16-bit values: a byte b is b * 257.
        short[] Map(Func<(byte R, byte G, byte B), byte> part) =>
            [.. Enumerable.Range(0, 256).Select(i => (short)(i < colours.Length ? part(colours[i]) * 257 : 0))];
        tiff.SetField(TiffTag.COLORMAP, Map(c => c.R), Map(c => c.G), Map(c => c.B));
        for (int y = 0; y < height; y++) tiff.WriteScanline(indices.AsSpan(y * width, width).ToArray(), y);
    }

    /// <summary>A grey image of <paramref name="bits"/>-bit samples of <paramref name="format"/>, all zero: floating-point
    /// or signed samples are kinds the reader refuses.</summary>
    public static void WriteSamplesOf(SampleFormat format, int bits, string path, int width, int height)
    {
        using var tiff = Tiff.Open(path, "w") ?? throw new IOException($"LibTiff could not create {path}.");
        Tags(tiff, width, height, bits, 1, Photometric.MINISBLACK, 1, Compression.NONE, 0, false);
        tiff.SetField(TiffTag.SAMPLEFORMAT, format);
        var row = new byte[bits / 8 * width];
        for (int y = 0; y < height; y++) tiff.WriteScanline(row, y);
    }

    /// <summary>Halves the byte count of a little-endian TIFF's single strip, as if its data had been cut short; the
    /// directory stays intact (LibTiff writes it after the data, so cutting the file itself would lose it).</summary>
    public static void ShortenStrip(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        int directory = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(4)), entries = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(directory));
        for (int e = 0; e < entries; e++)
        {
            var entry = file.AsSpan(directory + 2 + 12 * e, 12);
            if (BinaryPrimitives.ReadUInt16LittleEndian(entry) != (ushort)TiffTag.STRIPBYTECOUNTS) continue;
            if (BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]) != 1) throw new InvalidOperationException("Write one strip.");
            if (BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]) == 3)   // SHORT
                BinaryPrimitives.WriteUInt16LittleEndian(entry[8..], (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(entry[8..]) / 2));
            else BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]) / 2);
            File.WriteAllBytes(path, file);
            return;
        }
        throw new InvalidOperationException($"{path} has no strip byte counts.");
    }

    private static void Tags(Tiff tiff, int width, int height, int bits, int samplesPerPixel, Photometric photometric, int orientation, Compression compression,
        int tile, bool separate)
    {
        tiff.SetField(TiffTag.IMAGEWIDTH, width);
        tiff.SetField(TiffTag.IMAGELENGTH, height);
        tiff.SetField(TiffTag.BITSPERSAMPLE, bits);
        tiff.SetField(TiffTag.SAMPLESPERPIXEL, samplesPerPixel);
        tiff.SetField(TiffTag.PHOTOMETRIC, photometric);
        tiff.SetField(TiffTag.PLANARCONFIG, separate ? PlanarConfig.SEPARATE : PlanarConfig.CONTIG);
        if (tile > 0)
        {
            tiff.SetField(TiffTag.TILEWIDTH, tile);
            tiff.SetField(TiffTag.TILELENGTH, tile);
        }
        else tiff.SetField(TiffTag.ROWSPERSTRIP, height);
        tiff.SetField(TiffTag.COMPRESSION, compression);
        tiff.SetField(TiffTag.ORIENTATION, (Orientation)orientation);
    }
}
