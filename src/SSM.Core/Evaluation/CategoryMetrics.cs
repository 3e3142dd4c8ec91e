namespace SSM.Core.Evaluation;

/// <summary>
/// One category of a test set (a kind of defect, or the normal images) on its own. A defect category's images are
/// ranked with the normal images alone, as MTD's per-category figures are quoted. The pooled figures rank
/// every kind's defects against the other kinds' images as well, so a kind found well can hide a kind missed.
/// </summary>
/// <param name="Category">The category's name.</param>
/// <param name="Images">How many images it has.</param>
/// <param name="Flagged">How many of them the decisions flag (false alarms, for normal images); null without decisions.</param>
/// <param name="ImageAuroc">Image AUROC of its images with every normal image; null for a category without an anomalous
/// image, or where the test set has no normal image.</param>
/// <param name="PixelAuroc">Pixel AUROC of its images' maps with every normal image's; null without maps, or where no
/// mask of its images has a defective pixel.</param>
/// <param name="Aupro">AUPRO (FPR up to 0.3) of the same maps; null where <paramref name="PixelAuroc"/> is.</param>
public sealed record CategoryMetrics(string Category, int Images, int? Flagged, double? ImageAuroc, double? PixelAuroc = null, double? Aupro = null)
{
    /// <summary>Every category of a test set: those without an anomalous image first, then the others, each in the order
    /// its first image comes.</summary>
    /// <param name="categories">Each image's category.</param>
    /// <param name="labels">True for an anomalous image.</param>
    /// <param name="scores">Image scores, higher = more anomalous.</param>
    /// <param name="decisions">Each image's verdict (true = flagged), or null.</param>
    /// <param name="maps">Each image's anomaly map with its mask (all false for a normal image), or null.</param>
    /// <exception cref="ArgumentException">The lists differ in length, or a category is null or empty.</exception>
    public static IReadOnlyList<CategoryMetrics> Compute(IReadOnlyList<string> categories, IReadOnlyList<bool> labels, IReadOnlyList<float> scores,
        IReadOnlyList<bool>? decisions = null, IReadOnlyList<LabeledAnomalyMap>? maps = null)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scores);
        int n = categories.Count;
        if (labels.Count != n || scores.Count != n || decisions is not null && decisions.Count != n || maps is not null && maps.Count != n)
            throw new ArgumentException($"Categories, labels, scores, decisions and maps must have one entry per image ({n} categories, {labels.Count} labels, " +
                $"{scores.Count} scores{(decisions is null ? "" : $", {decisions.Count} decisions")}{(maps is null ? "" : $", {maps.Count} maps")}).");
        for (int i = 0; i < n; i++)
            if (string.IsNullOrEmpty(categories[i])) throw new ArgumentException($"Image {i} has no category.", nameof(categories));

        bool anyNormal = labels.Contains(false);
        var anomalous = Enumerable.Range(0, n).Where(i => labels[i]).Select(i => categories[i]).ToHashSet();
        return [.. categories.Distinct().OrderBy(anomalous.Contains).Select(c =>
        {
            int[] own = [.. Enumerable.Range(0, n).Where(i => categories[i] == c)];
            int? flagged = decisions is null ? null : own.Count(i => decisions[i]);
            if (!anomalous.Contains(c)) return new CategoryMetrics(c, own.Length, flagged, null);
            // Its images and every normal one: a normal image of this category is among both, and counts once.
            int[] with = [.. Enumerable.Range(0, n).Where(i => !labels[i] || categories[i] == c)];
            double? auroc = !anyNormal ? null : Roc.Auroc([.. with.Select(i => scores[i])], [.. with.Select(i => labels[i])]);
            if (maps is null || !own.Any(i => maps[i].Mask is { } mask && mask.Contains(true))) return new CategoryMetrics(c, own.Length, flagged, auroc);
            var pixel = PixelMetrics.Evaluate([.. with.Select(i => maps[i])]);
            return new CategoryMetrics(c, own.Length, flagged, auroc, pixel.Auroc, pixel.Aupro);
        })];
    }
}
