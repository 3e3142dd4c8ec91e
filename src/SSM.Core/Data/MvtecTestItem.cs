namespace SSM.Core.Data;

/// <summary>One test image of an MVTec-layout folder: its file, its category and, for defects, its mask file.</summary>
/// <param name="Path">The image file.</param>
/// <param name="Category">The test sub-folder name: "good" or a defect category.</param>
/// <param name="MaskPath">The ground-truth mask file; null for good images.</param>
public sealed record MvtecTestItem(string Path, string Category, string? MaskPath)
{
    /// <summary>True for every category but "good".</summary>
    public bool IsAnomalous => Category != LabeledImage.GoodCategory;
}
