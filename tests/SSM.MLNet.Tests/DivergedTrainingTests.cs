using Microsoft.ML;
using SSM.Core.Data;
using SSM.Core.Training;

namespace SSM.MLNet.Tests;

/// <summary>A training that diverges says so in the words of the options that change it: an ML.NET user sets
/// <c>SsmAnomalyDetectionOptions.LearningRate</c>, not a "learning rate".</summary>
public sealed class DivergedTrainingTests
{
    private const int Size = TinyVectorRow.Size;

    private static IDataView Rows(MLContext context) => TinyVectorRow.Load(context, SyntheticDataset.Generate(new SyntheticDatasetOptions
    {
        ImageSize = Size, TrainCount = 8, TestGoodCount = 0, TestDefectCount = 0, Seed = 5,
    }).Train.Select(i => i.Pixels));

    [Fact]
    public void Fit_and_FineTune_name_their_options_learning_rate_and_seed()
    {
        var context = new MLContext(seed: 1);
        var options = FitWarnings.TinyVectorOptions(Size);
        options.LearningRate = 1e30;
        var diverged = Assert.Throws<TrainingDivergedException>(() => context.Transforms.DetectAnomaliesSsm(options).Fit(Rows(context)));
        Assert.Equal("The training diverged in epoch 1: its loss is NaN, and the network's weights are no longer numbers. " +
                     "A lower SsmAnomalyDetectionOptions.LearningRate (it is 1E+30) trains; so does another SsmAnomalyDetectionOptions.Seed, " +
                     "when the rate is the default.", diverged.Message);
        Assert.Equal((1, double.NaN, 1e30), (diverged.Epoch, diverged.Loss, diverged.LearningRate));
        // The engine's own exception stays inside, for a program that logs the chain.
        Assert.IsType<TrainingDivergedException>(diverged.InnerException);

        options.LearningRate = 1e-3;
        using var model = context.Transforms.DetectAnomaliesSsm(options).Fit(Rows(context));
        var tuning = Assert.Throws<TrainingDivergedException>(() => model.FineTune(Rows(context), new SsmFineTuningOptions { Epochs = 1, LearningRate = 1e30 }));
        Assert.Contains("A lower SsmFineTuningOptions.LearningRate (it is 1E+30) trains; so does another SsmFineTuningOptions.Seed", tuning.Message);
    }
}
