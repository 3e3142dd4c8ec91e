using SSM.Core.Data;

namespace SSM.Cli.Inputs;

/// <summary>
/// Images known by content, not by path: a copy under another name, a link or another spelling of the path is the same
/// image. Good images given to train or calibrate on must not be test images, nor be trained on twice.
/// </summary>
public static class SameImages
{
    /// <summary>The SHA-256 of a file's bytes (its first <paramref name="maxBytes"/> when given), to know a copy under another
    /// name; null when it cannot be read (the scoring or training says why).</summary>
    public static string? ContentHash(string path, int? maxBytes = null)
    {
        try
        {
            using var file = SSM.Core.IO.InputFile.OpenWithBytes(path);
            if (file is null) return null;
            if (maxBytes is not { } max) return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(file));
            var head = new byte[max];
            int read = file.ReadAtLeast(head, max, throwOnEndOfStream: false);
            return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(head.AsSpan(0, read)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>How much of a file <see cref="Among"/> hashes first: files of one length that differ there are told
    /// apart without reading the rest (a camera's uncompressed images all have one length).</summary>
    private const int HeadBytes = 64 * 1024;

    /// <summary>The images of <paramref name="images"/> that are test images of <paramref name="data"/> by content (a copy under
    /// another name is the same image), each with the test image it is: good images given to train or calibrate on must not
    /// be, or the test figures would be those of images the model was made on.</summary>
    public static List<(string Image, string Test)> TestImagesAmong(IEnumerable<string> images, MvtecDataset data) =>
        [.. Among(images, data.TestItems.Select(t => t.Path)).Select(p => (p.Image, Test: p.Same))];

    /// <summary>The images of <paramref name="images"/> that are, by content, one of <paramref name="others"/>, each with the one
    /// it is: a copy under another name, a link or another spelling of the path is the same image.</summary>
    public static List<(string Image, string Same)> Among(IEnumerable<string> images, IEnumerable<string> others)
    {
        // Only files of one of the others' lengths, and then of the same first 64 KB, can be one: those alone are read whole.
        var othersByLength = others.Distinct(StringComparer.Ordinal).Select(p => (Path: p, Length: LengthOf(p))).Where(t => t.Length is not null)
            .GroupBy(t => t.Length!.Value, t => t.Path).ToDictionary(g => g.Key, g => g.ToList());
        var byHead = new Dictionary<long, ILookup<string, string>>();
        var whole = new Dictionary<string, string?>(StringComparer.Ordinal);
        string? Head(string path, long length) => length <= HeadBytes ? Whole(path) : ContentHash(path, HeadBytes);
        string? Whole(string path) => whole.TryGetValue(path, out var h) ? h : whole[path] = ContentHash(path);
        var shared = new List<(string Image, string Same)>();
        foreach (string image in images)
        {
            if (LengthOf(image) is not { } length || !othersByLength.TryGetValue(length, out var candidates)) continue;
            if (!byHead.TryGetValue(length, out var heads))
                byHead[length] = heads = candidates.Select(c => (Path: c, Head: Head(c, length))).Where(c => c.Head is not null).ToLookup(c => c.Head!, c => c.Path);
            if (Head(image, length) is not { } head || !heads.Contains(head)) continue;
            string? hash = Whole(image);
            if (hash is not null && heads[head].FirstOrDefault(c => Whole(c) == hash) is { } same) shared.Add((image, same));
        }
        return shared;
    }

    /// <summary>The first of <see cref="Among"/>'s pairs for a message: "'a' is 'b', and others", or "'a'" where both
    /// are one file and it is the only one.</summary>
    public static string Example(IReadOnlyList<(string Image, string Same)> pairs)
    {
        var (image, same) = pairs[0];
        return (image == same ? $"'{image}'" : $"'{image}' is '{same}'") + (pairs.Count > 1 ? ", and others" : "");
    }

    // One look at the file system a file: its length, or null when it is not there (the scoring or training says why).
    private static long? LengthOf(string path) => new FileInfo(path) is { Exists: true } file ? file.Length : null;
}
