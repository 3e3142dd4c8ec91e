namespace SSM.Core.Data;

/// <summary>One test image of an MVTec-layout folder: its file, its category and, for defects, its mask file.</summary>
/// <param name="Path">The image file.</param>
/// <param name="Category">The test sub-folder name: "good" or a defect category.</param>
/// <param name="MaskPath">The ground-truth mask file; null for good images (a labels CSV may name an all-black one), and
/// for every image of a dataset without masks (<see cref="MvtecDataset.HasGroundTruth"/>).</param>
public sealed record MvtecTestItem(string Path, string Category, string? MaskPath)
{
    /// <summary>True for every category but "good".</summary>
    public bool IsAnomalous => Category != LabeledImage.GoodCategory;
}

/// <summary>A defective test image whose ground-truth mask is not where the MVTec layout puts it.</summary>
/// <param name="ImagePath">The test image.</param>
/// <param name="ExpectedMask">Where its mask was expected (<c>ground_truth/&lt;category&gt;/&lt;stem&gt;_mask.png</c>).</param>
public sealed record MissingMask(string ImagePath, string ExpectedMask)
{
    /// <summary>What is missing, naming both files.</summary>
    public string Message => $"Defective test image '{ImagePath}' has no ground-truth mask; expected '{ExpectedMask}' " +
                             $"(or in another image format, or named as the image, '{Path.GetFileNameWithoutExtension(ImagePath)}.*', in that folder).";
}
