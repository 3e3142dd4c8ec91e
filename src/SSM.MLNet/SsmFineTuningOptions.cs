using Microsoft.ML.Runtime;
using SSM.Core;
using SSM.Core.Training;

namespace SSM.MLNet;

/// <summary>
/// Settings of <see cref="SsmAnomalyTransformer.FineTune"/> and <c>mlContext.AnomalyDetection.FineTuneSsm</c>: how a trained
/// model's network is trained further on new normal images. The network, its input and its scoring are the model's; only
/// the schedule is set here. Every default is the model's own training setting unless it says otherwise.
/// </summary>
public sealed class SsmFineTuningOptions
{
    /// <summary>Passes over the new images. Default null: <see cref="SsmTrainer.FineTuningEpochs"/> (10) for a model of whole
    /// images, divided by the tiles per image for a tiled one, at least 1 (<see cref="SsmTrainer.FineTuningEpochsFor"/>), as
    /// training's default is. With hundreds of new images more pay: on MTD after a camera moved closer 30 gave
    /// image AUROC 0.927 against 0.872; with 20, whose threshold 2 held-out images set, 30 flagged more good images.</summary>
    public int? Epochs { get; set; }

    /// <summary>Adam's learning rate until the schedule lowers it (x0.1 at 60 % and 90 % of the epochs, as in training).
    /// Default null: the model's training rate (on MTD after a camera moved closer it gave image AUROC 0.872 in 10 epochs, a
    /// tenth of it 0.795).</summary>
    public double? LearningRate { get; set; }

    /// <summary>Stops the fine-tuning when this much time has passed, whichever of this and <see cref="Epochs"/> comes first.
    /// Default null: no limit.</summary>
    public TimeSpan? TrainingTime { get; set; }

    /// <summary>Images per step. Default null: the model's training batch size.</summary>
    public int? BatchSize { get; set; }

    /// <summary>Share of the new images held out to calibrate the fine-tuned model (at least 2). Default null: the model's
    /// training's.</summary>
    public double? HoldoutFraction { get; set; }

    /// <summary>Seed for masks, shuffling, augmentation and the held-out split. Default null: the model's training seed.</summary>
    public int? Seed { get; set; }

    /// <summary>The decision threshold in Score units. Default null: 3 standard deviations over the new held-out images'
    /// scores. A threshold or mask threshold set on the model is not kept: both were chosen against the old network's scores.</summary>
    public float? Threshold { get; set; }

    /// <summary>Torch device to train on: "cpu", "cuda" or "cuda:N". Default null: the model's device.</summary>
    public string? Device { get; set; }

    /// <summary>Stops the reading between rows and the training between steps (<see cref="OperationCanceledException"/>). Default: none.</summary>
    public CancellationToken Cancellation { get; set; }

    internal SsmFineTuningOptions Copy() => (SsmFineTuningOptions)MemberwiseClone();

    /// <summary>The engine's training settings for fine-tuning <paramref name="model"/>, each option checked first with a
    /// message that names it.</summary>
    internal TrainingOptions ToTraining(IExceptionContext ectx, SsmModel model)
    {
        Check(ectx, Epochs is null or >= 1, nameof(Epochs), Epochs, "at least 1, or null for the model's default");
        Check(ectx, LearningRate is null || LearningRate > 0 && LearningRate <= TrainingOptions.MaxLearningRate, nameof(LearningRate), LearningRate,
            $"a positive number, at most {TrainingOptions.MaxLearningRate:G3}, or null for the model's");
        Check(ectx, TrainingTime is null || TrainingTime > TimeSpan.Zero, nameof(TrainingTime), TrainingTime, "positive, or null for no limit");
        Check(ectx, BatchSize is null or >= 1, nameof(BatchSize), BatchSize, "at least 1, or null for the model's");
        Check(ectx, HoldoutFraction is null or > 0 and < TrainingOptions.MaxHoldoutFraction, nameof(HoldoutFraction), HoldoutFraction,
            $"greater than 0 and less than {TrainingOptions.MaxHoldoutFraction}, or null for the model's");
        Check(ectx, Threshold is null || float.IsFinite(Threshold.Value), nameof(Threshold), Threshold, "a finite number, or null for the default");
        Check(ectx, SsmDevice.IsValid(Device), nameof(Device), Device, SsmDevice.AcceptedForms.Replace("follow the MLContext", "keep the model's"));
        var defaults = SsmTrainer.FineTuningDefaults(model);
        return defaults with
        {
            Epochs = Epochs ?? defaults.Epochs,
            LearningRate = LearningRate ?? defaults.LearningRate,
            TimeBudget = TrainingTime,
            BatchSize = BatchSize ?? defaults.BatchSize,
            HoldoutFraction = HoldoutFraction ?? defaults.HoldoutFraction,
            Seed = Seed ?? defaults.Seed,
        };
    }

    private static void Check(IExceptionContext ectx, bool valid, string option, object? value, string allowed) =>
        SsmAnomalyEstimator.CheckOption(ectx, valid, nameof(SsmFineTuningOptions), option, value, allowed);
}
