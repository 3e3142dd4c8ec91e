using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Losses;
using SSM.Core.Training;

namespace SSM.MLNet.Tests;

public sealed class ShortTimeBudgetTests
{
    private static TrainingProgress AfterEpoch(int epoch, int planned) =>
        new(epoch, planned, new SsmLossParts(), 1e-3, TimeSpan.FromSeconds(163 * epoch), TimeSpan.Zero, TimeSpan.FromSeconds(163));

    /// <summary>A walkthrough's 256 px training got 4 of 105 epochs from its budget without a word.</summary>
    [Fact]
    public void A_budget_affording_under_a_quarter_of_the_epochs_is_warned_of_after_the_second_epoch_only()
    {
        var budget = new SsmOptions { Training = new TrainingOptions { TimeBudget = TimeSpan.FromMinutes(12) } };

        string warning = ShortTimeBudget.Warning(budget, 105, AfterEpoch(2, 4))!;

        Assert.Equal("SSM: the time budget (12 min) affords about 4 of 105 epochs (163 s per epoch): a model trained this briefly finds much less. " +
                     "Give more time (TrainingTime), a smaller ImageSize, or fewer training images.", warning);
        // Not after the first, which also warms up and planned too few: "7 of 70" to a walkthrough that ran 14.
        Assert.Null(ShortTimeBudget.Warning(budget, 105, AfterEpoch(1, 4)));
        Assert.Null(ShortTimeBudget.Warning(budget, 105, AfterEpoch(3, 4)));     // once
        Assert.Null(ShortTimeBudget.Warning(budget, 105, AfterEpoch(2, 27)));    // a quarter or more: enough to say nothing
        Assert.Null(ShortTimeBudget.Warning(new SsmOptions(), 105, AfterEpoch(2, 4)));   // no budget: planned epochs are the user's
        // A run the budget ends after its first epoch is told then, as there is no second.
        Assert.Contains("affords about 1 of 105 epochs", ShortTimeBudget.Warning(budget, 105, AfterEpoch(1, 1)));
        // Under a minute, in seconds as the run's first line says it (a budget of 1.2 s was "0.02 min" here, "1.2 s" there),
        // and an epoch under a second is not "0 s".
        var seconds = new SsmOptions { Training = new TrainingOptions { TimeBudget = TimeSpan.FromSeconds(1.2) } };
        var fast = new TrainingProgress(2, 4, new SsmLossParts(), 1e-3, TimeSpan.FromSeconds(0.7), TimeSpan.Zero, TimeSpan.FromSeconds(0.3));
        Assert.StartsWith("SSM: the time budget (1.2 s) affords about 4 of 105 epochs (0.3 s per epoch): ", ShortTimeBudget.Warning(seconds, 105, fast));
    }

    /// <summary>The run's first line says the budget in minutes, as the warning does, and under a minute in seconds. A
    /// TimeSpan's own text said "00:00:01.2000000", and the longest budget "10675199.02:48:05.4775807".</summary>
    [Fact]
    public void The_first_line_says_the_budget_in_minutes_or_seconds()
    {
        Assert.Equal("", TrainingLog.OrBudget(null));
        Assert.Equal(" or 12 min", TrainingLog.OrBudget(TimeSpan.FromMinutes(12)));
        Assert.Equal(" or 1 min", TrainingLog.OrBudget(TimeSpan.FromMinutes(1)));
        Assert.Equal(" or 1.2 s", TrainingLog.OrBudget(TimeSpan.FromSeconds(1.2)));
        Assert.Equal(" or 15372286728.09 min", TrainingLog.OrBudget(TimeSpan.MaxValue));
    }

    /// <summary>A budget is judged against the epochs asked, at most the default: a run asked for int.MaxValue epochs, to be
    /// ended by its budget, was told that 105 were "about 105 of 2147483647" and "trained this briefly".</summary>
    [Fact]
    public void A_budget_is_judged_against_the_epochs_asked_at_most_the_default()
    {
        var cpu = TorchSharp.torch.CPU;
        int defaultEpochs = new SsmOptions().EpochsOn(cpu);
        SsmOptions Asked(int? epochs, TileGrid? tiles = null) => new() { Tiles = tiles, Training = new TrainingOptions { Epochs = epochs, TimeBudget = TimeSpan.FromMinutes(30) } };

        Assert.Equal(defaultEpochs, TrainingLog.EpochsToJudgeBy(Asked(null), cpu, fineTuning: false));
        Assert.Equal(defaultEpochs, TrainingLog.EpochsToJudgeBy(Asked(int.MaxValue), cpu, fineTuning: false));
        Assert.Equal(20, TrainingLog.EpochsToJudgeBy(Asked(20), cpu, fineTuning: false));
        Assert.Equal(Asked(null, new TileGrid(8, 1)).PerTile(defaultEpochs), TrainingLog.EpochsToJudgeBy(Asked(int.MaxValue, new TileGrid(8, 1)), cpu, fineTuning: false));
        Assert.Equal(SsmTrainer.FineTuningEpochs, TrainingLog.EpochsToJudgeBy(Asked(1000), cpu, fineTuning: true));
        Assert.Equal(4, TrainingLog.EpochsToJudgeBy(Asked(4), cpu, fineTuning: true));

        // So a quarter of the default planned, of int.MaxValue asked, is not warned of; 2 are, as 2 of the default.
        var unlimited = Asked(int.MaxValue);
        int judgeBy = TrainingLog.EpochsToJudgeBy(unlimited, cpu, fineTuning: false);
        Assert.Null(ShortTimeBudget.Warning(unlimited, judgeBy, AfterEpoch(2, (int)Math.Ceiling(ShortTimeBudget.Share * defaultEpochs))));
        Assert.Contains($"affords about 2 of {defaultEpochs} epochs", ShortTimeBudget.Warning(unlimited, judgeBy, AfterEpoch(2, 2)));
    }
}
