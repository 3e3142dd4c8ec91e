using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Losses;
using SSM.Core.Training;

namespace SSM.MLNet.Tests;

/// <summary>A training that restores worse than a flat grey after its first epochs is named, once it can be told from a slow start.</summary>
public sealed class StalledTrainingTests
{
    private static TrainingProgress Epoch(int epoch, int planned, double mse) =>
        new(epoch, planned, new SsmLossParts(0.5, mse, 0.1, 0.3, 0.01), 0.001, TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    private static readonly SsmOptions PerImage = new() { Normalization = InputNormalization.PerImage };

    [Fact]
    public void A_restoration_worse_than_a_flat_grey_after_the_third_epoch_is_named()
    {
        // The walkthrough's stuck seeds: 0.029 from epoch 2 on; the others 0.004.
        var warning = StalledTraining.Warning(PerImage, Epoch(3, 30, 0.029), 23);
        Assert.NotNull(warning);
        Assert.StartsWith("SSM: after epoch 3 the network restores the images worse than a flat grey would (squared error 0.029, a flat grey at most 0.016)", warning);
        Assert.EndsWith("train with another Seed.", warning);
        Assert.Null(StalledTraining.Warning(PerImage, Epoch(3, 30, 0.004), 23));
        Assert.Null(StalledTraining.Warning(PerImage, Epoch(3, 30, 0.018), 23));   // a noise-like texture, restored no better than grey
    }

    [Fact]
    public void Early_epochs_and_other_normalisations_are_not_judged()
    {
        Assert.Null(StalledTraining.Warning(PerImage, Epoch(2, 30, 0.05), 23));        // still falling
        Assert.Null(StalledTraining.Warning(PerImage, Epoch(9, 105, 0.05), 23));       // a tenth of 105 is 10
        Assert.NotNull(StalledTraining.Warning(PerImage, Epoch(10, 105, 0.05), 23));
        Assert.Null(StalledTraining.Warning(PerImage with { Normalization = InputNormalization.None }, Epoch(5, 30, 0.05), 23));   // no bound on its error
    }

    [Fact]
    public void A_small_folder_is_judged_after_as_many_steps_not_epochs()
    {
        // 17 training images in batches of 4: 5 steps an epoch, so 60 steps are 12 epochs.
        Assert.Null(StalledTraining.Warning(PerImage, Epoch(3, 20, 0.029), 5));     // a CLI walkthrough's 17 MTD tiles, still falling
        Assert.Null(StalledTraining.Warning(PerImage, Epoch(11, 20, 0.029), 5));
        Assert.NotNull(StalledTraining.Warning(PerImage, Epoch(12, 20, 0.029), 5));
        // Said after the last epoch, there is nothing left to stop.
        Assert.EndsWith("Train again with another Seed.", StalledTraining.Warning(PerImage, Epoch(3, 3, 0.029), 23));
        Assert.EndsWith("Stop it and train with another Seed.", StalledTraining.Warning(PerImage, Epoch(3, 30, 0.029), 23));
    }
}
