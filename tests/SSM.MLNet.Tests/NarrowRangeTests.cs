using Microsoft.ML;
using Microsoft.ML.Data;

namespace SSM.MLNet.Tests;

/// <summary>
/// Data of a narrow value range, as 16-bit scans give: training must see the detail scoring sees. With training images
/// kept at 8 bits, a texture 200 levels of 65535 wide trained as flat images, and the model flagged 14 of its own 16
/// training images (this test, with the cache at 8 bits). With each image's standard deviation floored at one 8-bit
/// level, the texture stayed nearly unstretched and the patch below scored about -8, under every training image
/// (SsmOptions.NormalizationStdFloor). The threshold comes from the spread of two held-out images' scores, so how many
/// training images pass it varies by machine: at most 2 of 16 on the Zen 5 EPYC, 5 on the Zen 4 (scores up to 8.3, the
/// patch 21.7; 2026-12-03). The patch's rank above every training image does not depend on it. The cache's 16-bit levels
/// are also checked on their own (SixteenBitTests).
/// </summary>
public sealed class NarrowRangeTests
{
    private const int Size = 32;

    private sealed class VectorRow
    {
        [VectorType(Size * Size)] public float[] Pixels { get; set; } = [];
    }

    [Fact]
    public void A_model_trained_on_a_narrow_value_range_finds_its_own_training_images_normal_and_a_patch_anomalous()
    {
        const float low = 30000 / 65535f, high = 30200 / 65535f;
        var rows = Enumerable.Range(0, 16).Select(k => new VectorRow
        {
            Pixels = [.. Enumerable.Range(0, Size * Size).Select(i =>
            {
                double t = (Math.Sin(i % Size * 0.7 + k * 0.1) * Math.Cos(i / Size * 0.5) + 1) / 2;
                return (float)(low + t * (high - low));
            })],
        }).ToList();
        var context = new MLContext(seed: 1);
        var data = context.Data.LoadFromEnumerable(rows);
        using var model = context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions
        {
            InputColumnName = nameof(VectorRow.Pixels), VectorWidth = Size, VectorHeight = Size, ImageSize = Size,
            Epochs = 3,
        }).Fit(data);

        var flagged = model.Transform(data).GetColumn<bool>("PredictedLabel").Count(f => f);

        Assert.True(flagged < 8, $"{flagged} of its 16 training images flagged");
        // And it sees a defect on that scale: an 8 x 8 patch one range-width above the texture, which a model blind to
        // the detail (or flagging nothing) would pass as normal.
        var defective = new VectorRow { Pixels = [.. rows[0].Pixels] };
        for (int y = 12; y < 20; y++)
            for (int x = 12; x < 20; x++) defective.Pixels[y * Size + x] = high + (high - low);
        var verdict = model.Transform(context.Data.LoadFromEnumerable(new[] { defective }));
        Assert.True(verdict.GetColumn<bool>("PredictedLabel").Single(), "the defective image was not flagged");
        float patch = verdict.GetColumn<float>("Score").Single(), highest = model.Transform(data).GetColumn<float>("Score").Max();
        Assert.True(patch > highest, $"the defective image scored {patch}, a training image {highest}");
    }
}
