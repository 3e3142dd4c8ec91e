namespace SSM.Core;

/// <summary>How the maps of the different cell sizes are combined (paper, section 6).</summary>
public enum CellWeighting
{
    /// <summary>Plain mean of the cell sizes' maps.</summary>
    Equal,
    /// <summary>The authors' weights 1 / (S/k)^2, which favour the largest cells.</summary>
    LargeCells,
}

/// <summary>How a restoration is compared with its image to give the anomaly map.</summary>
// Saved in model files by number: append new values, never renumber (docs/architecture.md, "Where to add").
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

    /// <summary>The largest smoothing sigma, in image sides.</summary>
    public const int MaxSigmaInSides = 4;

    internal void Validate(int imageSize)
    {
        if (!Enum.IsDefined(Error)) throw new ArgumentOutOfRangeException(nameof(Error), Error, "Unknown restoration error.");
        if (!Enum.IsDefined(ImageScoreError)) throw new ArgumentOutOfRangeException(nameof(ImageScoreError), ImageScoreError, "Unknown restoration error.");
        if (!Enum.IsDefined(Precision)) throw new ArgumentOutOfRangeException(nameof(Precision), Precision, "Unknown scoring precision.");
        if (!Enum.IsDefined(CellWeighting)) throw new ArgumentOutOfRangeException(nameof(CellWeighting), CellWeighting, "Unknown cell weighting.");
        // Up to 4 image sides, far above any useful value (the default is a 32nd of a side), so that models saved with a
        // large sigma still load; a file's 1e6 asked for a kernel of 8 million taps and took 17 GB scoring one image.
        if (ResolveSigma(imageSize) is var s && !(s >= 0 && s <= MaxSigmaInSides * imageSize))
            throw new ArgumentOutOfRangeException(nameof(SmoothingSigma), s, $"Smoothing sigma must be between 0 (no smoothing) and {MaxSigmaInSides} x the image size ({MaxSigmaInSides * imageSize}).");
        if (RefinementRounds < 1 || RefinementRounds > MaxRefinementRounds)
            throw new ArgumentOutOfRangeException(nameof(RefinementRounds), RefinementRounds, $"Refinement rounds must be between 1 and {MaxRefinementRounds}.");
        if (ResolveRefinementCellSize(imageSize) is var c && (c < 1 || c > imageSize)) throw new ArgumentOutOfRangeException(nameof(RefinementCellSize), c, "Refinement cell size must be between 1 and the image size.");
        if (!(NormalShare > 0 && NormalShare <= 1)) throw new ArgumentOutOfRangeException(nameof(NormalShare), NormalShare, "Normal share must be in (0, 1].");
        if (!(RefinementQuantile > 0 && RefinementQuantile < 1)) throw new ArgumentOutOfRangeException(nameof(RefinementQuantile), RefinementQuantile, "Refinement quantile must be in (0, 1).");
        if (MaxForwardBatch < 1) throw new ArgumentOutOfRangeException(nameof(MaxForwardBatch), MaxForwardBatch, "Max forward batch must be at least 1.");
    }
}
