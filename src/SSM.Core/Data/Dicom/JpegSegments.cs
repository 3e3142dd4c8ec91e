namespace SSM.Core.Data.Dicom;

/// <summary>The marker segments of a JPEG or JPEG-LS stream (T.81 B.1.1, T.87 C.1), read one at a time.</summary>
internal static class JpegSegments
{
    /// <summary>
    /// The next marker and the content of its segment (empty for markers that have none: SOI, RSTn, EOI); moves
    /// <paramref name="pos"/> past it. Fill bytes (FF) before a marker are skipped, and so is anything else between
    /// segments, as some encoders leave it.
    /// </summary>
    /// <param name="data">The stream.</param>
    /// <param name="pos">Where to look for the next marker.</param>
    /// <param name="broken">Makes the exception for a stream that ends or breaks, from the reason.</param>
    public static (int Marker, int Start, int Length) Next(byte[] data, ref int pos, Func<string, InvalidDataException> broken)
    {
        while (pos < data.Length && data[pos] != 0xFF) pos++;
        while (pos < data.Length && data[pos] == 0xFF) pos++;
        if (pos >= data.Length) throw broken("it ends before its end-of-image marker");
        int marker = data[pos++];
        if (marker is 0xD8 or 0xD9 or 0x01 or >= 0xD0 and <= 0xD7) return (marker, pos, 0);
        if (pos + 2 > data.Length) throw broken("it ends inside a marker");
        int length = data[pos] << 8 | data[pos + 1];
        if (length < 2 || pos + length > data.Length) throw broken("a marker's length runs past its end");
        pos += length;
        return (marker, pos - length + 2, length - 2);
    }
}
