using SSM.Core;
using SSM.Core.Training;

namespace SSM.MLNet;

/// <summary>
/// Fit's warning for a time budget that affords a small part of the planned epochs. The budget stretches the learning-rate
/// schedule over what fits, so training ends cleanly, but short: a walkthrough at 256 px got 4 of 105 epochs in 12
/// minutes without a word. On MTD, 48 epochs gave image AUROC 0.848 where 70 gave 0.926.
/// </summary>
internal static class ShortTimeBudget
{
    /// <summary>Warned of below this share of the planned epochs.</summary>
    public const double Share = 0.25;

    /// <summary>The warning for the second epoch's report, or the first's when the run ends there; else null (no budget, other
    /// epochs, a budget that affords enough). The first epoch also warms up: a plan made after it said 9 epochs where 11 ran,
    /// and a walkthrough was told "7 of 70" and ran 14.</summary>
    /// <param name="options">The settings the run trains with.</param>
    /// <param name="plannedWithoutBudget">The epochs the run would train without its budget.</param>
    /// <param name="p">The epoch's report.</param>
    /// <param name="fineTuning">Whether the run fine-tunes a model, whose image size is its training's.</param>
    public static string? Warning(SsmOptions options, int plannedWithoutBudget, TrainingProgress p, bool fineTuning = false)
    {
        if (options.Training.TimeBudget is not { } budget || p.Epoch != Math.Min(2, p.PlannedEpochs) || p.PlannedEpochs >= Share * plannedWithoutBudget)
            return null;
        return $"SSM: the time budget ({TrainingLog.Duration(budget)}) affords about {p.PlannedEpochs} of {plannedWithoutBudget} epochs " +
               $"({p.EpochTime.TotalSeconds:0.#} s per epoch): a model trained this briefly finds much less. Give more time " +
               (fineTuning ? $"({nameof(SsmAnomalyDetectionOptions.TrainingTime)}) or fewer images."
                           : $"({nameof(SsmAnomalyDetectionOptions.TrainingTime)}), a smaller {nameof(SsmAnomalyDetectionOptions.ImageSize)}, or fewer training images.");
    }
}
