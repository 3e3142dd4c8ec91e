namespace SSM.Core.Data;

/// <summary>A test image with its ground truth: a category ("good" or a defect name) and, for defects, a pixel mask.</summary>
public sealed class LabeledImage
{
    /// <summary>The category of defect-free images.</summary>
    public const string GoodCategory = "good";

    /// <param name="name">Identifies the image within its dataset, e.g. "scratch/003".</param>
    /// <param name="image">The pixels.</param>
    /// <param name="mask">1-channel 0/1 mask of the image's size (1 = defect), or null when there is none (good images).</param>
    /// <param name="category">"good" or the defect category, e.g. "scratch".</param>
    public LabeledImage(string name, FloatImage image, FloatImage? mask, string category)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentException.ThrowIfNullOrEmpty(category);
        if (mask is not null && (mask.Channels != 1 || mask.Height != image.Height || mask.Width != image.Width))
            throw new ArgumentException(
                $"Mask of '{name}' is {mask.Channels}x{mask.Height}x{mask.Width}; expected 1x{image.Height}x{image.Width}.", nameof(mask));
        Name = name; Image = image; Mask = mask; Category = category;
    }

    /// <summary>Identifies the image within its dataset, e.g. "scratch/003".</summary>
    public string Name { get; }
    /// <summary>The pixels.</summary>
    public FloatImage Image { get; }
    /// <summary>1-channel mask, 1 where the image is defective; null for good images.</summary>
    public FloatImage? Mask { get; }
    /// <summary>"good" or the defect category in snake_case, e.g. "colour_change".</summary>
    public string Category { get; }
    /// <summary>True for every category but "good".</summary>
    public bool IsAnomalous => Category != GoodCategory;

    /// <summary>Name, category and shape, e.g. "003 (scratch, 1x64x64)".</summary>
    public override string ToString() => $"{Name} ({Category}, {Image.Channels}x{Image.Height}x{Image.Width})";
}
