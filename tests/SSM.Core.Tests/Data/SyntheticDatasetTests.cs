using SSM.Core.Data;
using SSM.Core.Data.Synthesis;

namespace SSM.Core.Tests.Data;

public class SyntheticDatasetTests
{
    private static readonly SyntheticDataset Defaults = SyntheticDataset.Generate(new SyntheticDatasetOptions());

    [Fact]
    public void Defaults_have_the_documented_counts_and_categories()
    {
        Assert.Equal(60, Defaults.Train.Count);
        Assert.Equal(20 + 4 * 8, Defaults.Test.Count);
        Assert.Equal(["good", "scratch", "spot", "hole", "colour_change"], Defaults.Test.Select(t => t.Category).Distinct());
        Assert.All(Defaults.Train, image => Assert.Equal((1, 64, 64), (image.Channels, image.Height, image.Width)));
        Assert.Equal("good/000", Defaults.Test[0].Name);
        Assert.Equal("colour_change/007", Defaults.Test[^1].Name);
    }

    [Fact]
    public void Same_options_give_bit_identical_datasets()
    {
        var options = new SyntheticDatasetOptions { Channels = 3, ImageSize = 32, TrainCount = 5, TestGoodCount = 2, TestDefectCount = 2, Seed = 42 };
        SyntheticDataset a = SyntheticDataset.Generate(options), b = SyntheticDataset.Generate(options);

        for (int i = 0; i < a.Train.Count; i++) Assert.Equal(a.Train[i].Pixels, b.Train[i].Pixels);
        for (int i = 0; i < a.Test.Count; i++)
        {
            Assert.Equal(a.Test[i].Name, b.Test[i].Name);
            Assert.Equal(a.Test[i].Image.Pixels, b.Test[i].Image.Pixels);
            Assert.Equal(a.Test[i].Mask?.Pixels, b.Test[i].Mask?.Pixels);
        }
    }

    [Fact]
    public void Different_seeds_and_different_indices_give_different_images()
    {
        SyntheticDataset other = SyntheticDataset.Generate(new SyntheticDatasetOptions { Seed = 1 });

        Assert.NotEqual(Defaults.Train[0].Pixels, other.Train[0].Pixels);
        Assert.NotEqual(Defaults.Train[0].Pixels, Defaults.Train[1].Pixels);
        Assert.NotEqual(Defaults.Train[0].Pixels, Defaults.Test[0].Image.Pixels);
    }

    [Fact]
    public void Changing_one_count_leaves_the_other_images_unchanged()
    {
        SyntheticDataset fewer = SyntheticDataset.Generate(new SyntheticDatasetOptions { TrainCount = 3 });

        Assert.Equal(Defaults.Train[2].Pixels, fewer.Train[2].Pixels);
        Assert.Equal(Defaults.Test[^1].Image.Pixels, fewer.Test[^1].Image.Pixels);
    }

    [Fact]
    public void Only_defective_images_have_masks_and_they_are_non_empty_and_binary()
    {
        foreach (LabeledImage item in Defaults.Test)
        {
            Assert.Equal(item.Category != "good", item.IsAnomalous);
            if (!item.IsAnomalous) { Assert.Null(item.Mask); continue; }
            Assert.NotNull(item.Mask);
            Assert.Equal((1, 64, 64), (item.Mask.Channels, item.Mask.Height, item.Mask.Width));
            Assert.All(item.Mask.Pixels, v => Assert.True(v is 0f or 1f));
            Assert.True(item.Mask.Pixels.Count(v => v == 1f) >= 6, $"{item.Name} has an (almost) empty mask.");
        }
    }

    [Theory]
    [CombinatorialDefects]
    public void Mask_marks_exactly_the_changed_pixels(TextureKind texture, DefectKind defect, int channels)
    {
        var rng = new Random(7);
        FloatImage normal = TextureSynthesizer.Render(texture, 48, channels, rng);
        (FloatImage image, FloatImage mask) = DefectPainter.Paint(normal, defect, rng);

        int plane = 48 * 48, changed = 0;
        for (int i = 0; i < plane; i++)
        {
            float largest = 0f;
            for (int c = 0; c < channels; c++)
                largest = Math.Max(largest, MathF.Abs(image.Pixels[c * plane + i] - normal.Pixels[c * plane + i]));
            bool isChanged = largest > DefectPainter.ChangeThreshold;
            Assert.Equal(isChanged ? 1f : 0f, mask.Pixels[i]);
            if (!isChanged) Assert.Equal(0f, largest); // nothing outside the mask differs at all
            changed += isChanged ? 1 : 0;
        }
        Assert.True(changed > 0);
    }

    [Theory]
    [CombinatorialDefects]
    public void Every_texture_defect_and_channel_count_gives_valid_images(TextureKind texture, DefectKind defect, int channels)
    {
        var options = new SyntheticDatasetOptions
        {
            Texture = texture, Channels = channels, ImageSize = 40, TrainCount = 2, TestGoodCount = 1, TestDefectCount = 2,
            DefectKinds = [defect], Seed = 5,
        };
        SyntheticDataset dataset = SyntheticDataset.Generate(options);

        Assert.Equal(2, dataset.Train.Count);
        Assert.Equal(3, dataset.Test.Count);
        foreach (FloatImage image in dataset.Train.Concat(dataset.Test.Select(t => t.Image)))
        {
            Assert.Equal((channels, 40, 40), (image.Channels, image.Height, image.Width));
            Assert.All(image.Pixels, v => Assert.InRange(v, 0f, 1f));
            Assert.True(StandardDeviation(image.Pixels) > 0.03, "A texture should not be flat.");
        }
        Assert.All(dataset.Test.Where(t => t.IsAnomalous), t =>
        {
            Assert.Equal(defect.CategoryName(), t.Category);
            Assert.Contains(1f, t.Mask!.Pixels);
        });
    }

    [Fact]
    public void Defects_are_not_separable_by_mean_brightness_alone()
    {
        double[] goodMeans = [.. Defaults.Test.Where(t => !t.IsAnomalous).Select(t => (double)t.Image.Pixels.Average())];
        double lo = goodMeans.Min(), hi = goodMeans.Max();
        double[] defectMeans = [.. Defaults.Test.Where(t => t.IsAnomalous).Select(t => (double)t.Image.Pixels.Average())];

        int inside = defectMeans.Count(m => m >= lo && m <= hi);

        Assert.True(inside >= defectMeans.Length * 3 / 4, $"Only {inside} of {defectMeans.Length} defect means lie in the good range [{lo:F3}, {hi:F3}].");
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDataset.Generate(new SyntheticDatasetOptions { Channels = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = 8 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDataset.Generate(new SyntheticDatasetOptions { TrainCount = -1 }));
        Assert.Throws<ArgumentException>(() => SyntheticDataset.Generate(new SyntheticDatasetOptions { DefectKinds = [DefectKind.Hole, DefectKind.Hole] }));
    }

    [Fact]
    public void Category_names_are_snake_case()
    {
        Assert.Equal("scratch", DefectKind.Scratch.CategoryName());
        Assert.Equal("spot", DefectKind.Spot.CategoryName());
        Assert.Equal("hole", DefectKind.Hole.CategoryName());
        Assert.Equal("colour_change", DefectKind.ColourChange.CategoryName());
    }

    private static double StandardDeviation(float[] values)
    {
        double mean = values.Average();
        return Math.Sqrt(values.Average(v => (v - mean) * (v - mean)));
    }

    /// <summary>Every texture x defect kind x channel count.</summary>
    private sealed class CombinatorialDefectsAttribute : Xunit.Sdk.DataAttribute
    {
        public override IEnumerable<object[]> GetData(System.Reflection.MethodInfo testMethod) =>
            from texture in Enum.GetValues<TextureKind>()
            from defect in Enum.GetValues<DefectKind>()
            from channels in new[] { 1, 3 }
            select new object[] { texture, defect, channels };
    }
}
