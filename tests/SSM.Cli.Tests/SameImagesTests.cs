using SSM.Cli.Inputs;

namespace SSM.Cli.Tests;

/// <summary>Images known by content (<see cref="SameImages.Among"/>): a copy under another name is the same image;
/// files of one length are told apart by their first 64 KB first, and by every byte when those agree.</summary>
public sealed class SameImagesTests
{
    [Fact]
    public void Copies_are_found_and_files_that_differ_anywhere_are_not()
    {
        string folder = Cli.TempFolder("same");
        var bytes = new byte[100_000];
        new Random(7).NextBytes(bytes);
        string Write(string name, Action<byte[]> change)
        {
            var copy = (byte[])bytes.Clone();
            change(copy);
            string path = Path.Combine(folder, name);
            File.WriteAllBytes(path, copy);
            return path;
        }
        string original = Write("original.bmp", _ => { });
        string copy = Write("copy.bmp", _ => { });
        string late = Write("late.bmp", b => b[90_000] ^= 1);    // the same first 64 KB
        string early = Write("early.bmp", b => b[10] ^= 1);
        string shorter = Path.Combine(folder, "short.bmp");
        File.WriteAllBytes(shorter, bytes[..1000]);
        string small = Path.Combine(folder, "small.bmp"), smallCopy = Path.Combine(folder, "small-copy.bmp");
        File.WriteAllBytes(small, bytes[..1000]);
        File.WriteAllBytes(smallCopy, bytes[..1000]);

        Assert.Equal([(copy, original)], SameImages.Among([copy, late, early, shorter], [original]));
        Assert.Equal([(smallCopy, small)], SameImages.Among([smallCopy, original], [small]));
        Assert.Empty(SameImages.Among([Path.Combine(folder, "missing.bmp")], [original]));
        // A head longer than the file is the whole file.
        Assert.Equal(SameImages.ContentHash(small), SameImages.ContentHash(small, maxBytes: 64 * 1024));
        Assert.NotEqual(SameImages.ContentHash(original), SameImages.ContentHash(original, maxBytes: 64 * 1024));
    }

    [Fact]
    public void A_message_names_the_first_pair_and_says_when_there_are_others()
    {
        Assert.Equal("'a.png'", SameImages.Example([("a.png", "a.png")]));
        Assert.Equal("'a.png' is 'test/b.png'", SameImages.Example([("a.png", "test/b.png")]));
        Assert.Equal("'a.png' is 'test/b.png', and others", SameImages.Example([("a.png", "test/b.png"), ("c.png", "c.png")]));
    }
}
