using SSM.Core.Data;
using SSM.Core.Losses;
using SSM.Core.Network;

namespace SSM.Core;

/// <summary>Every setting of an SSM model; the defaults are the ones chosen for a 2-core CPU.</summary>
public sealed record SsmOptions
{
    /// <summary>Side S of the square images the network sees; inputs are resized to S x S. Default 64.
    /// Must be a multiple of 2^(Depth-1), from <see cref="MinImageSize"/> to <see cref="MaxImageSize"/>.</summary>
    public int ImageSize { get; init; } = 64;

    /// <summary>Smallest <see cref="ImageSize"/>: 8. MS-GMS compares gradients at three scales, halving the image twice, and its
    /// pyramid pools once more: below 8 px a side, libtorch fails inside the first training step.</summary>
    public const int MinImageSize = 8;

    /// <summary>Largest <see cref="ImageSize"/>: 1024.</summary>
    public const int MaxImageSize = 1024;

    /// <summary>How each image's intensities are normalised before the network sees it. Default <see cref="InputNormalization.PerImage"/>
    /// (on MTD: image AUROC 0.609 -> 0.667 with everything else equal; examples/Benchmarks/HISTORY.md).</summary>
    public InputNormalization Normalization { get; init; } = InputNormalization.PerImage;

    /// <summary>The least standard deviation (in [0, 1] intensity units) <see cref="InputNormalization.PerImage"/> divides an
    /// image by, so that a flat image stays flat instead of amplifying rounding noise. Default one 16-bit level
    /// (<see cref="InputNormalizer.DefaultStdFloor"/>), so 16-bit scans of narrow range are stretched like any other; models
    /// saved before this setting existed used one 8-bit level (1/255) and keep it when loaded. In (0, 1].</summary>
    public float NormalizationStdFloor { get; init; } = InputNormalizer.DefaultStdFloor;

    /// <summary>Shape of the inpainting U-Net. Default: <see cref="InpaintingNetworkOptions.Compact"/>.</summary>
    public InpaintingNetworkOptions Network { get; init; } = new();

    /// <summary>Complementary masks used in training and scoring.</summary>
    public MaskingOptions Masking { get; init; } = new();

    /// <summary>Training schedule and loss.</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>Anomaly map, image score and progressive refinement.</summary>
    public ScoringOptions Scoring { get; init; } = new();

    /// <summary>Throws with the setting's name when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Network, nameof(Network));
        ArgumentNullException.ThrowIfNull(Masking, nameof(Masking));
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        ArgumentNullException.ThrowIfNull(Scoring, nameof(Scoring));
        if (!Enum.IsDefined(Normalization)) throw new ArgumentOutOfRangeException(nameof(Normalization), Normalization, "Unknown input normalisation.");
        if (!(NormalizationStdFloor > 0 && NormalizationStdFloor <= 1))
            throw new ArgumentOutOfRangeException(nameof(NormalizationStdFloor), NormalizationStdFloor, "The normalisation's least standard deviation must be in (0, 1].");
        Network.Validate();
        if (ImageSize < Math.Max(MinImageSize, Network.SizeMultiple) || ImageSize % Network.SizeMultiple != 0)
            throw new ArgumentOutOfRangeException(nameof(ImageSize), ImageSize,
                $"Image size must be a multiple of {Network.SizeMultiple} (2^(Depth-1)) for a network of depth {Network.Depth}, at least {Math.Max(MinImageSize, Network.SizeMultiple)}.");
        if (ImageSize > MaxImageSize) throw new ArgumentOutOfRangeException(nameof(ImageSize), ImageSize, $"Image size must be at most {MaxImageSize}.");
        Masking.Validate(ImageSize);
        Training.Validate();
        Scoring.Validate(ImageSize);
    }
}

/// <summary>Complementary grid masks (paper, section 2).</summary>
public sealed record MaskingOptions
{
    /// <summary>
    /// Cell sizes k in pixels. Null (default): S/16, S/8, S/4 (4, 8, 16 px at S = 64), at least 1 px. The authors use S/64, S/32,
    /// S/16; on MTD the larger cells gave pixel AUROC 0.665 vs 0.619 and image AUROC 0.747 vs 0.734 (mean of two seeds):
    /// a cell must be larger than a defect for the network to have to restore it from normal surroundings.
    /// </summary>
    public int[]? CellSizes { get; init; }

    /// <summary>Number n of complementary masks per cell size in training. Default 3 (as the authors; 2 and 4 were no better on MTD).</summary>
    public int Groups { get; init; } = 3;

    /// <summary>
    /// Number of complementary masks per cell size when scoring; the network does not depend on n, so it may differ from
    /// <see cref="Groups"/>. Default 6: each restoration hides a sixth of the cells instead of a third, so it sees more of
    /// the normal surroundings. On MTD (70-epoch networks trained with n = 3, two seeds) image AUROC 0.909 / 0.904 against
    /// 0.903 / 0.890 with 3 (4: 0.908 / 0.900, 5: 0.907 / 0.903), pixel AUROC 0.739 / 0.747 against 0.743 / 0.751. Scoring
    /// time grows with it: 6 costs twice what 3 does.
    /// </summary>
    public int ScoringGroups { get; init; } = 6;

    /// <summary>The cell sizes in effect for images of side <paramref name="imageSize"/>.</summary>
    public int[] ResolveCellSizes(int imageSize) => CellSizes ?? Fractions(imageSize, 16, 8, 4);

    /// <summary>The authors' cell sizes S/64, S/32, S/16 (at least 1 px), for small defects; the default before model file format 3.</summary>
    public static int[] AuthorsCellSizes(int imageSize) => Fractions(imageSize, 64, 32, 16);

    private static int[] Fractions(int imageSize, params int[] divisors) => divisors.Select(d => Math.Max(1, imageSize / d)).Distinct().ToArray();

    internal void Validate(int imageSize)
    {
        if (Groups < 2 || Groups > 16) throw new ArgumentOutOfRangeException(nameof(Groups), Groups, "Groups must be between 2 and 16.");
        if (ScoringGroups < 2 || ScoringGroups > 16) throw new ArgumentOutOfRangeException(nameof(ScoringGroups), ScoringGroups, "Scoring groups must be between 2 and 16.");
        var sizes = ResolveCellSizes(imageSize);
        if (sizes.Length == 0) throw new ArgumentException("At least one cell size is needed.", nameof(CellSizes));
        foreach (var k in sizes)
            if (k < 1 || k > imageSize / 2)
                throw new ArgumentOutOfRangeException(nameof(CellSizes), k, $"Cell sizes must be between 1 and half the image size ({imageSize / 2}).");
    }
}

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

    /// <summary>Stops training when this much time has passed, whichever of this and <see cref="Epochs"/> comes first. Default: none.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Images per step (each runs n times, once per mask). Default 4: on MTD (70 epochs, the same time per epoch)
    /// it gave image AUROC 0.876 against 0.854 with 8, pixel AUROC 0.742 against 0.736 (one seed; examples/Benchmarks/HISTORY.md).</summary>
    public int BatchSize { get; init; } = 4;

    /// <summary>Adam learning rate. Default 1e-3 (the authors' 1e-4 needs far more epochs than a CPU affords).</summary>
    public double LearningRate { get; init; } = 1e-3;

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
        // Not finite, the first step turns every weight into NaN.
        if (!(LearningRate > 0 && double.IsFinite(LearningRate))) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "Learning rate must be a positive number.");
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

/// <summary>How the maps of the different cell sizes are combined (paper, section 6).</summary>
public enum CellWeighting
{
    /// <summary>Plain mean of the cell sizes' maps.</summary>
    Equal,
    /// <summary>The authors' weights 1 / (S/k)^2, which favour the largest cells.</summary>
    LargeCells,
}

/// <summary>How a restoration is compared with its image to give the anomaly map.</summary>
public enum RestorationError
{
    /// <summary>1 - multi-scale gradient magnitude similarity (the paper's map).</summary>
    MsGms = 0,
    /// <summary>Squared difference of intensities, averaged over channels.</summary>
    SquaredError = 1,
    /// <summary>Both maps, each standardised by its own normal statistics, averaged (with <see cref="ScoringOptions.StandardizeMaps"/>
    /// off: their plain mean). MS-GMS sees structure (scratches, edges); squared error sees dark and bright spots on
    /// low-contrast surfaces, where gradients are weak.</summary>
    Both = 2,
}

/// <summary>Number format the network runs in (<see cref="TrainingOptions.Precision"/>, <see cref="ScoringOptions.Precision"/>).</summary>
public enum NetworkPrecision
{
    /// <summary>32-bit floats throughout.</summary>
    Float32 = 0,
    /// <summary>The network's convolutions and activations in bfloat16. Its weights stay float32 (cast on each call) and so do
    /// batch-norm parameters, gradients, masks, the restoration error, the loss, smoothing and statistics. Worth it only on
    /// processors with native bfloat16 (AVX-512 BF16, AMX, recent GPUs); elsewhere it emulates and is slower.</summary>
    BFloat16 = 1,
    /// <summary><see cref="BFloat16"/> where the processor computes it natively and faster than float32
    /// (<see cref="Scoring.NativeBFloat16"/>: a CPU with AMX-BF16, or an AMD CPU with AVX-512 BF16), <see cref="Float32"/>
    /// elsewhere, GPUs included. Chosen from the processor's identity when training or the scorer starts, so a machine
    /// always makes the same choice.</summary>
    Auto = 2,
}

/// <summary>Anomaly map, image score and progressive refinement (paper, sections 6 and 7).</summary>
public sealed record ScoringOptions
{
    /// <summary>How each restoration is compared with the image to give the anomaly map. Default <see cref="RestorationError.Both"/>:
    /// on MTD (70-epoch network, seed 0) AUPRO 0.556 against 0.453 for <see cref="RestorationError.MsGms"/> alone, pixel AUROC
    /// 0.736 against 0.739; squared error adds the intensity of holes and spots (pixel AUROC of blowholes 0.928 against 0.894).
    /// Squared error alone fails on high-contrast textures (0.55 image AUROC on the synthetic woven set).</summary>
    public RestorationError Error { get; init; } = RestorationError.Both;

    /// <summary>The restoration error whose (standardised) map's maximum is the image score; computed beside
    /// <see cref="Error"/> when it differs. Default <see cref="RestorationError.Both"/> (since 2026-12-01; before,
    /// <see cref="RestorationError.MsGms"/>, the paper's score): the map's own error, so the image score is the anomaly map's
    /// maximum and the verdict follows the map (exactly when there is no size correction). Small defects in large images are seen by squared error beside MS-GMS: on a
    /// walkthrough's 1024 px grey images with 10-25 px spots and thin scratches, read at 64 px, MS-GMS alone gave image AUROC
    /// 0.547 and Both 1.000 from maps of pixel AUROC 0.999; on the generated textures 0.894 against 0.959. On MTD the two are
    /// within the test split's noise: the 105-epoch network (seed 0) 0.958 with Both against 0.951 (paired bootstrap
    /// +0.007 [-0.007, +0.019]); 70-epoch networks had 0.888 / 0.881 against 0.909 / 0.904 (seed 0: -0.014 [-0.030, +0.000]).</summary>
    public RestorationError ImageScoreError { get; init; } = RestorationError.Both;

    /// <summary>The restoration errors the scorer computes: those of the map and of the image score.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public RestorationError ComputedErrors => Error == ImageScoreError ? Error : RestorationError.Both;

    /// <summary>Number of raw maps (planes) per image: one per computed restoration error, MS-GMS first.</summary>
    public int ErrorKinds => ComputedErrors == RestorationError.Both ? 2 : 1;

    /// <summary>The planes of the raw maps that hold <paramref name="error"/>'s map, as (first, count).</summary>
    public (int Start, int Count) PlanesOf(RestorationError error) => ErrorKinds == 1 ? (0, 1) : error switch
    {
        RestorationError.MsGms => (0, 1),
        RestorationError.SquaredError => (1, 1),
        _ => (0, 2),
    };

    /// <summary>
    /// Standardise every pixel of the final map by its mean and standard deviation over the held-out normal images
    /// (<see cref="Scoring.NormalMapStatistics"/>): errors the network makes at the same place on every normal image no
    /// longer count as anomalies, and maps and scores are in standard deviations. Needs at least 3 held-out images.
    /// Default true.
    /// </summary>
    public bool StandardizeMaps { get; init; } = true;

    /// <summary>
    /// Take away the map level and image score that an image's original size predicts (<see cref="Scoring.SizeEffect"/>,
    /// fitted on the held-out normal images when their sizes vary, not extrapolated beyond their range; nothing changes for
    /// images of one size). The map and the score move by separately fitted amounts, so a map's maximum lies
    /// <see cref="Scoring.SizeEffect.MapOffset"/> above its score. Default true:
    /// on MTD image AUROC 0.928 / 0.921 against 0.909 / 0.904 and AUPRO 0.594 / 0.583 against 0.556 / 0.543 (two seeds).
    /// The scorer then needs each image's original size (<see cref="Data.ImageCache.LogArea"/>; <see cref="SsmModel.Score"/>
    /// passes it).
    /// </summary>
    public bool SizeCorrection { get; init; } = true;

    /// <summary>How the cell sizes' maps are combined. Default <see cref="CellWeighting.Equal"/>.</summary>
    public CellWeighting CellWeighting { get; init; } = CellWeighting.Equal;

    /// <summary>Sigma of the Gaussian that smooths the map, in pixels at S. Null (default): S / 32 (the authors' 7 px at S = 128
    /// blurred small defects away: on MTD it cost 0.02 image AUROC with squared error maps).</summary>
    public double? SmoothingSigma { get; init; }

    /// <summary>
    /// Rounds R of scoring; rounds after the first uncover cells judged normal (progressive refinement). Default 1
    /// (refinement off): on MTD, R = 2 calibrated for its own maps lowered image AUROC from 0.738 to 0.715 / 0.688 / 0.579
    /// and pixel AUROC from 0.673 to 0.626 / 0.553 / 0.505 at threshold quantiles 0.9 / 0.99 / 0.999, and it lowered
    /// pixel AUROC on every synthetic texture (docs/results.md, "Progressive refinement, on vs off"). It doubles scoring time.
    /// </summary>
    public int RefinementRounds { get; init; } = 1;

    /// <summary>Most <see cref="RefinementRounds"/>: each round is one more pass of every mask.</summary>
    public const int MaxRefinementRounds = 10;

    /// <summary>Side of the cells judged normal or suspicious, in pixels. Null (default): S/16 (8 px at S = 128, as the authors).</summary>
    public int? RefinementCellSize { get; init; }

    /// <summary>A cell is normal when at least this share of its pixels scores below the threshold. Default 0.8 (as the authors).</summary>
    public double NormalShare { get; init; } = 0.8;

    /// <summary>The normal/suspicious pixel threshold is this quantile of first-round pixel scores on held-out normal images. Default 0.99.</summary>
    public double RefinementQuantile { get; init; } = 0.99;

    /// <summary>Seed of the scoring masks, so a given image always gets the same score. Default 1234.</summary>
    public int MaskSeed { get; init; } = 1234;

    /// <summary>
    /// Number format of the network when scoring (the calibration made at training uses it too). Default
    /// <see cref="NetworkPrecision.Auto"/>: bfloat16 where the CPU computes it faster than float32 (AMX-BF16, or AVX-512
    /// BF16 on AMD), float32 elsewhere. On this project's first machine, an AMD EPYC with AVX-512 BF16, bfloat16 scored MTD 2x faster with the same image and pixel AUROC to the third decimal; channels-last, the
    /// library's scorer runs 1.73x faster there with image scores within 0.0016 of float32 (docs/results.md, "Speed").
    /// </summary>
    public NetworkPrecision Precision { get; init; } = NetworkPrecision.Auto;

    /// <summary>Most masked images per forward pass. Default 64; fewer run where <see cref="MaxActivationBytes"/> (or, where
    /// oneDNN is off, <see cref="MaxUnfoldedBytes"/>) says so: at the default width in bfloat16 from 128 px on (16 images a
    /// pass there), in float32 from 64 px on (32 images).</summary>
    public int MaxForwardBatch { get; init; } = 64;

    /// <summary>
    /// Most bytes of the largest activation of one forward pass where oneDNN runs the convolutions (the full-resolution
    /// input of the last decoder block, 2 x the base width channels, in the pass's number format): 16 MB. Larger passes
    /// gained nothing, and from about 24 MB a pass on a thread other than the main one slowed down again, as glibc maps
    /// such blocks afresh there (<see cref="Torch.NativeHeap"/>). Against the 30 MB bound of unfolded input that held before,
    /// masked images took, per image (the Zen 5 machine, 2026-12-02, the default width, main thread / another thread):
    /// 1.70 / 2.14 ms in bfloat16 at 64 px in passes of 6, 1.08 / 1.19 ms in passes of 48; 7.7 / 10.8 ms at 128 px in
    /// passes of 1, 4.1 / 4.8 ms in passes of 12; float32 gained 1.3-1.7x.
    /// </summary>
    public const int MaxActivationBytes = 16 << 20;

    /// <summary>
    /// Most bytes of the largest convolution input libtorch unfolds in one forward pass where oneDNN is off
    /// (<see cref="Torch.OneDnnCheck.OneDnnTurnedOff"/>; the full-resolution 3x3 convolution of the last decoder block:
    /// 2 x the base width x 9 values per pixel, float32): 30 MB, under the 32 MB from which glibc's malloc gives each block
    /// a fresh mmap whose pages are faulted in again at every pass (see <see cref="Torch.NativeHeap"/>, which keeps such
    /// blocks only on the process's main thread). On the Zen 5 machine of 2026-12-02, on a thread other than the main one,
    /// a scoring call of 1 / 4 images at 64 px took 503 / 3613 ms in passes of up to 64 masked images and 157 / 616 ms in
    /// passes of 6, and 135-141 / 519-543 ms either way on the main thread (a scratch program, 15:02-15:04 UTC, oneDNN off).
    /// </summary>
    public const int MaxUnfoldedBytes = 30 << 20;

    /// <summary>Most masked images per forward pass at image side <paramref name="imageSize"/> for a network of
    /// <paramref name="baseWidth"/> (<see cref="Network.InpaintingNetworkOptions.BaseWidth"/>, its first level's channels)
    /// running in <paramref name="format"/>: <see cref="MaxForwardBatch"/>, fewer as <see cref="MaxActivationBytes"/> asks
    /// (<see cref="MaxUnfoldedBytes"/> where oneDNN is off), at least one.</summary>
    public int ResolveForwardBatch(int imageSize, int baseWidth, TorchSharp.torch.ScalarType format) =>
        ResolveForwardBatch(imageSize, baseWidth, format, oneDnn: !Torch.OneDnnCheck.OneDnnTurnedOff);

    /// <summary>The same rule with oneDNN's state given instead of probed, so that tests check both on any machine.</summary>
    internal int ResolveForwardBatch(int imageSize, int baseWidth, TorchSharp.torch.ScalarType format, bool oneDnn)
    {
        long pixels = (long)imageSize * imageSize * 2 * baseWidth;
        long perImage = oneDnn ? pixels * (format == TorchSharp.torch.ScalarType.BFloat16 ? 2 : sizeof(float)) : pixels * 9 * sizeof(float);
        return (int)Math.Clamp((oneDnn ? MaxActivationBytes : MaxUnfoldedBytes) / perImage, 1, MaxForwardBatch);
    }

    /// <summary>The smoothing sigma in effect at image side <paramref name="imageSize"/>.</summary>
    public double ResolveSigma(int imageSize) => SmoothingSigma ?? imageSize / 32.0;

    /// <summary>The refinement cell size in effect at image side <paramref name="imageSize"/>.</summary>
    public int ResolveRefinementCellSize(int imageSize) => RefinementCellSize ?? Math.Max(1, imageSize / 16);

    internal void Validate(int imageSize)
    {
        if (!Enum.IsDefined(Error)) throw new ArgumentOutOfRangeException(nameof(Error), Error, "Unknown restoration error.");
        if (!Enum.IsDefined(ImageScoreError)) throw new ArgumentOutOfRangeException(nameof(ImageScoreError), ImageScoreError, "Unknown restoration error.");
        if (!Enum.IsDefined(Precision)) throw new ArgumentOutOfRangeException(nameof(Precision), Precision, "Unknown scoring precision.");
        if (!Enum.IsDefined(CellWeighting)) throw new ArgumentOutOfRangeException(nameof(CellWeighting), CellWeighting, "Unknown cell weighting.");
        // Finite, not bounded by the image size: models saved with a larger sigma (the engine took any) must still load.
        if (ResolveSigma(imageSize) is var s && !(s >= 0 && double.IsFinite(s)))
            throw new ArgumentOutOfRangeException(nameof(SmoothingSigma), s, "Smoothing sigma must be a non-negative number (0 turns smoothing off).");
        if (RefinementRounds < 1 || RefinementRounds > MaxRefinementRounds)
            throw new ArgumentOutOfRangeException(nameof(RefinementRounds), RefinementRounds, $"Refinement rounds must be between 1 and {MaxRefinementRounds}.");
        if (ResolveRefinementCellSize(imageSize) is var c && (c < 1 || c > imageSize)) throw new ArgumentOutOfRangeException(nameof(RefinementCellSize), c, "Refinement cell size must be between 1 and the image size.");
        if (!(NormalShare > 0 && NormalShare <= 1)) throw new ArgumentOutOfRangeException(nameof(NormalShare), NormalShare, "Normal share must be in (0, 1].");
        if (!(RefinementQuantile > 0 && RefinementQuantile < 1)) throw new ArgumentOutOfRangeException(nameof(RefinementQuantile), RefinementQuantile, "Refinement quantile must be in (0, 1).");
        if (MaxForwardBatch < 1) throw new ArgumentOutOfRangeException(nameof(MaxForwardBatch), MaxForwardBatch, "Max forward batch must be at least 1.");
    }
}
