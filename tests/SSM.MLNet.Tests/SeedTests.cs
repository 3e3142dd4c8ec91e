using Microsoft.ML;
using Microsoft.ML.Data;
using SSM.Core.Data;

namespace SSM.MLNet.Tests;

/// <summary>
/// Which seed a model is trained with (<see cref="SsmAnomalyDetectionOptions.Seed"/>): the options' if set, else the
/// MLContext's, else 0. The same seed on this machine gives the same network, so the same scores to the last bit.
/// </summary>
public sealed class SeedTests
{
    private const int Size = TinyVectorRow.Size;

    private static readonly SyntheticDataset Images = SyntheticDataset.Generate(new SyntheticDatasetOptions
    {
        ImageSize = Size, TrainCount = 8, TestGoodCount = 2, TestDefectCount = 2, Seed = 5,
    });

    /// <summary>The scores of the test images by a tiny model fitted in <paramref name="context"/>.</summary>
    private static float[] Scores(MLContext context, int? seed)
    {
        var options = FitWarnings.TinyVectorOptions(Size);
        options.Seed = seed;
        using var model = context.Transforms.DetectAnomaliesSsm(options).Fit(Load(context, Images.Train));
        var scored = model.Transform(Load(context, Images.Test.Select(t => t.Image)));
        return scored.GetColumn<float>(options.ScoreColumnName).ToArray();
    }

    private static IDataView Load(MLContext context, IEnumerable<FloatImage> images) =>
        TinyVectorRow.Load(context, images.Select(i => i.Pixels));

    [Fact]
    public void The_MLContext_s_seed_decides_when_the_options_set_none()
    {
        float[] first = Scores(new MLContext(seed: 1), seed: null);
        Assert.Equal(first, Scores(new MLContext(seed: 1), seed: null));
        Assert.NotEqual(first, Scores(new MLContext(seed: 2), seed: null));
    }

    [Fact]
    public void The_options_seed_wins_over_the_MLContext_s()
    {
        float[] first = Scores(new MLContext(seed: 1), seed: 7);
        Assert.Equal(first, Scores(new MLContext(seed: 2), seed: 7));
        Assert.NotEqual(first, Scores(new MLContext(seed: 1), seed: null));
    }

    [Fact]
    public void Without_either_the_seed_is_0()
    {
        float[] unseeded = Scores(new MLContext(), seed: null);
        Assert.Equal(unseeded, Scores(new MLContext(seed: 1), seed: 0));
        Assert.NotEqual(unseeded, Scores(new MLContext(seed: 1), seed: 1));
    }
}
