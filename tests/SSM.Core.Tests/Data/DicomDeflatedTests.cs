using System.IO.Compression;
using SSM.Core.Data;
using static SSM.Core.Tests.Data.DicomFileTests;

namespace SSM.Core.Tests.Data;

/// <summary>
/// A deflated data set (transfer syntax 1.2.840.10008.1.2.1.99) can only be read forwards, so a value's length cannot be
/// checked against what is left of the file before reading it: long values are inflated a megabyte at a time. Each test
/// inflates ct12s-deflated.dcm's data set (its pixel data is its last element), edits it and deflates it again.
/// </summary>
public class DicomDeflatedTests
{
    private static byte[] Edited(int rows, int columns, uint pixelDataLength, ReadOnlySpan<byte> samples)
    {
        byte[] file = File.ReadAllBytes(Fixture("ct12s-deflated.dcm"));
        int dataSet = AfterMeta(file);
        using var inflated = new MemoryStream();
        using (var inflate = new DeflateStream(new MemoryStream(file, dataSet, file.Length - dataSet), CompressionMode.Decompress)) inflate.CopyTo(inflated);
        byte[] elements = inflated.ToArray();
        Patch(elements, Us(0x0010, 20), Us(0x0010, rows));
        Patch(elements, Us(0x0011, 24), Us(0x0011, columns));
        int pixelData = elements.AsSpan().IndexOf((ReadOnlySpan<byte>)[0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'W', 0, 0]);
        Assert.Equal(elements.Length - 12 - 2 * 24 * 20, pixelData);   // the last element, 960 bytes
        BitConverter.GetBytes(pixelDataLength).CopyTo(elements, pixelData + 8);

        using var edited = new MemoryStream();
        edited.Write(file, 0, dataSet);
        using (var deflate = new DeflateStream(edited, CompressionLevel.Optimal, leaveOpen: true))
        {
            deflate.Write(elements, 0, pixelData + 12);
            deflate.Write(samples);
        }
        return edited.ToArray();
    }

    [Fact]
    public void Pixel_data_of_several_megabytes_is_inflated_whole()
    {
        const int rows = 1030, columns = 1024;   // 2.1 MB: two whole megabytes and a part of one
        var samples = new byte[2 * rows * columns];
        static int Stored(int x, int y) => (x + 3 * y) % 2048 - 1000;   // signed 12-bit, as the fixture's
        for (int y = 0; y < rows; y++)
            for (int x = 0; x < columns; x++)
                BitConverter.TryWriteBytes(samples.AsSpan(2 * (y * columns + x)), (short)Stored(x, y));
        byte[] file = Edited(rows, columns, (uint)samples.Length, samples);

        var image = ImageFile.DecodeResized(file, 1, rows, columns);

        // The fixture's rescale (slope 2, intercept -24) and window apply, as to ct12s.dcm's samples.
        foreach (var (x, y) in new[] { (0, 0), (1023, 0), (0, 1029), (511, 600), (1023, 1029) })
            Assert.Equal(Shown(2 * Stored(x, y) - 24), image[0, y, x], 1e-6);
    }

    [Fact]
    public void A_frame_claiming_hundreds_of_megabytes_is_refused_without_allocating_them()
    {
        // 20000 x 20000 samples (800 MB) of pixel data, of which the file holds 960 bytes.
        byte[] file = Edited(20000, 20000, 0x7FFF_0000, new byte[2 * 24 * 20]);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidDataException>(() => ImageFile.DecodeResized(file, 1, 8, 8));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("ends before its pixel data does", error.Message);
        Assert.True(allocated < 64 << 20, $"{allocated:N0} bytes allocated to read a file of {file.Length:N0}");
    }
}
