namespace SSM.Core.Training;

/// <summary>
/// Step learning-rate schedule: x0.1 at fixed fractions of the run (the authors: epochs 15, 30, 45 of 50),
/// so the shape stays the same whatever the number of epochs.
/// </summary>
internal sealed class StepSchedule
{
    private readonly double baseRate;
    private readonly double[] decayAt;

    /// <param name="baseRate">The learning rate until the first decay.</param>
    /// <param name="decayAt">Fractions of <paramref name="plannedEpochs"/> at which the rate is multiplied by 0.1.</param>
    /// <param name="plannedEpochs">Epochs the run is planned for.</param>
    public StepSchedule(double baseRate, double[] decayAt, int plannedEpochs)
    {
        this.baseRate = baseRate;
        this.decayAt = decayAt;
        PlannedEpochs = plannedEpochs;
    }

    /// <summary>Epochs the schedule is stretched over; lowered when a time budget cuts the run short.</summary>
    public int PlannedEpochs { get; set; }

    /// <summary>Learning rate for the 0-based <paramref name="epoch"/>.</summary>
    public double RateAt(int epoch)
    {
        int decays = decayAt.Count(f => epoch >= (int)Math.Round(f * PlannedEpochs));
        return baseRate * Math.Pow(0.1, decays);
    }
}
