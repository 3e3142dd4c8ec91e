namespace SSM.Cli.Training;

/// <summary>
/// The plain progress lines within an epoch, for redirected output (logs, CI, pipes), where no bar moves: one at most every
/// <see cref="Every"/>, so that an epoch of minutes is not silent. With tiles an epoch goes over every tile: 16 x 2
/// overlapping tiles of 36 strips took one silent epoch of 3 min 25 s, and a larger folder takes hours.
/// </summary>
/// <param name="every">The least time between two lines (an epoch's own line counts as one).</param>
public sealed class StepLines(TimeSpan every)
{
    /// <summary>One minute: as often as a log reader needs to see that training goes on.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromMinutes(1);

    private TimeSpan? last;      // when the last line was written, or training's first step
    private TimeSpan firstStep;
    private double firstDone = double.NaN;

    /// <summary>The line to write for a step reported at <paramref name="now"/> (time since any fixed start), or null when
    /// one was written less than <c>every</c> ago. "epoch 1/3: step 400 of 837, ETA 02:15": the time left is measured
    /// from the first step seen, so reading the images does not count.</summary>
    public string? Step(int epoch, int plannedEpochs, int step, int steps, TimeSpan now)
    {
        double done = (epoch - 1 + (double)step / steps) / plannedEpochs;
        if (last is null)
        {
            (last, firstStep, firstDone) = (now, now, done);
            return null;
        }
        if (now - last < every) return null;
        last = now;
        string eta = done > firstDone ? $", ETA {Core.Training.TrainingProgress.Clock((now - firstStep) * ((1 - done) / (done - firstDone)))}" : "";
        return $"epoch {epoch}/{plannedEpochs}: step {step} of {steps}{eta}";
    }

    /// <summary>An epoch's line was written at <paramref name="now"/>: the next step line waits <c>every</c> from it.</summary>
    public void Written(TimeSpan now) => last = now;
}
