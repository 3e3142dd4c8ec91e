using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Training;

namespace SSM.MLNet;

/// <summary>
/// Fit's warning for a training stuck in a poor start. Normalised per image, an image's values lie within 1/8 of 0.5 per
/// standard deviation, so a flat grey at its mean restores it with a squared error of at most 1/64. A network well above
/// that after its first epochs has learnt where edges are but not which side is bright: the gradient-magnitude and SSIM
/// terms of the loss cannot tell, and the squared error is too small to insist. A walkthrough's scans (a bright body on a
/// black background) trained so with 3 of 6 seeds, restoring the body darker than the background (squared error 0.03
/// where the other seeds reached 0.004), and localised at pixel AUROC 0.60-0.69 against 0.82-0.97. Another seed trains, and
/// since the squared-error weight became 8 under per-image normalisation (<see cref="SSM.Core.Losses.SsmLossWeights.Mse"/>)
/// every seed of those scans does: this stays as the guard for data that still finds such a start.
/// </summary>
internal static class StalledTraining
{
    /// <summary>The squared error of a flat grey at the image's mean, the most it can be under per-image normalisation.</summary>
    public static readonly double Limit = 1 / Math.Pow(2 * InputNormalizer.Spread, 2);

    /// <summary>Half as much again: noise-like textures cannot be restored from their surroundings at all and sit near
    /// <see cref="Limit"/> (the generated grainy texture: 0.018 after epoch 3, 0.012 after 10); a stuck network is far above.</summary>
    public static readonly double Stuck = 1.5 * Limit;

    /// <summary>Training steps before the first check. The walkthrough's stuck scans were told apart after 3 epochs of 23
    /// steps; a small folder is still falling there after 3 epochs of 5 (17 MTD tiles: 0.029 after epoch 3, 0.016 after 5,
    /// 0.008 from 14 on, a CLI walkthrough, 2026-12-03).</summary>
    public const int MinSteps = 60;

    /// <summary>The first epoch checked: a tenth of the training, at least the third (the first two are still falling) and
    /// at least <see cref="MinSteps"/> steps in.</summary>
    public static int CheckedFrom(int plannedEpochs, int stepsPerEpoch) =>
        Math.Max(Math.Max(3, plannedEpochs / 10), (MinSteps + stepsPerEpoch - 1) / Math.Max(1, stepsPerEpoch));

    /// <summary>The warning for an epoch's report, or null (other normalisations, epochs before the check, a training that learns).</summary>
    /// <param name="options">The settings the run trains with.</param>
    /// <param name="p">The epoch's report.</param>
    /// <param name="stepsPerEpoch">The run's steps per epoch.</param>
    /// <param name="fineTuning">Whether the run fine-tunes a trained network: one that ends up there has lost what it had
    /// learnt, and a fine-tuning has no other start to try; a lower learning rate is its remedy (not measured: no
    /// fine-tuning has been seen to end up there).</param>
    public static string? Warning(SsmOptions options, TrainingProgress p, int stepsPerEpoch, bool fineTuning = false)
    {
        if (options.Normalization != InputNormalization.PerImage || p.Epoch < CheckedFrom(p.PlannedEpochs, stepsPerEpoch) || p.Loss.Mse <= Stuck) return null;
        bool running = p.Epoch < p.PlannedEpochs;
        return $"SSM: after epoch {p.Epoch} the network restores the images worse than a flat grey would (squared error {p.Loss.Mse:F3}, " +
               $"a flat grey at most {Limit:F3}): " +
               (fineTuning
                   ? "this fine-tuning has undone what the network had learnt and its model will find little. " +
                     (running ? "Stop it and fine-tune" : "Fine-tune again") + $" from a lower {nameof(SsmFineTuningOptions.LearningRate)}."
                   : "this training is stuck in a poor start and its model will find little. " +
                     (running ? "Stop it and train" : "Train again") + $" with another {nameof(SsmAnomalyDetectionOptions.Seed)}.");
    }
}
