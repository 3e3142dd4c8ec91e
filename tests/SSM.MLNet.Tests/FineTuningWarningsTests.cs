using System.Text.RegularExpressions;
using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Losses;
using SSM.Core.Training;

namespace SSM.MLNet.Tests;

/// <summary>A fine-tuning cannot change the model's image size, tiles or width: the warnings it shares with <c>Fit</c> advise
/// what it can change (<see cref="SsmFineTuningOptions"/>), or a new model, never a fine-tuning option that does not exist.</summary>
public sealed class FineTuningWarningsTests
{
    private static readonly SsmOptions Budgeted = new()
    {
        Normalization = InputNormalization.PerImage, ImageSize = 1024,
        Training = new TrainingOptions { TimeBudget = TimeSpan.FromMinutes(2) },
    };

    private static TrainingProgress Epoch(int epoch, int planned, double mse) =>
        new(epoch, planned, new SsmLossParts(0.5, mse, 0.1, 0.3, 0.01), 1e-3, TimeSpan.FromSeconds(60 * epoch), TimeSpan.Zero, TimeSpan.FromSeconds(60));

    /// <summary>Each warning as a training and as a fine-tuning says it.</summary>
    private static IEnumerable<(string Training, string FineTuning)> Warnings()
    {
        long estimate = TrainingMemory.EstimateBytes(Budgeted, bfloat16: true);
        (int, int)[] strips = [(2048, 256)];
        yield return (ResizeWarnings.Shrinking(strips, TileGrid.Whole, 64)!, ResizeWarnings.Shrinking(strips, TileGrid.Whole, 64, fineTuning: true)!);
        yield return (ResizeWarnings.Squashing(strips, TileGrid.Whole, 64)!, ResizeWarnings.Squashing(strips, TileGrid.Whole, 64, fineTuning: true)!);
        yield return (ShortTimeBudget.Warning(Budgeted, 10, Epoch(2, 2, 0.004))!, ShortTimeBudget.Warning(Budgeted, 10, Epoch(2, 2, 0.004), fineTuning: true)!);
        yield return (StalledTraining.Warning(Budgeted, Epoch(3, 10, 0.029), 23)!, StalledTraining.Warning(Budgeted, Epoch(3, 10, 0.029), 23, fineTuning: true)!);
        yield return (SSM.MLNet.FitWarnings.Memory(Budgeted, estimate, estimate / 2)!, SSM.MLNet.FitWarnings.Memory(Budgeted, estimate, estimate / 2, fineTuning: true)!);
        var paths = new SsmInput("ImagePath", SsmInputKind.Path, 1, 0, 0, 1f);
        yield return (ColourReadAsGrey.Warning(paths), ColourReadAsGrey.Warning(paths, fineTuning: true));
    }

    [Fact]
    public void A_fine_tuning_is_advised_only_options_it_has_or_a_new_model()
    {
        var trainingOptions = typeof(SsmAnomalyDetectionOptions).GetProperties().Select(p => p.Name).ToHashSet();
        var fineTuningOptions = typeof(SsmFineTuningOptions).GetProperties().Select(p => p.Name).ToHashSet();
        foreach (var (training, fineTuning) in Warnings())
        {
            Assert.NotEqual(training, fineTuning);
            var named = Regex.Matches(fineTuning, @"\b[A-Z][a-zA-Z]+\b").Select(m => m.Value).Where(trainingOptions.Contains).ToList();
            foreach (string option in named.Where(o => !fineTuningOptions.Contains(o)))
                Assert.Contains("new model", fineTuning);   // ImageSize and Tiles only for a model trained anew
        }
    }

    [Fact]
    public void Each_warning_says_what_a_fine_tuning_can_do_instead()
    {
        var w = Warnings().Select(p => p.FineTuning).ToArray();
        Assert.EndsWith("The model reads images so since its training: for small defects train a new model with a larger ImageSize or with Tiles.", w[0]);
        Assert.EndsWith("A new model with Tiles = new TileGrid(8, 1) keeps their proportions.", w[1]);
        Assert.EndsWith("Give more time (TrainingTime) or fewer images.", w[2]);
        Assert.EndsWith("this fine-tuning has undone what the network had learnt and its model will find little. Stop it and fine-tune from a lower LearningRate.", w[3]);
        Assert.StartsWith("SSM: fine-tuning at 1024x1024", w[4]);
        Assert.Contains("A smaller BatchSize needs less", w[4]);
        Assert.DoesNotContain("ImageSize", w[4]);
        Assert.EndsWith("the model reads grey since its training: it reads them by their luminance, so a defect of colour alone will be invisible to it. " +
                        "A new model with Channels = 3 reads colour.", w[5]);
    }
}
