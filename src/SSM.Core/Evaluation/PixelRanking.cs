namespace SSM.Core.Evaluation;

/// <summary>
/// Every pixel of a set of images in one flat array sorted by score, each carrying the global index
/// of the ground-truth region it belongs to (-1 for a normal pixel). One sort serves AUPRO, AUROC and F1.
/// Two flat arrays (8 bytes a pixel) keep 100 images of 256×256 at ~50 MB and the GC out of the way.
/// </summary>
internal sealed class PixelRanking
{
    private PixelRanking(float[] scores, int[] regions, int[] regionSizes, long negatives)
    {
        Scores = scores;
        Regions = regions;
        RegionSizes = regionSizes;
        Negatives = negatives;
    }

    /// <summary>All pixel scores, ascending.</summary>
    public float[] Scores { get; }

    /// <summary>Region index of each pixel in <see cref="Scores"/>, -1 for normal pixels.</summary>
    public int[] Regions { get; }

    /// <summary>Pixel count of each ground-truth region.</summary>
    public int[] RegionSizes { get; }

    public long Negatives { get; }
    public long Positives => Scores.Length - Negatives;

    public static PixelRanking Build(IReadOnlyList<LabeledAnomalyMap> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        long total = 0;
        int largest = 0;
        for (int i = 0; i < images.Count; i++)
        {
            images[i].RequireInitialized(i);
            total += images[i].Map.Length;
            largest = Math.Max(largest, images[i].Map.Length);
        }
        if (total == 0) throw new ArgumentException("No images were given.", nameof(images));
        if (total > Array.MaxLength)
            throw new ArgumentException($"{total} pixels exceed the largest array .NET allows ({Array.MaxLength}).", nameof(images));

        var scores = new float[total];
        var regions = new int[total];
        var sizes = new List<int>();
        var stack = new int[largest];
        int offset = 0;
        for (int i = 0; i < images.Count; i++)
        {
            var image = images[i];
            int n = image.Map.Length;
            image.Map.CopyTo(scores, offset);
            ConnectedComponents.Label(image.Mask, image.Height, image.Width, regions.AsSpan(offset, n), sizes, stack);
            offset += n;
        }

        long negatives = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            if (float.IsNaN(scores[i])) throw new ArgumentException($"Pixel {i} (counting through all images in order) has a NaN score.", nameof(images));
            if (regions[i] < 0) negatives++;
        }
        Array.Sort(scores, regions);
        return new PixelRanking(scores, regions, sizes.ToArray(), negatives);
    }

    /// <summary>The same ranking as plain labels for AUROC and F1 (shares the score array, no re-sort).</summary>
    public RankedScores ToRankedScores()
    {
        var labels = new bool[Regions.Length];
        for (int i = 0; i < labels.Length; i++) labels[i] = Regions[i] >= 0;
        return RankedScores.FromSorted(Scores, labels, Positives);
    }
}
