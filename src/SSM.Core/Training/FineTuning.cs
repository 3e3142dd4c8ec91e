namespace SSM.Core.Training;

/// <summary>
/// One fine-tuning of a trained model's network on other normal images (<see cref="SsmTrainer.FineTune"/>), saved with the
/// model after its <see cref="SsmModel.TrainingSummary"/>: the settings it trained with and what it did. The model's
/// <see cref="SsmModel.Options"/> stay those of its first training, whose network it goes on from.
/// </summary>
/// <param name="Training">Its training settings (epochs, learning rate, seed, batch size, held-out share, augmentation).</param>
/// <param name="Summary">Its epochs, final loss, and the images it trained on and calibrated on.</param>
public sealed record FineTuning(TrainingOptions Training, TrainingSummary Summary);
