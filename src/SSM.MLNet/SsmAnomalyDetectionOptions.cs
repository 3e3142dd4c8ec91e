namespace SSM.MLNet;

/// <summary>
/// How the transformer's <c>Score</c> column is scaled from the engine's raw image score, after scoring. Not to be confused
/// with <see cref="SsmAnomalyDetectionOptions.InputNormalization"/>, which normalises the pixels of each input image before
/// the network sees it.
/// </summary>
public enum SsmScoreNormalization
{
    /// <summary>
    /// Default. Score = (raw − mean) / std of the raw scores of the held-out normal images, so 0 is a typical
    /// normal image and 3 is three standard deviations above normal; comparable across models.
    /// </summary>
    ZScore,

    /// <summary>The raw image score of the engine, unscaled: the maximum of the smoothed map of
    /// <see cref="SsmAnomalyDetectionOptions.ImageScoreError"/> less the normal score the image's size predicts, and at least the
    /// score its contrast gives an image far below the training images' (<see cref="SSM.Core.Scoring.ContrastRange"/>).</summary>
    Raw,
}

/// <summary>
/// Every setting of <see cref="SsmCatalog.DetectAnomaliesSsm(Microsoft.ML.TransformsCatalog, SsmAnomalyDetectionOptions)"/>.
/// The defaults train the engine's compact network at 64 × 64 in grayscale for about 30 minutes for 761 images on a 2-core CPU:
/// 105 epochs in bfloat16 (measured: 29.7 minutes on an AMD EPYC), 70 in float32 (32 minutes on an Intel Xeon).
/// </summary>
public sealed class SsmAnomalyDetectionOptions
{
    // Defaults are the engine's, written once in SSM.Core.SsmOptions. The ones the simple overload of DetectAnomaliesSsm
    // also takes are constants here, because an optional parameter's default must be a constant; a test checks that they
    // still equal the engine's.
    private static readonly SSM.Core.SsmOptions Engine = new();

    /// <summary>Default of <see cref="InputColumnName"/> and of the simple overload's <c>inputColumnName</c>.</summary>
    public const string DefaultInputColumnName = "Image";

    /// <summary>Default of <see cref="ScoreColumnName"/> and of the simple overload's <c>scoreColumnName</c>.</summary>
    public const string DefaultScoreColumnName = "Score";

    /// <summary>Default of <see cref="PredictedLabelColumnName"/> and of the simple overload's <c>predictedLabelColumnName</c>.</summary>
    public const string DefaultPredictedLabelColumnName = "PredictedLabel";

    /// <summary>Default of <see cref="AnomalyMapColumnName"/> and of the simple overload's <c>anomalyMapColumnName</c>.</summary>
    public const string DefaultAnomalyMapColumnName = "AnomalyMap";

    /// <summary>Default of <see cref="ImageSize"/> and of the simple overload's <c>imageSize</c> (the engine's).</summary>
    public const int DefaultImageSize = 64;

    /// <summary>Default of <see cref="Channels"/> and of the simple overload's <c>channels</c> (the engine's): grayscale.</summary>
    public const int DefaultChannels = 1;

    /// <summary>A copy (every setting is a value, a string or a token).</summary>
    internal SsmAnomalyDetectionOptions Copy() => (SsmAnomalyDetectionOptions)MemberwiseClone();

    /// <summary>
    /// Input column. Default "Image". One of: an image column (<c>MLImage</c>, e.g. from <c>LoadImages</c>) of any size;
    /// a vector of <see cref="float"/> holding <see cref="Channels"/> × <see cref="VectorHeight"/> × <see cref="VectorWidth"/>
    /// values in planar CHW order (the layout of <c>ExtractPixels</c> with <c>interleavePixelColors: false</c>; channel order R, G, B);
    /// or a text column of image file paths (PNG, JPEG, BMP, WebP, TIFF, JPEG 2000, DICOM; relative to <see cref="ImageFolder"/>), which the model reads
    /// itself, strictly: a truncated or corrupt file fails with its path, where <c>LoadImages</c> would decode part of it;
    /// or a vector of <see cref="byte"/> (a <c>byte[]</c> property) holding a whole image file, such as an upload, decoded as
    /// strictly.
    /// </summary>
    public string InputColumnName { get; set; } = DefaultInputColumnName;

    /// <summary>Output column of the image score (<see cref="float"/>, higher = more anomalous). Default "Score".</summary>
    public string ScoreColumnName { get; set; } = DefaultScoreColumnName;

    /// <summary>Output column of the decision Score ≥ <see cref="Threshold"/> (<see cref="bool"/>, true = anomalous). Default "PredictedLabel".</summary>
    public string PredictedLabelColumnName { get; set; } = DefaultPredictedLabelColumnName;

    /// <summary>
    /// Output column of the anomaly map: a known-size vector of <see cref="ImageSize"/>² <see cref="float"/> values, row-major
    /// (index y × ImageSize + x, y down, x right), over the image resized to ImageSize × ImageSize; with <see cref="Tiles"/>,
    /// of <see cref="SsmAnomalyTransformer.MapHeight"/> × <see cref="SsmAnomalyTransformer.MapWidth"/> values, the vector's two
    /// dimensions (height, width), over the image resized to the tiles' shape; engine units: with
    /// <see cref="StandardizeMaps"/> (default) standard deviations from the normal mean of each pixel, else the raw
    /// restoration error; higher = more anomalous. The raw image score is the maximum of the map of <see cref="ImageScoreError"/>
    /// (the map itself with the default errors) less the normal score the image's size predicts, while the map gives up the
    /// normal level: to draw the verdict on the map use <see cref="SsmAnomalyTransformer.MapThreshold"/>. Default "AnomalyMap". Null or empty: no map column.
    /// </summary>
    public string? AnomalyMapColumnName { get; set; } = DefaultAnomalyMapColumnName;

    /// <summary>Side S of the square images the network sees; every input is resized to S × S. Default 64. A multiple of 2^(<see cref="Depth"/>−1), from 2^Depth and at least 8, at most 1024.</summary>
    public int ImageSize { get; set; } = DefaultImageSize;

    /// <summary>
    /// Tiles each image is cut into (across x down), each the network's <see cref="ImageSize"/> square: for defects of a few
    /// pixels in large or long images, which resizing the whole image would shrink away. Every image is resized to
    /// Columns × ImageSize by Rows × ImageSize and cut, by default with a tile across every border as well
    /// (<see cref="SSM.Core.Data.TileGrid.Overlapping"/>); the network trains on every tile, an image scores its highest tile,
    /// and its anomaly map is its tiles' maps put together (where tiles overlap, each pixel at the highest of theirs, so the
    /// map's maximum is the score's), Columns × ImageSize wide and Rows × ImageSize high
    /// (<see cref="SsmAnomalyTransformer.MapWidth"/>, <see cref="SsmAnomalyTransformer.MapHeight"/>). A 2048 × 256 line-scan strip at 8 × 1 tiles of 128 px is shrunk 2 times instead of 16. An epoch
    /// takes about as many times longer as there are tiles. Default null: the whole image as one tile.
    /// </summary>
    public SSM.Core.Data.TileGrid? Tiles { get; set; }

    /// <summary>
    /// Colour channels of the model: 1 (default) converts images to grayscale by BT.601 luminance (0.299 R + 0.587 G + 0.114 B),
    /// 3 keeps R, G, B. For a vector input column this is also the number of channels in the vector.
    /// </summary>
    public int Channels { get; set; } = DefaultChannels;

    /// <summary>Width of the first U-Net level (doubles per level, up to 8 times this width). Default 16 (the engine's compact preset; the paper uses 64). 2 to 1024 (width 1 diverged in every training of a boundary sweep).</summary>
    public int BaseWidth { get; set; } = Engine.Network.BaseWidth;

    /// <summary>Levels of the U-Net. Default 4 (the paper uses 5). 2 to 8.</summary>
    public int Depth { get; set; } = Engine.Network.Depth;

    /// <summary>
    /// Passes over the training images; at least 1. Default null: the engine's default for the precision training runs in
    /// (<see cref="TrainingPrecision"/> resolved on the device), <see cref="SSM.Core.TrainingOptions.BFloat16Epochs"/> (105) in
    /// bfloat16 and <see cref="SSM.Core.TrainingOptions.Float32Epochs"/> (70) in float32: about 30 minutes on MTD on either 2-core
    /// machine measured, a bfloat16 step being 1.8x as fast where <c>Auto</c> picks it. With <see cref="Tiles"/> the default
    /// is divided by the tiles per image (at least 1), which keeps the training's steps (<see cref="SSM.Core.SsmOptions.EpochsOn"/>).
    /// </summary>
    public int? Epochs { get; set; }

    /// <summary>Stops training after this much time even if <see cref="Epochs"/> are not done; the learning rate's decays are
    /// spread over the epochs it affords (<see cref="SSM.Core.TrainingOptions.TimeBudget"/>). Default null (no limit);
    /// otherwise positive, to <see cref="TimeSpan.MaxValue"/>.</summary>
    public TimeSpan? TrainingTime { get; set; }

    /// <summary>Images per training step. Default 4. At least 1.</summary>
    public int BatchSize { get; set; } = Engine.Training.BatchSize;

    /// <summary>Adam learning rate. Default 1e-3. Positive, at most 1e37 (<see cref="SSM.Core.TrainingOptions.MaxLearningRate"/>).</summary>
    public double LearningRate { get; set; } = Engine.Training.LearningRate;

    /// <summary>Share of the normal training images held out for calibration (threshold and normalisation). Default 0.1 (at least 2 images). Greater than 0, less than 0.9.
    /// More make the threshold and the per-pixel map statistics surer at the cost of training images: where the normal images
    /// vary, 0.2-0.3 can find defects the default misses (docs/results.md, "How many images to hold out").</summary>
    public double HoldoutFraction { get; set; } = Engine.Training.HoldoutFraction;

    /// <summary>Random horizontal/vertical flips during training, for textures and symmetric parts. Default: the engine's,
    /// false (a flipped part would count as normal; on MTD flips cost accuracy).</summary>
    public bool Flip { get; set; } = Engine.Training.Flip;

    /// <summary>Random quarter turns during training (with <see cref="Flip"/>: all eight symmetries of the square), for
    /// textures without a direction. Default false (on MTD, whose tiles have a direction, it cost accuracy).</summary>
    public bool Rotate { get; set; } = Engine.Training.Rotate;

    /// <summary>How the pixels of each input image are normalised before the network sees it (training and scoring alike).
    /// Default: the engine's, <see cref="SSM.Core.Data.InputNormalization.PerImage"/> (each image standardised by its own mean
    /// and standard deviation, one for all channels of a colour image), which removes differences of lamp brightness and exposure
    /// but not of the light's colour; the contrast it takes away the model keeps of its training images, so a blank frame
    /// scores as anomalous (<see cref="SSM.Core.Scoring.ContrastRange"/>). Use <see cref="SSM.Core.Data.InputNormalization.None"/>
    /// only where the lighting is held constant and absolute brightness matters: it follows the lamp. It changes what the network learns, so it is part of the trained model. Not to be confused with
    /// <see cref="ScoreNormalization"/>, which scales the output Score column.</summary>
    public SSM.Core.Data.InputNormalization InputNormalization { get; set; } = Engine.Normalization;

    /// <summary>How a restoration is compared with its image to give the AnomalyMap column. Default: the engine's,
    /// <see cref="SSM.Core.RestorationError.Both"/> (the paper's multi-scale gradient similarity and squared error, each
    /// standardised, averaged: squared error adds the intensity of holes and spots; on MTD AUPRO 0.556 against 0.453).</summary>
    public SSM.Core.RestorationError RestorationError { get; set; } = Engine.Scoring.Error;

    /// <summary>The restoration error whose map's maximum is the Score column. Default null: <see cref="RestorationError"/>,
    /// the anomaly map's own, so the verdict follows the heat map (on MTD within noise of MS-GMS alone, the paper's score; on
    /// small spots in large images 1.000 image AUROC against 0.547). Another error than the map's decides images by a map
    /// that is not drawn: a contour can then outline a passed image or miss a flagged one.</summary>
    public SSM.Core.RestorationError? ImageScoreError { get; set; }

    /// <summary>Standardise each pixel of the anomaly map by its normal mean and spread (learnt from the held-out images).
    /// Default: the engine's, true; the AnomalyMap column is then in standard deviations.</summary>
    public bool StandardizeMaps { get; set; } = Engine.Scoring.StandardizeMaps;

    /// <summary>Number format of the network's passes in training (weights, gradients and the loss stay float32). Default: the
    /// engine's, <see cref="SSM.Core.NetworkPrecision.Auto"/> (bfloat16 where the CPU computes it faster than float32: AMX-BF16, or
    /// AVX-512 BF16 on AMD, where a training step is 1.8x as fast; float32 elsewhere).</summary>
    public SSM.Core.NetworkPrecision TrainingPrecision { get; set; } = Engine.Training.Precision;

    /// <summary>Number format of the network when scoring. Default: the engine's, <see cref="SSM.Core.NetworkPrecision.Auto"/>
    /// (bfloat16 where the CPU computes it faster than float32: AMX-BF16, or AVX-512 BF16 on AMD; float32 elsewhere).</summary>
    public SSM.Core.NetworkPrecision ScoringPrecision { get; set; } = Engine.Scoring.Precision;

    /// <summary>Sigma of the Gaussian that smooths the anomaly map, in pixels at <see cref="ImageSize"/>; 0 turns smoothing off.
    /// Default null: ImageSize / 32 (2 px at 64). Smaller, e.g. ImageSize / 64, when defects are only a few pixels wide at
    /// the model's size: the default blurs them below the normal images' variation. Set before training: calibration learns
    /// the statistics of maps smoothed so. 0 to <see cref="ImageSize"/>.</summary>
    public double? SmoothingSigma { get; set; }

    /// <summary>Scoring rounds of progressive refinement (1 = off). Default: the engine's (<see cref="SSM.Core.ScoringOptions.RefinementRounds"/>). Each round costs a full set of network passes. 1 to 10.</summary>
    public int RefinementRounds { get; set; } = Engine.Scoring.RefinementRounds;

    /// <summary>Seed for weights, masks, shuffling and augmentation. Default null: the MLContext's seed if it has one, else 0.</summary>
    public int? Seed { get; set; }

    /// <summary>How the output Score column is scaled from the engine's raw image score: <see cref="SsmScoreNormalization.ZScore"/>
    /// (default; standard deviations above the held-out normal images' mean) or <see cref="SsmScoreNormalization.Raw"/>. It
    /// applies after scoring and changes neither the network nor the anomaly map. Not to be confused with
    /// <see cref="InputNormalization"/>, which normalises the pixels of each input image.</summary>
    public SsmScoreNormalization ScoreNormalization { get; set; } = SsmScoreNormalization.ZScore;

    /// <summary>The name <see cref="ScoreNormalization"/> had before 2026-12-03, beside <see cref="InputNormalization"/>.</summary>
    [Obsolete("Renamed ScoreNormalization: it scales the Score column; InputNormalization normalises the pixels.")]
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public SsmScoreNormalization Normalization { get => ScoreNormalization; set => ScoreNormalization = value; }

    /// <summary>
    /// Decision threshold on the Score column (in the units of <see cref="ScoreNormalization"/>). Default null: 3 standard deviations
    /// above the mean held-out normal score, i.e. 3.0 with <see cref="SsmScoreNormalization.ZScore"/> and mean + 3 std with
    /// <see cref="SsmScoreNormalization.Raw"/>. Otherwise a finite number. Change it after training with <see cref="SsmAnomalyTransformer.WithThreshold"/>.
    /// </summary>
    public float? Threshold { get; set; }

    /// <summary>
    /// Folder for training checkpoints, written every <see cref="CheckpointEvery"/> epochs. When it already holds a
    /// checkpoint of the same settings and images, Fit resumes from it (after a crash or <see cref="Cancellation"/>). The
    /// checkpoint stays after a successful Fit: the same Fit again calibrates its network without training it. A checkpoint
    /// of other settings or images (or written by a version whose defaults differ) makes Fit throw
    /// <see cref="SSM.Core.Training.CheckpointMismatchException"/> (an <see cref="InvalidOperationException"/> naming the options
    /// that differ) rather than overwrite a stopped training: delete it or give each training its own folder. Default null: no checkpoints.
    /// </summary>
    public string? CheckpointFolder { get; set; }

    /// <summary>
    /// Cancels a running Fit between training steps (Fit then throws <see cref="OperationCanceledException"/>; with a
    /// <see cref="CheckpointFolder"/>, the Fit of an estimator made again with the same settings and a new token resumes from the
    /// last checkpoint, written every <see cref="CheckpointEvery"/> epochs: stopped before the first, it starts again). Like
    /// every setting, taken when the estimator is made. ML.NET 5 keeps <c>MLContext.CancelExecution</c> internal, so this
    /// is the public way; an environment cancelled through ML.NET's internals is honoured too. Default: none.
    /// </summary>
    public CancellationToken Cancellation { get; set; }

    /// <summary>Epochs between checkpoints. Default 5. At least 1.</summary>
    public int CheckpointEvery { get; set; } = Engine.Training.CheckpointEvery;

    /// <summary>
    /// Rows the transformer's <c>Transform</c> reads ahead and scores in one engine call (1 to
    /// <see cref="SsmAnomalyTransformer.MaxScoringBatchSize"/>; 1 = row at a time). Default 4. The gain depends on the image
    /// size and on libtorch's threads: measured on a 2-core CPU under load with one libtorch thread, 8 rows per call scored
    /// 1.1–1.25× faster per image than 1 row at <see cref="ImageSize"/> 32 (4 rows: 1.35×), but 1.4× slower at 64, where
    /// a batch's activations no longer fit the cache (4 rows: about as fast as 1), hence 4. Each read-ahead row is held in memory
    /// (resized to <see cref="ImageSize"/>²). Scores agree with row-at-a-time scoring up to float rounding (libtorch picks
    /// kernels per batch size). A PredictionEngine always scores one row. Saved with the model; change it later with
    /// <see cref="SsmAnomalyTransformer.WithScoringBatchSize"/>.
    /// </summary>
    public int ScoringBatchSize { get; set; } = SsmAnomalyTransformer.DefaultScoringBatchSize;

    /// <summary>
    /// For a text input column of image file paths: the folder relative paths are combined with (as <c>LoadImages</c>'
    /// <c>imageFolder</c>). Default null: paths are used as given (relative ones against the current directory). Ignored
    /// for image and vector input. Saved with the model.
    /// </summary>
    public string? ImageFolder { get; set; }

    /// <summary>
    /// For file input (a text column of paths, or a <c>byte[]</c> column of encoded files): the most pixels (width × height)
    /// an image's header may declare. A larger image is refused, naming its file or row, before it is decoded: a 389 KB PNG
    /// can declare 20000 × 20000 and take 0.4 GB to decode, 16-bit colour much more. Default 180 million (as <c>ssm</c>'s
    /// <c>--max-megapixels</c>); 0: no limit. Not saved with the model: a loaded model reads up to the default, or
    /// <see cref="SsmAnomalyTransformer.WithMaxImagePixels"/>. <c>LoadImages</c> pictures and vectors arrive decoded.
    /// </summary>
    public long MaxImagePixels { get; set; } = DefaultMaxImagePixels;

    /// <summary>The default <see cref="MaxImagePixels"/>: 180 million.</summary>
    public const long DefaultMaxImagePixels = 180_000_000;

    /// <summary>Width of a vector input column, in pixels (at least 8, in each tile with <see cref="Tiles"/>; <see cref="Channels"/> × <see cref="VectorHeight"/> × this at
    /// most <see cref="Array.MaxLength"/>, what a vector holds). Required for vector input, ignored for image input. Default null.</summary>
    public int? VectorWidth { get; set; }

    /// <summary>Height of a vector input column, in pixels (at least 8, in each tile with <see cref="Tiles"/>). Required for vector input, ignored for image input. Default null.</summary>
    public int? VectorHeight { get; set; }

    /// <summary>Multiplies vector input values to bring them into [0, 1] (a positive number). Default 1 (values already in [0, 1]); use 1/255f for values in [0, 255].</summary>
    public float VectorScale { get; set; } = 1f;

    /// <summary>
    /// Torch device for Fit: null or empty (default) follows the MLContext as Microsoft.ML.TorchSharp does — CPU, or CUDA when
    /// <c>MLContext.GpuDeviceId</c> is set (falling back to CPU only if <c>MLContext.FallbackToCpu</c> is true).
    /// Otherwise "cpu", "cuda" (CUDA device 0) or "cuda:N" (CUDA device N, from 0), in any letter case.
    /// </summary>
    public string? Device { get; set; }
}
