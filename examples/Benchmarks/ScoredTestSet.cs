namespace SSM.Benchmarks;

/// <summary>
/// One scoring of a test split, kept on disk so runs can be compared later on the same images (`explore --save-scores`,
/// `compare`): each image's category, image score, anomaly map and ground-truth mask, maps S x S row-major.
/// </summary>
internal sealed record ScoredTestSet(int Size, string[] Categories, float[] Scores, float[][] Maps, bool[][] Masks)
{
    private const string Magic = "SSM-SCORED-TEST-SET-1";

    public int Count => Scores.Length;

    public void Save(string path)
    {
        using var w = new BinaryWriter(File.Create(path));
        w.Write(Magic);
        w.Write(Size);
        w.Write(Count);
        for (int i = 0; i < Count; i++)
        {
            w.Write(Categories[i]);
            w.Write(Scores[i]);
            foreach (float v in Maps[i]) w.Write(v);
            foreach (bool m in Masks[i]) w.Write(m);
        }
    }

    public static ScoredTestSet Load(string path)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        // Another file (an image, say) ends before its "magic" string does, or is not one; both are said the same way.
        string NotOne() => $"{path} is not a scored test set written by `explore --save-scores`.";
        string magic;
        try { magic = r.ReadString(); }
        catch (EndOfStreamException e) { throw new InvalidDataException(NotOne(), e); }
        if (magic != Magic) throw new InvalidDataException(NotOne());
        int size = r.ReadInt32(), count = r.ReadInt32(), plane = size * size;
        var (categories, scores, maps, masks) = (new string[count], new float[count], new float[count][], new bool[count][]);
        for (int i = 0; i < count; i++)
        {
            categories[i] = r.ReadString();
            scores[i] = r.ReadSingle();
            maps[i] = new float[plane];
            for (int p = 0; p < plane; p++) maps[i][p] = r.ReadSingle();
            masks[i] = new bool[plane];
            for (int p = 0; p < plane; p++) masks[i][p] = r.ReadBoolean();
        }
        return new ScoredTestSet(size, categories, scores, maps, masks);
    }

    /// <summary>The same scoring without the images of the given categories (to see a figure with a category left out).</summary>
    public ScoredTestSet Without(IReadOnlyCollection<string> categories)
    {
        var keep = Enumerable.Range(0, Count).Where(i => !categories.Contains(Categories[i])).ToArray();
        return new ScoredTestSet(Size, [.. keep.Select(i => Categories[i])], [.. keep.Select(i => Scores[i])],
            [.. keep.Select(i => Maps[i])], [.. keep.Select(i => Masks[i])]);
    }

    /// <summary>Throws unless <paramref name="other"/> scored the same images: same size, categories and masks, in order.</summary>
    public void RequireSameImages(ScoredTestSet other, string name)
    {
        bool same = other.Size == Size && other.Count == Count && other.Categories.SequenceEqual(Categories)
            && Enumerable.Range(0, Count).All(i => other.Masks[i].AsSpan().SequenceEqual(Masks[i]));
        if (!same) throw new ArgumentException($"{name} did not score the same test images (size, categories and masks, in order) as the first file.");
    }
}
