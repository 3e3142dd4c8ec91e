using SSM.Core.Training;

namespace SSM.Core.Tests.Training;

/// <summary>
/// What training draws at random changes what it learns: every cell size asked is drawn, and flips and quarter turns are
/// applied when asked. Each comparison trains the same seed for one epoch of 4 steps; a draw that changed nothing leaves
/// the weights equal. Before these tests, a trainer that never flipped, never turned, or always drew the first cell size
/// passed every test.
/// </summary>
public class TrainingDrawsTests
{
    // Seed 4 draws the cell sizes [2, 4] as 2, 2, 4, 4 (seed 3 drew 2 four times, which a test cannot tell from 2 alone).
    private static readonly TrainingOptions OneEpoch = new() { Epochs = 1, BatchSize = 2, Seed = 4 };

    private static float[] WeightsAfter(TrainingOptions training, params int[] cellSizes)
    {
        using var model = SsmTrainer.Train(TenImageTraining.Images, TenImageTraining.Options(training, new MaskingOptions { CellSizes = cellSizes }));
        return ModelWeights.Of(model);
    }

    [Fact]
    public void EveryCellSizeAskedIsDrawn()
    {
        var both = WeightsAfter(OneEpoch, 2, 4);
        Assert.Equal(both, WeightsAfter(OneEpoch, 2, 4));   // the same seed draws the same: a difference below is a draw's
        // The draw of a size takes one number whatever the sizes' count, so a run that drew only 2 equals the run given 2 alone.
        Assert.NotEqual(WeightsAfter(OneEpoch, 2), both);
        Assert.NotEqual(WeightsAfter(OneEpoch, 4), both);
    }

    [Fact]
    public void FlipsAndQuarterTurnsAreAppliedWhenAsked()
    {
        // One cell size: the sizes' draws cannot differ, only the images.
        var plain = WeightsAfter(OneEpoch, 4);
        var flipped = WeightsAfter(OneEpoch with { Flip = true }, 4);
        Assert.Equal(plain, WeightsAfter(OneEpoch, 4));
        Assert.NotEqual(plain, flipped);
        Assert.NotEqual(plain, WeightsAfter(OneEpoch with { Rotate = true }, 4));
        Assert.NotEqual(flipped, WeightsAfter(OneEpoch with { Flip = true, Rotate = true }, 4));
    }
}
