using SSM.Core.Data;
using SSM.Core.Network;

namespace SSM.Core.Tests.Training;

/// <summary>The smallest training whose steps and draws a test can follow: 10 generated 16 px images (2 held out, 8
/// trained on) and a network of width 4 and depth 3. Shared, so that the tests of the time budget and of the trainer's
/// random draws train the same images.</summary>
internal static class TenImageTraining
{
    public static readonly IReadOnlyList<FloatImage> Images =
        SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = 16, TrainCount = 10, TestGoodCount = 1, TestDefectCount = 1, Seed = 5 }).Train;

    public static SsmOptions Options(TrainingOptions training, MaskingOptions? masking = null) => new()
    {
        ImageSize = 16,
        Network = new InpaintingNetworkOptions { BaseWidth = 4, Depth = 3 },
        Masking = masking ?? new MaskingOptions(),
        Training = training,
    };
}
