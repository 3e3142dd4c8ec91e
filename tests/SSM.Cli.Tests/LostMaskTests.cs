using SSM.Cli.Models;
using SSM.Cli.Scoring;
using SSM.Core.Data;

namespace SSM.Cli.Tests;

/// <summary>A defect thinner than a model pixel leaves its mask empty at the model's side, and an all-black mask marks nothing:
/// both named, not silently scored as normal.</summary>
[Collection("cli")]
public sealed class LostMaskTests(TrainedModelFixture fx)
{
    /// <summary>Writes a 64 x 64 mask, white where <paramref name="defect"/> (row, column) holds.</summary>
    private static string WriteMask(string path, Func<int, int, bool> defect)
    {
        const int side = 64;
        var pixels = new float[side * side];
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
                pixels[y * side + x] = defect(y, x) ? 1f : 0f;
        ImageFile.Save(new FloatImage(1, side, side, pixels), path);
        return path;
    }

    [Fact]
    public void Defective_images_whose_masks_vanish_at_the_models_side_are_named()
    {
        string folder = Cli.TempFolder("lost-masks");
        string Mask(string name, Func<int, int, bool> defect) => WriteMask(Path.Combine(folder, name), defect);
        // At 32 x 32 nearest sampling keeps the odd rows (each output pixel's centre): a one-pixel line on row 32 vanishes, a 4 x 4 blob stays.
        MvtecTestItem[] items =
        [
            new("good.png", "good", null),
            new("thin.png", "scratch", Mask("thin_mask.png", (y, x) => y == 32 && x > 10 && x < 50)),
            new("blob.png", "spot", Mask("blob_mask.png", (y, x) => y is >= 20 and < 24 && x is >= 20 and < 24)),
            new("blank.png", "spot", Mask("blank_mask.png", (_, _) => false)),
        ];
        ScoredImage[] scored = [.. items.Select((item, i) => new ScoredImage(item.Path, i, i >= 1, new float[32 * 32], 32, 32))];
        var result = EvaluationResult.Compute(items, scored, threshold: 1f);
        Assert.Equal(["thin.png"], result.MasksLostAtModelSize);
        Assert.Equal(["blank.png"], result.MasksMarkingNothing);
        Assert.DoesNotContain(true, result.Images[1].Mask!);
        Assert.Contains(true, result.Images[2].Mask!);
        Assert.Contains(TestSetRun.Rows(result), r => r.Item1 == "empty masks" && r.Item2.Contains("spot/blank.png"));
        Assert.Contains(TestSetRun.Rows(result), r => r.Item1 == "masks lost" && r.Item2.StartsWith("1 defective image(s)", StringComparison.Ordinal) && r.Item2.Contains("scratch/thin.png"));
    }

    /// <summary>evaluate warns of a single lost mask and a single empty one as of several: one image whose pixels the
    /// metrics count as normal is already one to know of.</summary>
    [Fact]
    public void Evaluate_warns_of_one_lost_mask_and_one_empty_mask()
    {
        // Generated at 64 px and scored by the 32 px model: a one-pixel line on row 32 vanishes at its side.
        string data = Path.Combine(Cli.TempFolder("lost-one"), "data");
        var generated = Cli.Run("generate", "--image-size", "64", "--train-count", "4", "--test-good", "1", "--test-defect", "1", "--seed", "4", "-o", data);
        Assert.True(generated.Code == 0, generated.Output);
        string[] masks = [.. Directory.GetFiles(Path.Combine(data, "ground_truth"), "*.png", SearchOption.AllDirectories).Order()];
        Assert.True(masks.Length >= 3, string.Join(", ", masks));
        WriteMask(masks[0], (y, x) => y == 32 && x > 10 && x < 50);
        WriteMask(masks[1], (_, _) => false);
        var (code, text, errors) = Cli.RunSplit("evaluate", fx.Model, data, "-o", Path.Combine(Path.GetDirectoryName(data)!, "out"));
        Assert.True(code == 0, text + errors);
        Assert.Contains($"1 of {masks.Length} defective test images keep no defect pixel in their mask", Cli.Flat(errors));
        Assert.Contains($"1 of {masks.Length} defective test images have a mask that marks no pixel", Cli.Flat(errors));
    }
}
