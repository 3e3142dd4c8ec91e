using SSM.Core.Evaluation;

namespace SSM.Benchmarks;

/// <summary>
/// Where pooled pixel AUROC is lost: every defective pixel ranked against the normal pixels of the good images, and
/// against the normal pixels of the defective images. The second part is localisation inside a defective image; no
/// image-level decision can improve it, so it bounds the pooled figure even with every image classified perfectly.
/// </summary>
internal static class PixelNegatives
{
    public static IEnumerable<string> Lines(IReadOnlyList<float[]> maps, IReadOnlyList<bool[]> masks, IReadOnlyList<string> categories, string goodCategory)
    {
        var positives = maps.SelectMany((m, i) => m.Where((_, p) => masks[i][p])).ToArray();
        var parts = new List<(long Negatives, double Auroc)>();
        foreach (var (name, take) in new (string, Func<int, bool>)[] { ("good images", i => categories[i] == goodCategory), ("defective images", i => categories[i] != goodCategory) })
        {
            var negatives = maps.SelectMany((m, i) => take(i) ? m.Where((_, p) => !masks[i][p]) : []).ToArray();
            var labels = new bool[positives.Length + negatives.Length];
            Array.Fill(labels, true, 0, positives.Length);
            parts.Add((negatives.Length, Roc.Auroc([.. positives, .. negatives], labels)));
            yield return $"defective pixels against the normal pixels of {name} ({negatives.Length:N0}): pixel AUROC {parts[^1].Auroc:F3}";
        }
        // A perfect image decision puts every good image's pixels below every defective pixel (AUROC 1 against them) and
        // leaves the ranking inside defective images as it is.
        double bound = (parts[0].Negatives + parts[1].Negatives * parts[1].Auroc) / (parts[0].Negatives + parts[1].Negatives);
        yield return $"pooled pixel AUROC with a perfect image decision added to this map: {bound:F3}";
    }
}
