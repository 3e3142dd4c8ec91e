using SSM.Cli.Models;
using SSM.Cli.Scoring;
using SSM.Core.Data;

namespace SSM.Cli.Tests;

/// <summary>A defect thinner than a model pixel leaves its mask empty at the model's side, and an all-black mask marks nothing:
/// both named, not silently scored as normal.</summary>
public sealed class LostMaskTests
{
    [Fact]
    public void Defective_images_whose_masks_vanish_at_the_models_side_are_named()
    {
        string folder = Cli.TempFolder("lost-masks");
        string Mask(string name, Func<int, int, bool> defect)
        {
            const int side = 64;
            var pixels = new float[side * side];
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++)
                    pixels[y * side + x] = defect(y, x) ? 1f : 0f;
            string path = Path.Combine(folder, name);
            ImageFile.Save(new FloatImage(1, side, side, pixels), path);
            return path;
        }
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
    }
}
