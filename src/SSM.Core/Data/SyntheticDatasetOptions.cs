namespace SSM.Core.Data;

/// <summary>What <see cref="SyntheticDataset.Generate"/> produces. The defaults make a small gray woven-fabric set.</summary>
public sealed record SyntheticDatasetOptions
{
    /// <summary>Side of the square images in pixels; textures and defects scale with it. Default 64, from <see cref="MinimumImageSize"/> to <see cref="MaximumImageSize"/>.</summary>
    public int ImageSize { get; init; } = 64;
    /// <summary>Smallest <see cref="ImageSize"/>: 16 pixels.</summary>
    public const int MinimumImageSize = 16;
    /// <summary>The largest side: a 4096 px image is 16 M pixels a plane (sides above 46340 overflowed the generator's indices).</summary>
    public const int MaximumImageSize = 4096;
    /// <summary>1 (grayscale) or 3 (RGB). Default 1.</summary>
    public int Channels { get; init; } = 1;
    /// <summary>Number of defect-free training images. Default 60, at most <see cref="MaximumCount"/>.</summary>
    public int TrainCount { get; init; } = 60;
    /// <summary>Number of defect-free test images. Default 20, at most <see cref="MaximumCount"/>.</summary>
    public int TestGoodCount { get; init; } = 20;
    /// <summary>Number of test images per defect kind. Default 8, at most <see cref="MaximumCount"/>.</summary>
    public int TestDefectCount { get; init; } = 8;
    /// <summary>The most images of one count: a million, gigabytes of PNG files already (a generated 64 px image's
    /// file is about 3.5 KB). Far beyond it a count was a slip of the keyboard: 2147483647 defects of each kind began on 8.6 billion images
    /// (186,709 files in 35 s, without a word), and the total of the images no longer fitted an int.</summary>
    public const int MaximumCount = 1_000_000;
    /// <summary>The texture family of every image. Default <see cref="TextureKind.Woven"/>.</summary>
    public TextureKind Texture { get; init; } = TextureKind.Woven;
    /// <summary>Seed of every random choice; equal options give bit-identical datasets. Default 0.</summary>
    public int Seed { get; init; }
    /// <summary>Defect kinds in the test set, in this order. Default: all of <see cref="DefectKind"/>.</summary>
    public IReadOnlyList<DefectKind> DefectKinds { get; init; } = Enum.GetValues<DefectKind>();

    /// <summary>The images these options make, training and test (masks not counted): at most 6 million.</summary>
    public int ImageCount => TrainCount + TestGoodCount + TestDefectCount * (DefectKinds?.Count ?? 0);

    internal void Validate()
    {
        if (ImageSize < MinimumImageSize) throw new ArgumentOutOfRangeException(nameof(ImageSize), ImageSize, $"Synthetic images need at least {MinimumImageSize}x{MinimumImageSize} pixels.");
        if (ImageSize > MaximumImageSize) throw new ArgumentOutOfRangeException(nameof(ImageSize), ImageSize, $"Synthetic images are at most {MaximumImageSize}x{MaximumImageSize} pixels.");
        if (Channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(Channels), Channels, "Channels must be 1 or 3.");
        CheckCount(TrainCount, nameof(TrainCount));
        CheckCount(TestGoodCount, nameof(TestGoodCount));
        CheckCount(TestDefectCount, nameof(TestDefectCount));
        if (!Enum.IsDefined(Texture)) throw new ArgumentOutOfRangeException(nameof(Texture), Texture, "Unknown texture kind.");
        ArgumentNullException.ThrowIfNull(DefectKinds);
        foreach (DefectKind kind in DefectKinds)
            if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(DefectKinds), kind, "Unknown defect kind.");
        if (DefectKinds.Distinct().Count() != DefectKinds.Count)
            throw new ArgumentException("Each defect kind may be listed once, since it names a test folder.", nameof(DefectKinds));
    }

    private static void CheckCount(int count, string name)
    {
        if (count is < 0 or > MaximumCount)
            throw new ArgumentOutOfRangeException(name, count, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Counts must be from 0 to {MaximumCount:N0}."));
    }
}
