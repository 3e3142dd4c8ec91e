using SSM.Core.Losses;

namespace SSM.Core;

/// <summary>Training schedule (paper, section 4).</summary>
public sealed record TrainingOptions
{
    /// <summary>
    /// Passes over the training images. Default null: <see cref="DefaultEpochs"/> of the precision training runs in, so
    /// that the default trains for about 30 minutes on MTD (761 images, 64 px) on a 2-core machine either way, because
    /// epochs were what limited accuracy there (image AUROC 0.80 after 40 float32 epochs, 0.88 after 80; on the AMD EPYC,
    /// in bfloat16, 0.921 after 70 and 0.951 after 105; docs/results.md, "Accuracy on MTD with the defaults"). Use <see cref="EpochsOn"/> for the
    /// number a run will train; a trained model records it here.
    /// </summary>
    public int? Epochs { get; init; }

    /// <summary>Default <see cref="Epochs"/> for training in float32: 70, about 32 minutes on MTD on a 2-core Intel Xeon.</summary>
    public const int Float32Epochs = 70;

    /// <summary>Default <see cref="Epochs"/> for training in bfloat16: 105, 29.7 minutes on MTD on a 2-core AMD EPYC with
    /// AVX-512 BF16, where a bfloat16 training step is 1.8x as fast as a float32 one (70 took 19.8 minutes there).</summary>
    public const int BFloat16Epochs = 105;

    /// <summary>The default number of epochs for training in <paramref name="precision"/> (Auto already resolved).</summary>
    public static int DefaultEpochs(NetworkPrecision precision) =>
        precision == NetworkPrecision.BFloat16 ? BFloat16Epochs : Float32Epochs;

    /// <summary>The epochs a run on <paramref name="device"/> trains: <see cref="Epochs"/> when set, else the default of the
    /// precision <see cref="Precision"/> resolves to there.</summary>
    public int EpochsOn(TorchSharp.torch.Device device) => Epochs ?? DefaultEpochs(Scoring.NativeBFloat16.Resolve(Precision, device));

    /// <summary>Stops training when this much time has passed, whichever of this and <see cref="Epochs"/> comes first: the
    /// learning rate's decays are spread over the epochs it affords, planned again after each epoch from the mean epoch time
    /// so far, and the last epoch may stop part-way. Any positive length, to <see cref="TimeSpan.MaxValue"/>. Default: none.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Images per step (each runs n times, once per mask). Default 4: on MTD (70 epochs, the same time per epoch)
    /// it gave image AUROC 0.876 against 0.854 with 8, pixel AUROC 0.742 against 0.736 (one seed; examples/Benchmarks/HISTORY.md).</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary>Adam learning rate. Default 1e-3. The authors' 1e-4 needs far more epochs than a CPU affords: with the other
    /// defaults on MTD (105 epochs, seed 0) it gave image AUROC 0.874 against 0.959 and pixel AUROC 0.715 against 0.744
    /// (docs/results.md, "What the defaults are made of").</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Largest <see cref="LearningRate"/>: Adam's first step is 10 times the rate (its bias correction), computed in
    /// float, whose range ends at 3.4e38. A larger rate failed inside libtorch ("value cannot be converted to type float
    /// without overflow") instead of diverging with a reason, as any rate far above the default does.</summary>
    public const double MaxLearningRate = 1e37;

    /// <summary>Adam weight decay. Default 1e-5 (as the authors).</summary>
    public double WeightDecay { get; init; } = 1e-5;

    /// <summary>The learning rate is multiplied by 0.1 at these fractions of the epochs (the authors: 15, 30, 45 of 50). Default
    /// 0.6, 0.9: on MTD (10 epochs, two seeds) the authors' 0.3, 0.6, 0.9 left 70 % of a CPU-sized run at 1e-4 or less, and
    /// decaying later raised pixel AUROC (0.668 / 0.677 to 0.681 / 0.685) and AUPRO (0.515 / 0.517 to 0.548 / 0.531) with
    /// image AUROC within the seed spread (0.770 / 0.750 to 0.771 / 0.742; examples/Benchmarks/HISTORY.md).</summary>
    public double[] DecayAt { get; init; } = [0.6, 0.9];

    /// <summary>Loss term weights. Default 1 for all, as the authors, but the MSE's under per-image normalisation
    /// (<see cref="SsmLossWeights.Mse"/>).</summary>
    public SsmLossWeights LossWeights { get; init; } = new();

    /// <summary>Share of the normal images held out to calibrate thresholds (at least 2 images are held out). Default 0.1.</summary>
    public double HoldoutFraction { get; init; } = 0.1;

    /// <summary>Bound of <see cref="HoldoutFraction"/>, excluded: the network trains on at least a tenth of the images.</summary>
    public const double MaxHoldoutFraction = 0.9;

    /// <summary>Random horizontal and vertical flips of normal images, for textures and symmetric parts. Default false: a
    /// flipped normal image teaches the network that a part mounted the wrong way round is normal, and on MTD flips cost
    /// image AUROC (0.752 / 0.741 with them, 0.770 / 0.750 without, two seeds, 10 epochs; examples/Benchmarks/HISTORY.md).</summary>
    public bool Flip { get; init; }

    /// <summary>Random quarter turns of normal images (a transpose of half of them; with <see cref="Flip"/>, all eight
    /// symmetries of the square), for textures without a direction. Default false: on MTD (with flips) it lowered image
    /// AUROC from 0.752 to 0.677 and pixel AUROC from 0.660 to 0.641 (10 epochs; examples/Benchmarks/HISTORY.md).</summary>
    public bool Rotate { get; init; }

    /// <summary>Seed for weights, masks, shuffling and augmentation. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Number format of the network's forward and backward passes in training. Weights, gradients, the optimizer, batch-norm
    /// statistics and the loss stay float32 whatever the choice (mixed precision). Default <see cref="NetworkPrecision.Auto"/>:
    /// bfloat16 where the CPU computes it faster than float32 (AMX-BF16, or AVX-512 BF16 on AMD), float32 elsewhere.
    /// </summary>
    public NetworkPrecision Precision { get; init; } = NetworkPrecision.Auto;

    /// <summary>Folder for training checkpoints. When it holds a checkpoint of the same settings and images,
    /// training resumes from it. Default: none (no checkpoints).</summary>
    public string? CheckpointFolder { get; init; }

    /// <summary>Epochs between checkpoints (the last epoch is always saved). Default 5.</summary>
    public int CheckpointEvery { get; init; } = 5;

    internal void Validate()
    {
        if (Epochs is < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "Epochs must be at least 1.");
        if (!Enum.IsDefined(Precision)) throw new ArgumentOutOfRangeException(nameof(Precision), Precision, "Unknown training precision.");
        if (TimeBudget is { } t && t <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(TimeBudget), t, "The time budget must be positive.");
        if (BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, "Batch size must be at least 1.");
        // Past MaxLearningRate (infinity too) Adam's first step cannot be computed in float.
        if (!(LearningRate > 0 && LearningRate <= MaxLearningRate))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, $"Learning rate must be a positive number, at most {MaxLearningRate:G3}.");
        if (!(WeightDecay >= 0 && double.IsFinite(WeightDecay))) throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "Weight decay must be a non-negative number.");
        ArgumentNullException.ThrowIfNull(LossWeights, nameof(LossWeights));
        var w = LossWeights;
        if (new[] { w.Mse ?? 0, w.MsGms, w.Ssim, w.Mask }.Any(x => !(x >= 0 && double.IsFinite(x))))
            throw new ArgumentOutOfRangeException(nameof(LossWeights), w, "Loss weights must be non-negative numbers.");
        if (w.Mse == 0 && w.MsGms == 0 && w.Ssim == 0 && w.Mask == 0)
            throw new ArgumentOutOfRangeException(nameof(LossWeights), w, "At least one loss weight must be positive: with all at 0 nothing is learnt.");
        if (DecayAt is null || DecayAt.Any(f => !(f > 0 && f <= 1)))
            throw new ArgumentOutOfRangeException(nameof(DecayAt), DecayAt is null ? "null" : string.Join(", ", DecayAt), "Decay points must be fractions of the epochs in (0, 1].");
        if (CheckpointEvery < 1) throw new ArgumentOutOfRangeException(nameof(CheckpointEvery), CheckpointEvery, "Checkpoint interval must be at least 1 epoch.");
        if (CheckpointFolder is not null && string.IsNullOrWhiteSpace(CheckpointFolder))
            throw new ArgumentOutOfRangeException(nameof(CheckpointFolder), $"'{CheckpointFolder}'", "The checkpoint folder must be a path, or null for no checkpoints.");
        if (!(HoldoutFraction > 0 && HoldoutFraction < MaxHoldoutFraction))
            throw new ArgumentOutOfRangeException(nameof(HoldoutFraction), HoldoutFraction, $"Holdout fraction must be in (0, {MaxHoldoutFraction}).");
    }
}
