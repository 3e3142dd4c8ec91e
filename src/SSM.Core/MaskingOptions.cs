namespace SSM.Core;

/// <summary>Complementary grid masks (paper, section 2).</summary>
public sealed record MaskingOptions
{
    /// <summary>
    /// Cell sizes k in pixels, at most <see cref="MaxCellSizes"/>, each once. Null (default): S/16, S/8, S/4 (4, 8, 16 px
    /// at S = 64), at least 1 px. The authors use S/64, S/32, S/16; on MTD the larger cells gave pixel AUROC 0.665 vs 0.619
    /// and image AUROC 0.747 vs 0.734 (mean of two seeds): a cell must be larger than a defect for the network to have to
    /// restore it from normal surroundings.
    /// </summary>
    public int[]? CellSizes { get; init; }

    /// <summary>The most cell sizes a model has: 8 (the paper has 3).</summary>
    public const int MaxCellSizes = 8;

    /// <summary>Number n of complementary masks per cell size in training. Default 3 (as the authors; 2 and 4 were no better on MTD).</summary>
    public int Groups { get; init; } = 3;

    /// <summary>
    /// Number of complementary masks per cell size when scoring; the network does not depend on n, so it may differ from
    /// <see cref="Groups"/>. Default 6: each restoration hides a sixth of the cells instead of a third, so it sees more of
    /// the normal surroundings. On MTD (70-epoch networks trained with n = 3, two seeds) image AUROC 0.909 / 0.904 against
    /// 0.903 / 0.890 with 3 (4: 0.908 / 0.900, 5: 0.907 / 0.903), pixel AUROC 0.739 / 0.747 against 0.743 / 0.751. Scoring
    /// time grows with it: 6 costs twice what 3 does.
    /// </summary>
    public int ScoringGroups { get; init; } = 6;

    /// <summary>The cell sizes in effect for images of side <paramref name="imageSize"/>.</summary>
    public int[] ResolveCellSizes(int imageSize) => CellSizes ?? Fractions(imageSize, 16, 8, 4);

    /// <summary>The authors' cell sizes S/64, S/32, S/16 (at least 1 px), for small defects; the default before model file format 3.</summary>
    public static int[] AuthorsCellSizes(int imageSize) => Fractions(imageSize, 64, 32, 16);

    private static int[] Fractions(int imageSize, params int[] divisors) => divisors.Select(d => Math.Max(1, imageSize / d)).Distinct().ToArray();

    internal void Validate(int imageSize)
    {
        if (Groups < 2 || Groups > 16) throw new ArgumentOutOfRangeException(nameof(Groups), Groups, "Groups must be between 2 and 16.");
        if (ScoringGroups < 2 || ScoringGroups > 16) throw new ArgumentOutOfRangeException(nameof(ScoringGroups), ScoringGroups, "Scoring groups must be between 2 and 16.");
        var sizes = ResolveCellSizes(imageSize);
        if (sizes.Length == 0) throw new ArgumentException("At least one cell size is needed.", nameof(CellSizes));
        // Each cell size costs a restoration per mask when scoring: a model file's 4000 sizes took 45 s to score one image.
        if (sizes.Length > MaxCellSizes || sizes.Distinct().Count() < sizes.Length)
            throw new ArgumentOutOfRangeException(nameof(CellSizes),
                string.Join(", ", sizes.Take(MaxCellSizes + 1)) + (sizes.Length > MaxCellSizes + 1 ? ", ..." : ""),
                $"At most {MaxCellSizes} cell sizes, each given once.");
        foreach (var k in sizes)
            if (k < 1 || k > imageSize / 2)
                throw new ArgumentOutOfRangeException(nameof(CellSizes), k, $"Cell sizes must be between 1 and half the image size ({imageSize / 2}).");
    }
}
