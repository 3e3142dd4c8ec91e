using SSM.Core.Training;
using SSM.Core.Tests.Data;

namespace SSM.Core.Tests.Training;

/// <summary>
/// How a time budget plans a training: after every epoch the epochs still affordable are re-planned from the mean epoch time
/// so far (the first, which also warms up, left out from the second on), the learning-rate schedule is stretched over them,
/// and the last epoch stops where the budget is spent. The clock moves by the steps (<see cref="StepClock"/>), so every
/// figure below is exact on a busy machine as on an idle one.
/// </summary>
public class TimeBudgetTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>A clock that moves only when told to.</summary>
    private sealed class StepClock : TimeProvider
    {
        private long ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => ticks;
        public void Advance(TimeSpan by) => ticks += by.Ticks;
    }

    /// <summary>10 images: 2 held out, 8 trained on in 4 steps of 2 an epoch.</summary>
    private static SsmOptions Options(TimeSpan budget, string? checkpoints = null) => TenImageTraining.Options(
        new TrainingOptions { Epochs = 20, BatchSize = 2, Seed = 9, TimeBudget = budget, CheckpointFolder = checkpoints, CheckpointEvery = 1 });

    private sealed record Run(SsmModel? Model, List<TrainingProgress> Epochs, List<TrainingStep> Steps) : IDisposable
    {
        public void Dispose() => Model?.Dispose();
    }

    /// <summary>Trains with a clock that each step advances by <paramref name="stepCost"/>(epoch from 1); a step that
    /// <paramref name="cancelAt"/> picks cancels the training before the next.</summary>
    private static Run Train(SsmOptions options, Func<int, TimeSpan> stepCost, Func<TrainingStep, bool>? cancelAt = null)
    {
        var clock = new StepClock();
        var (epochs, steps) = (new List<TrainingProgress>(), new List<TrainingStep>());
        using var cancel = new CancellationTokenSource();
        var stepped = new SynchronousProgress<TrainingStep>(s =>
        {
            clock.Advance(stepCost(s.Epoch));
            steps.Add(s);
            if (cancelAt?.Invoke(s) == true) cancel.Cancel();
        });
        try
        {
            var model = SsmTrainer.TrainTimedBy(clock, ImageCaches.For(TenImageTraining.Images, options), options,
                new SynchronousProgress<TrainingProgress>(epochs.Add), cancellation: cancel.Token, steps: stepped);
            return new Run(model, epochs, steps);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return new Run(null, epochs, steps);
        }
    }

    private static void AssertSeconds(double[] expected, IEnumerable<TimeSpan> actual) =>
        Assert.Equal(expected, actual.Select(t => Math.Round(t.TotalSeconds, 3)));

    [Fact]
    public void TheSetupTrainsFourStepsAnEpoch()
    {
        var t = Options(TimeSpan.FromHours(1)).Training;
        Assert.Equal(4, SsmTrainer.StepsPerEpoch(SsmTrainer.Split(TenImageTraining.Images.Count, t).Train.Length, t));
    }

    [Fact]
    public void TheBudgetIsReplannedAfterEveryEpochFromTheMeanEpochTimeSoFarLeavingOutTheFirstOnceASecondHasRun()
    {
        // A slow first epoch (12 s: libtorch warming up, a busy machine), then 4.4 s each, in a budget of 43 s of 20 epochs asked.
        using var run = Train(Options(TimeSpan.FromSeconds(43)), epoch => TimeSpan.FromMilliseconds(epoch == 1 ? 3000 : 1100));

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8], run.Epochs.Select(p => p.Epoch));
        AssertSeconds([12, 16.4, 20.8, 25.2, 29.6, 34, 38.4, 42.8], run.Epochs.Select(p => p.Elapsed));
        // After epoch 1 the mean is its 12 s: 31 s left afford 2 more. From epoch 2 on it is 4.4 s: 26.6 s left afford 6
        // more, 8 in all, as ran. Counting the first epoch (a mean of 8.2 s) planned 5, and stopped at 7 with 4.6 s unused.
        Assert.Equal([3, 8, 8, 8, 8, 8, 8, 8], run.Epochs.Select(p => p.PlannedEpochs));
        AssertSeconds([12, 4.4, 4.4, 4.4, 4.4, 4.4, 4.4, 4.4], run.Epochs.Select(p => p.EpochTime));
        // The time to the last planned epoch at that epoch time; none after the last.
        AssertSeconds([24, 26.4, 22, 17.6, 13.2, 8.8, 4.4, 0], run.Epochs.Select(p => p.Remaining));
        // x0.1 at 60 % and 90 % of the epochs planned when each epoch starts: epoch 6 of 8, then epoch 8 of 8.
        Assert.Equal([1e-3, 1e-3, 1e-3, 1e-3, 1e-3, 1e-4, 1e-4, 1e-5], run.Epochs.Select(p => Math.Round(p.LearningRate, 9)));
        Assert.All(run.Steps.GroupBy(s => s.Epoch), epoch => Assert.Equal(4, epoch.Count()));

        Assert.Equal(8, run.Model!.TrainingSummary!.EpochsRun);
        Assert.Equal(20, run.Model.Options.Training.Epochs);   // the model keeps the cap it was given
    }

    [Fact]
    public void OneSlowEpochAfterTheFirstDoesNotFixThePlan()
    {
        // 4 s epochs in 60 s, the third taking 16 s (a busy machine): the mean of epochs 2 and 3 (10 s) plans 6, where its
        // 16 s alone would plan 5; the next epochs' 4 s bring the plan back up.
        using var run = Train(Options(TimeSpan.FromSeconds(60)), epoch => TimeSpan.FromSeconds(epoch == 3 ? 4 : 1));

        AssertSeconds([4, 8, 24, 28, 32], run.Epochs.Take(5).Select(p => p.Elapsed));
        Assert.Equal([15, 15, 6, 8, 9], run.Epochs.Take(5).Select(p => p.PlannedEpochs));
    }

    [Fact]
    public void ALongerPlanNeverRaisesALearningRateThatHasDecayed()
    {
        // Two epochs of 3 s in 14 s plan 4: epoch 3 starts at 60 % of them (2.4, rounded to 2) and decays. Then 0.8 s an
        // epoch: the plan grows to 6, whose first decay (3.6, rounded to 4) lies after epoch 4 began, and to 8 and on.
        using var run = Train(Options(TimeSpan.FromSeconds(14)), epoch => TimeSpan.FromMilliseconds(epoch <= 2 ? 750 : 200));

        Assert.Equal([4, 4, 6, 8], run.Epochs.Take(4).Select(p => p.PlannedEpochs));
        Assert.Equal([1e-3, 1e-3, 1e-4, 1e-4], run.Epochs.Take(4).Select(p => Math.Round(p.LearningRate, 9)));
    }

    /// <summary>Also a budget that affords more epochs than an int holds, which planned 1 epoch and stopped the training
    /// after it (the epochs it affords overflowed): the longest a TimeSpan holds, a natural "no limit", and the command
    /// line's largest (10,000,000 minutes) over epochs of 0.2 s; and epochs that take no time.</summary>
    [Theory]
    [InlineData(60.0, 1000)]
    [InlineData(double.PositiveInfinity, 1000)]   // TimeSpan.MaxValue
    [InlineData(10_000_000.0, 50)]
    [InlineData(60.0, 0)]                         // epochs that take no time afford all (infinitely many)
    public void ABudgetLargerThanTheTrainingNeedsPlansTheEpochsAsked(double minutes, int stepMilliseconds)
    {
        var budget = double.IsPositiveInfinity(minutes) ? TimeSpan.MaxValue : TimeSpan.FromMinutes(minutes);
        var options = Options(budget);
        using var run = Train(options with { Training = options.Training with { Epochs = 3 } }, _ => TimeSpan.FromMilliseconds(stepMilliseconds));
        Assert.Equal([3, 3, 3], run.Epochs.Select(p => p.PlannedEpochs));
        AssertSeconds([.. new[] { 2, 1, 0 }.Select(left => left * 4 * stepMilliseconds / 1000.0)], run.Epochs.Select(p => p.Remaining));
    }

    /// <summary>Epochs to be stopped by hand (int.MaxValue, no budget) of over 7 minutes each: the time left overflowed a
    /// TimeSpan, and the report after the first epoch threw.</summary>
    [Fact]
    public void TheTimeLeftOfEpochsBeyondCountingIsTheLongestThereIs()
    {
        var options = Options(TimeSpan.FromHours(1));
        options = options with { Training = options.Training with { Epochs = int.MaxValue, TimeBudget = null } };
        using var run = Train(options, _ => TimeSpan.FromSeconds(200), cancelAt: s => s.Epoch == 2);
        Assert.Null(run.Model);   // stopped by hand, not by an overflow
        var epoch = Assert.Single(run.Epochs);
        Assert.Equal((int.MaxValue, TimeSpan.FromSeconds(800), TimeSpan.MaxValue), (epoch.PlannedEpochs, epoch.Elapsed, epoch.Remaining));
    }

    [Fact]
    public void TheLastEpochStopsWhereTheBudgetIsSpent()
    {
        // Epoch 1 takes 4 s of 20, so 5 epochs are planned; then each step takes 7 s. The budget is spent after the third
        // step of epoch 2 (25 s), which ends there: a partial epoch, not a fourth step nor a third epoch.
        using var run = Train(Options(TimeSpan.FromSeconds(20)), epoch => TimeSpan.FromSeconds(epoch == 1 ? 1 : 7));

        Assert.Equal([(1, 1), (1, 2), (1, 3), (1, 4), (2, 1), (2, 2), (2, 3)], run.Steps.Select(s => (s.Epoch, s.Step)));
        Assert.Equal([5, 2], run.Epochs.Select(p => p.PlannedEpochs));
        AssertSeconds([4, 25], run.Epochs.Select(p => p.Elapsed));
        Assert.Equal(TimeSpan.Zero, run.Epochs[^1].Remaining);
        Assert.Equal(2, run.Model!.TrainingSummary!.EpochsRun);
    }

    [Fact]
    public void AContinuedTrainingSpendsWhatIsLeftOfTheBudgetAndEndsAsOneRunInOneGo()
    {
        // 4.8 s an epoch in 22 s: 4 epochs, the third (60 % of 4, rounded) at a tenth of the learning rate. The training is
        // stopped twice: in epoch 2, after its checkpoint of epoch 1, and, continued, in epoch 3, after that of epoch 2.
        string folder = temp.File("checkpoints");
        var options = Options(TimeSpan.FromSeconds(22), folder);
        var step = TimeSpan.FromMilliseconds(1200);
        foreach (var (stopIn, epochsDone) in new[] { (2, new[] { 1 }), (3, new[] { 2 }) })
        {
            using var stopped = Train(options, _ => step, cancelAt: s => s.Epoch == stopIn);
            Assert.Null(stopped.Model);
            Assert.Equal(epochsDone.Select(e => (e, 4)), stopped.Epochs.Select(p => (p.Epoch, p.PlannedEpochs)));
            AssertSeconds([.. epochsDone.Select(e => 4.8 * e)], stopped.Epochs.Select(p => p.Elapsed));
        }

        // Each continued run's clock starts at 0, but its epochs count on from the time its checkpoint kept (9.6 s the last
        // time; were it not, 17.2 s would seem left after epoch 3 and 6 epochs be planned), its schedule from the 4 planned.
        using var continued = Train(options, _ => step);
        Assert.Equal([(3, 4), (4, 4)], continued.Epochs.Select(p => (p.Epoch, p.PlannedEpochs)));
        AssertSeconds([14.4, 19.2], continued.Epochs.Select(p => p.Elapsed));
        Assert.Equal([1e-4, 1e-4], continued.Epochs.Select(p => Math.Round(p.LearningRate, 9)));

        using var inOneGo = Train(Options(TimeSpan.FromSeconds(22)), _ => step);
        Assert.Equal(inOneGo.Epochs.Select(p => (p.Epoch, p.PlannedEpochs, p.Elapsed, p.LearningRate)),
            inOneGo.Epochs.Take(2).Select(p => (p.Epoch, p.PlannedEpochs, p.Elapsed, p.LearningRate))
                .Concat(continued.Epochs.Select(p => (p.Epoch, p.PlannedEpochs, p.Elapsed, p.LearningRate))));
        Assert.Equal(ModelWeights.Of(inOneGo.Model!), ModelWeights.Of(continued.Model!));
    }
}
