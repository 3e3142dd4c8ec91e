using System.Buffers.Binary;

namespace SSM.Core.Data.Dicom;

/// <summary>
/// Decodes a frame of DICOM's RLE Lossless (PS3.5 Annex G): a header of up to 15 segment offsets, then one PackBits segment
/// per byte of each sample, the most significant byte's first, each component whole before the next.
/// </summary>
internal static class DicomRle
{
    /// <summary>The samples of one frame, pixel-interleaved.</summary>
    public static int[] Decode(byte[] frame, int width, int height, int components, int bytesPerSample, string name)
    {
        int segments = components * bytesPerSample, pixels = width * height;
        if (frame.Length < 64) throw Broken(name, "its header is short");
        int declared = BinaryPrimitives.ReadInt32LittleEndian(frame);
        if (declared != segments) throw Broken(name, $"it has {declared} segments where {segments} belong");
        // A PackBits run gives at most 128 bytes for 2: a frame cannot hold more pixels than that allows.
        if ((long)pixels * segments > 64L * frame.Length) throw Broken(name, "it is shorter than its pixels need");
        var samples = new int[pixels * components];
        var plane = new byte[pixels];
        for (int s = 0; s < segments; s++)
        {
            int start = BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(4 + 4 * s));
            int end = s + 1 < segments ? BinaryPrimitives.ReadInt32LittleEndian(frame.AsSpan(8 + 4 * s)) : frame.Length;
            if (start < 64 || end < start || end > frame.Length) throw Broken(name, $"segment {s} lies outside the frame");
            PackBits(frame.AsSpan(start, end - start), plane, name);
            // Segment s holds byte (s mod bytesPerSample) of component s / bytesPerSample, the most significant first.
            int component = s / bytesPerSample, shift = 8 * (bytesPerSample - 1 - s % bytesPerSample);
            for (int i = 0; i < pixels; i++) samples[i * components + component] |= plane[i] << shift;
        }
        return samples;
    }

    private static void PackBits(ReadOnlySpan<byte> segment, byte[] output, string name)
    {
        int o = 0;
        for (int i = 0; i < segment.Length && o < output.Length;)
        {
            int n = (sbyte)segment[i++];
            if (n >= 0)
            {
                if (i + n + 1 > segment.Length || o + n + 1 > output.Length) throw Broken(name, "a literal run runs past its end");
                segment.Slice(i, n + 1).CopyTo(output.AsSpan(o));
                i += n + 1;
                o += n + 1;
            }
            else if (n != -128)
            {
                if (i >= segment.Length || o + 1 - n > output.Length) throw Broken(name, "a repeat runs past its end");
                output.AsSpan(o, 1 - n).Fill(segment[i++]);
                o += 1 - n;
            }
        }
        if (o < output.Length) throw Broken(name, $"a segment gives {o} of its {output.Length} bytes");
    }

    private static InvalidDataException Broken(string name, string why) =>
        new($"{name} holds RLE pixel data that cannot be decoded: {why}; the file is corrupt or truncated.");
}
