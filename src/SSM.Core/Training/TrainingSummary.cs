namespace SSM.Core.Training;

/// <summary>
/// What a model's training did, saved with the model (null for models saved before 2026-12-01): the epochs that ran,
/// fewer than <see cref="TrainingOptions.Epochs"/> when a <see cref="TrainingOptions.TimeBudget"/> stopped the training
/// (the last one may be partial), the last epoch's loss, and how many images trained the network and calibrated it.
/// Nothing in it depends on the clock, so a seed still gives the same model file.
/// </summary>
/// <param name="EpochsRun">The number of the last epoch that ran.</param>
/// <param name="FinalLoss">The last epoch's mean loss; null when a run resumed a checkpoint written after its last epoch
/// by a version that did not record the loss.</param>
/// <param name="NetworkImages">The images the network was trained on.</param>
/// <param name="HeldOutImages">The images held out of that to calibrate the scores (<see cref="TrainingOptions.HoldoutFraction"/>).</param>
public sealed record TrainingSummary(int EpochsRun, double? FinalLoss, int NetworkImages, int HeldOutImages)
{
    /// <summary>All the images the training was given: <see cref="NetworkImages"/> and <see cref="HeldOutImages"/>.</summary>
    public int TrainingImages => NetworkImages + HeldOutImages;
}
