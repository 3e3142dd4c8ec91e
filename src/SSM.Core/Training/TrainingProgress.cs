using SSM.Core.Losses;

namespace SSM.Core.Training;

/// <summary>Reported after every epoch.</summary>
/// <param name="Epoch">Epochs finished (1-based).</param>
/// <param name="PlannedEpochs">Epochs the run expects to finish (fewer than asked when the time budget binds).</param>
/// <param name="Loss">Mean loss terms over the epoch.</param>
/// <param name="LearningRate">Learning rate used in the epoch.</param>
/// <param name="Elapsed">Time since training started.</param>
/// <param name="Remaining">Estimated time to the last planned epoch.</param>
/// <param name="EpochTime">The time an epoch takes, as the plan estimates it: the mean of the run's epochs, its first (which
/// also warms up) left out from the second on.</param>
public sealed record TrainingProgress(int Epoch, int PlannedEpochs, SsmLossParts Loss, double LearningRate, TimeSpan Elapsed, TimeSpan Remaining,
    TimeSpan EpochTime)
{
    /// <summary>"mm:ss" under an hour, "h:mm:ss" from an hour on: runs on slow or busy machines take hours.</summary>
    public static string Clock(TimeSpan t) => t >= TimeSpan.FromHours(1)
        ? $"{(int)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}"
        : $"{t.Minutes:00}:{t.Seconds:00}";
}

/// <summary>Reported after each training step (one batch), for progress within an epoch: a first epoch on large images
/// can take minutes before the first <see cref="TrainingProgress"/>.</summary>
/// <param name="Epoch">The epoch running, from 1.</param>
/// <param name="PlannedEpochs">Epochs the run is planned for.</param>
/// <param name="Step">Steps done in this epoch, from 1.</param>
/// <param name="Steps">Steps in an epoch.</param>
public sealed record TrainingStep(int Epoch, int PlannedEpochs, int Step, int Steps);

/// <summary>Reported while the model is calibrated on held-out normal images after training.</summary>
public sealed record CalibrationProgress(int ImagesScored, int TotalImages);
