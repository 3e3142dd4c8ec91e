using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Evaluation;
using SSM.Core.Scoring;
using SSM.Core.Training;
using SSM.MLNet;

[assembly: LoadableClass(typeof(SsmAnomalyTransformer), null, typeof(SignatureLoadModel),
    SsmAnomalyTransformer.UserName, SsmAnomalyTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(SsmAnomalyTransformer), null, typeof(SignatureLoadRowMapper),
    SsmAnomalyTransformer.UserName, SsmAnomalyTransformer.LoaderSignature)]

namespace SSM.MLNet;

/// <summary>
/// A trained SSM anomaly detector as an ML.NET transformer: adds a Score (<see cref="float"/>), a PredictedLabel
/// (<see cref="bool"/>) and an AnomalyMap (vector of S² <see cref="float"/>) column. <see cref="Transform"/> is lazy and
/// streams: its cursors read up to <see cref="ScoringBatchSize"/> rows ahead and score them in one engine call, never the
/// whole input; a PredictionEngine scores one row at a time. Saved and loaded with <c>mlContext.Model.Save</c> / <c>mlContext.Model.Load</c>; the
/// network weights travel inside the model zip and are read once per load.
/// Dispose it (or the chain holding it) to free the network's native memory early.
/// </summary>
// ITransformer is listed again on purpose: RowToRowTransformerBase.Transform is not virtual, so this class re-implements
// the interface to route ITransformer.Transform (TransformerChain, mlContext.Model.Load results) to its own batching view;
// every other ITransformer member keeps the base class's implementation.
public sealed partial class SsmAnomalyTransformer : RowToRowTransformerBase, ITransformer, IDisposable
{
    internal const string UserName = "SSM Anomaly Detection";
    internal const string LoaderSignature = "SsmAnomalyXf";
    internal const string WeightsEntryName = "SsmModel.bin";

    /// <summary>Rows scored per engine call by <see cref="Transform"/> when a model does not say otherwise (also for models saved before the setting existed).</summary>
    public const int DefaultScoringBatchSize = 4;

    /// <summary>Largest accepted <see cref="ScoringBatchSize"/>: every read-ahead row is held in memory, and the engine's gain ends long before.</summary>
    public const int MaxScoringBatchSize = 1024;

    private readonly SharedModel shared;
    private readonly SsmInput input;
    private int disposeCount;   // set once, by the first Dispose; read by scoring threads
    private bool IsDisposed => Volatile.Read(ref disposeCount) != 0;

    internal SsmAnomalyTransformer(IHostEnvironment env, SsmModel model, SsmInput input, string scoreColumnName,
        string predictedLabelColumnName, string? anomalyMapColumnName, SsmScoreNormalization normalization, float? threshold,
        int scoringBatchSize)
        : this(env, new SharedModel(model), input, scoreColumnName, predictedLabelColumnName, anomalyMapColumnName, normalization, threshold,
            scoringBatchSize)
    {
    }

    private SsmAnomalyTransformer(IHostEnvironment env, SharedModel shared, SsmInput input, string scoreColumnName,
        string predictedLabelColumnName, string? anomalyMapColumnName, SsmScoreNormalization normalization, float? threshold,
        int scoringBatchSize)
        : base(Contracts.CheckRef(env, nameof(env)).Register(nameof(SsmAnomalyTransformer)))
    {
        Host.CheckNonEmpty(scoreColumnName, nameof(scoreColumnName));
        Host.CheckNonEmpty(predictedLabelColumnName, nameof(predictedLabelColumnName));
        CheckScoringBatchSize(Host, scoringBatchSize);
        var calibration = shared.Model.Calibration ?? throw new InvalidOperationException("The model has no calibration.");
        Threshold = threshold ?? DefaultThreshold(calibration, normalization);
        if (!float.IsFinite(Threshold)) throw Host.ExceptParam(nameof(threshold), "The threshold must be a finite number.");
        ScoringBatchSize = scoringBatchSize;
        // Last: a constructor that throws must not hold a reference, or the network would never be freed.
        this.shared = shared.AddRef();
        this.input = input;
        ScoreColumnName = scoreColumnName;
        PredictedLabelColumnName = predictedLabelColumnName;
        AnomalyMapColumnName = string.IsNullOrEmpty(anomalyMapColumnName) ? null : anomalyMapColumnName;
        ScoreNormalization = normalization;
    }

    /// <summary>The trained engine model: its <see cref="SsmModel.Options"/> (image size, network widths, training and scoring settings) and <see cref="SsmModel.Calibration"/>. Shared, do not dispose.</summary>
    public SsmModel Model => shared.Model;

    /// <summary>Calibration from held-out normal images (raw engine scores): the basis of normalisation and the default threshold.</summary>
    public Calibration Calibration => shared.Model.Calibration ?? throw new InvalidOperationException("The model has no calibration.");

    /// <summary>Side S of the square images (or tiles) the network sees.</summary>
    public int ImageSize => Model.Options.ImageSize;

    /// <summary>Tiles each image is cut into (<see cref="SsmAnomalyDetectionOptions.Tiles"/>); null for whole images.</summary>
    public TileGrid? Tiles => Model.Options.Tiles;

    /// <summary>Width of the anomaly map: <see cref="ImageSize"/>, times the tiles across for a tiled model.</summary>
    public int MapWidth => Model.Options.ReadSize.Width;

    /// <summary>Height of the anomaly map: <see cref="ImageSize"/>, times the tiles down for a tiled model. The map has
    /// MapWidth × MapHeight values, row-major.</summary>
    public int MapHeight => Model.Options.ReadSize.Height;

    /// <summary>Colour channels of the model (1 = grayscale by luminance, 3 = RGB).</summary>
    public int Channels => Model.Options.Network.InputChannels;

    /// <summary>The input column's name.</summary>
    public string InputColumnName => input.ColumnName;

    /// <summary>How the input column is read (kind, channels, vector shape).</summary>
    internal SsmInput Input => input;

    /// <summary>
    /// Rows <see cref="Transform"/>'s cursors read ahead and score in one engine call (default
    /// <see cref="DefaultScoringBatchSize"/>; 1 = row at a time). Saved with the model; change it with <see cref="WithScoringBatchSize"/>.
    /// </summary>
    public int ScoringBatchSize { get; }

    /// <summary>Whether the model reads an image column, a float vector column, a text column of image file paths or a byte
    /// vector column of image files.</summary>
    public SsmInputKind InputKind => input.Kind;

    /// <summary>For <see cref="SsmInputKind.Path"/> input: the folder relative paths are resolved against (null: as given).</summary>
    public string? ImageFolder => input.ImageFolder;

    /// <summary>For file input (<see cref="SsmInputKind.Path"/>, <see cref="SsmInputKind.Encoded"/>): the most pixels an image's
    /// header may declare; a larger one is refused before it is decoded (<see cref="SsmAnomalyDetectionOptions.MaxImagePixels"/>;
    /// 0: no limit). Not saved: a loaded model has the default, 180 million.</summary>
    public long MaxImagePixels => input.MaxPixels;

    /// <summary>Whether the model turns image files (path and byte[] input) by their EXIF orientation, as photo viewers show
    /// them: true for models saved since 2026-12-01, false for older ones, which read files as stored. An image column
    /// (<c>MLImage</c>) comes as ML.NET decoded it, which does not turn it.</summary>
    public bool ReadsFilesUpright => input.Upright;

    /// <summary>Output column of the score.</summary>
    public string ScoreColumnName { get; }

    /// <summary>Output column of the decision Score ≥ Threshold.</summary>
    public string PredictedLabelColumnName { get; }

    /// <summary>Output column of the anomaly map, or null when the map is not output.</summary>
    public string? AnomalyMapColumnName { get; }

    /// <summary>How the Score column is scaled from the engine's raw score.</summary>
    public SsmScoreNormalization ScoreNormalization { get; }

    /// <summary>The name <see cref="ScoreNormalization"/> had before 2026-12-03.</summary>
    [Obsolete("Renamed ScoreNormalization.")]
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public SsmScoreNormalization Normalization => ScoreNormalization;

    /// <summary>Decision threshold on the Score column: PredictedLabel = Score ≥ Threshold.</summary>
    public float Threshold { get; }

    /// <summary>
    /// <see cref="Threshold"/> in the engine's raw units (standard deviations with standardised maps): the raw image score at
    /// which an image is flagged. For the AnomalyMap's units, where a contour is to be drawn, see <see cref="MapThreshold"/>.
    /// </summary>
    public float RawThreshold => LeastFloat.Where(raw => ConfusionCounts.Flags(Normalize(raw), Threshold),
        ScoreNormalization == SsmScoreNormalization.ZScore ? Calibration.NormalMean + Threshold * Calibration.NormalStd : Threshold);

    /// <summary>
    /// <see cref="Threshold"/> in the AnomalyMap's units for an image of this original size: the map value its maximum
    /// reaches exactly when the image is flagged (but for an image flagged by its contrast alone, far below the training
    /// images', whose map shows nothing: <see cref="SSM.Core.Scoring.Calibration.Contrast"/>), where the heat maps draw their contour. It is <see cref="RawThreshold"/>
    /// moved by <see cref="MapOffset"/>, which is 0 for a model trained on images of one size. Exact with one restoration
    /// error for map and score (<c>ImageScoreError</c> = <c>RestorationError</c>, the default since 2026-12-01); when they
    /// differ (a score from MS-GMS alone, the default of older models) the score comes from another map on the same scale,
    /// and an image can be flagged with no map pixel above this, or pass with some above it.
    /// </summary>
    /// <param name="width">The image's width before the model resized it.</param>
    /// <param name="height">Its height.</param>
    public float MapThreshold(int width, int height)
    {
        float offset = MapOffset(width, height), raw = RawThreshold;
        return LeastFloat.Where(value => !(value - offset < raw), raw + offset);
    }

    /// <summary>
    /// How far the AnomalyMap's maximum lies above the raw image score for an image of this original size: the size
    /// correction takes away the normal map level from the map and the normal maximum from the score
    /// (<see cref="SizeEffect.MapOffset"/>). 0 for a model trained on images of one size. On a walkthrough's photos of
    /// 300-360 px it was about 3.4 units: contours drawn at <see cref="RawThreshold"/> outlined images that passed.
    /// </summary>
    public float MapOffset(int width, int height)
    {
        // A size of 0 or less was taken as 1 and gave a threshold for a 1-pixel image without a word.
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        // A tiled model's correction was learnt on tiles: each judged by the part of its image it was cut from.
        var (w, h) = Tiles?.TileSourceSize((width, height)) ?? (width, height);
        return Calibration.SizeEffect?.MapOffset(Math.Log((double)w * h)) ?? 0f;
    }

    /// <summary>
    /// The AnomalyMap value from which a predicted mask marks a pixel (<see cref="SsmHeatMap.PredictedMask(SsmAnomalyTransformer, string, float[])"/>,
    /// <c>ssm predict --masks</c>), in every image whether flagged or not, as anomalib's pixel threshold; null (the default):
    /// each image's <see cref="MapThreshold"/>, so a mask marks where the verdict comes from and nothing in an image that
    /// passes. The verdict's line marks only the peaks of a defect: on a walkthrough's fabric it found 12 % of the defect
    /// pixels, where the test set's best pixel threshold (<c>ssm evaluate</c>'s <c>--mask-threshold</c> suggestion,
    /// metrics.json's <c>pixelF1Threshold</c>) found most of them. Set it with <see cref="WithMaskThreshold"/>.
    /// </summary>
    public float? MaskThreshold { get; private set; }

    /// <summary>The map value a predicted mask of an image of this original size marks from: <see cref="MaskThreshold"/>,
    /// else <see cref="MapThreshold"/>.</summary>
    /// <param name="width">The image's width before the model resized it.</param>
    /// <param name="height">Its height.</param>
    public float MaskThresholdFor(int width, int height) => MaskThreshold ?? MapThreshold(width, height);

    /// <summary>
    /// A transformer identical to this one but whose predicted masks mark every AnomalyMap value at or above
    /// <paramref name="maskThreshold"/> (map units; <see cref="MaskThreshold"/>), or, with null, where the verdict lies
    /// again. Scores and labels do not change; the network is shared, as with <see cref="WithThreshold"/>. Saving the
    /// result saves the mask threshold.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maskThreshold"/> is not a finite number.</exception>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer WithMaskThreshold(float? maskThreshold)
    {
        if (maskThreshold is { } t && !float.IsFinite(t))
            throw new ArgumentOutOfRangeException(nameof(maskThreshold), t, "The mask threshold must be a finite number, or null for the verdict's own line.");
        ThrowIfDisposed();
        var copy = Copy();
        copy.MaskThreshold = maskThreshold;
        return copy;
    }

    /// <summary>
    /// A transformer identical to this one but with another decision threshold (in Score units). No retraining: the
    /// network is shared (it stays alive until every transformer using it is disposed). Saving the result saves the new threshold.
    /// </summary>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer WithThreshold(float threshold)
    {
        ThrowIfDisposed();   // now, not at the copy's first use: the copy would share a network that may be freed
        return Copy(threshold: threshold);
    }

    /// <summary>
    /// A transformer identical to this one but calibrated on the normal images of <paramref name="normalImages"/> (this
    /// model's input column, as for <see cref="Transform"/>) instead of the training's held-out images: the normal scores the
    /// Score and the threshold stand on, the anomaly maps' standardisation, the size correction, the refinement threshold
    /// and the contrast of normal frames are learnt again from them (<see cref="SsmModel.Recalibrated"/>); the network is
    /// not trained. For normal images taken after a change of lamp, camera or part, or more of them than the training held
    /// out; the network must not have trained on them, or their scores are lower than a new image's. The result owns a copy
    /// of the network: dispose it as well as this one. Saving it saves the new calibration.
    /// </summary>
    /// <param name="normalImages">Rows of normal images only; every row is read, and those that cannot be are an error naming
    /// each, as in <c>Fit</c>.</param>
    /// <param name="threshold">The decision threshold in Score units; null (the default): 3 standard deviations over the new
    /// normal scores. A threshold set on this transformer is not kept, nor is a <see cref="MaskThreshold"/>: both were chosen
    /// against the old calibration's scores and maps.</param>
    /// <param name="cancellation">Stops the reading between rows and the scoring between batches
    /// (<see cref="OperationCanceledException"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or of another type, or the threshold is not finite.</exception>
    /// <exception cref="InvalidOperationException">Images that cannot be read (each named), or fewer than
    /// <see cref="SsmModel.MinimumCalibrationImages"/>.</exception>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer Recalibrate(IDataView normalImages, float? threshold = null, CancellationToken cancellation = default)
    {
        Host.CheckValue(normalImages, nameof(normalImages));
        if (threshold is { } t && !float.IsFinite(t))
            throw Host.ExceptParam(nameof(threshold), "The threshold must be a finite number, or null for the default.");
        ThrowIfDisposed();
        var options = Model.Options;
        using var ch = Host.Start("Calibrating SSM");
        var rows = ReadNormalRows(ch, normalImages, "calibration", "Calibrating", SsmModel.MinimumCalibrationImages, cancellation);
        int count = rows.Images.ImageCount;
        if (rows.Anomalous > 0) ch.Warning(AnomalousTrainingRows.CalibrationWarning(rows.Anomalous, count));
        if (FitWarnings.FewCalibrationImages(count, options) is { } few) ch.Warning(few);
        // Followed as a training's calibration is: minutes on large or tiled images.
        var progress = TrainingLog.Calibration(ch, count, "");
        return Around(UseModel(() => Model.Recalibrated(rows.Images, progress, cancellation: cancellation)), threshold, result =>
        {
            var calibration = result.Calibration;
            ch.Info("SSM: calibrated on {0} normal images: raw score mean {1:G4} (before: {2:G4}), std {3:G4} (before: {4:G4}); decision threshold {5:G4} ({6}).",
                count, calibration.NormalMean, Calibration.NormalMean, calibration.NormalStd, Calibration.NormalStd, result.Threshold, ThresholdUnits(ScoreNormalization, "calibration"));
            if (FitWarnings.NoSpread(calibration, recalibrated: true) is { } flat) ch.Warning(flat);
        });
    }

    /// <summary>Reads the normal images of <paramref name="rows"/> from this model's input column, as <c>Fit</c> does, and
    /// refuses fewer than <paramref name="minimum"/>; <paramref name="what"/> and <paramref name="doing"/> name them in messages.</summary>
    private NormalImageRows ReadNormalRows(IChannel ch, IDataView rows, string what, string doing, int minimum, CancellationToken cancellation)
    {
        int col = input.CheckColumn(Host, rows.Schema);
        var read = NormalImageRows.Read(Host, ch, rows, input, col, Model.Options, what, cancellation);
        int count = read.Images.ImageCount;
        if (count < minimum)
            throw new InvalidOperationException($"{doing} needs at least {minimum} normal images in column '{InputColumnName}'; got {count}.");
        return read;
    }

    /// <summary>A transformer like this one (columns, score scaling, batch size) around <paramref name="made"/>, a model of its
    /// own, with <paramref name="threshold"/> (null: its default); <paramref name="said"/> logs it. <paramref name="made"/> is
    /// disposed when either fails.</summary>
    private SsmAnomalyTransformer Around(SsmModel made, float? threshold, Action<SsmAnomalyTransformer> said)
    {
        try
        {
            var result = new SsmAnomalyTransformer(Host, made, input, ScoreColumnName, PredictedLabelColumnName, AnomalyMapColumnName,
                ScoreNormalization, threshold, ScoringBatchSize);
            said(result);
            return result;
        }
        catch
        {
            made.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A transformer whose network is this one's trained further on the normal images of <paramref name="normalImages"/> (this
    /// model's input column, as for <see cref="Transform"/>), and calibrated on a held-out share of them
    /// (<see cref="SsmTrainer.FineTune"/>): for normal images the network restores worse than its training images (a moved
    /// part or camera, a new batch or variant of the product), in a fraction of a training's time. Where the network still
    /// restores them and only the scores moved, <see cref="Recalibrate"/> is enough and takes seconds. The network is trained
    /// on these rows alone: give the old normal images with the new ones when both must stay normal. The network's shape, its
    /// input and its scoring are this model's; <paramref name="options"/> set the schedule. Progress goes to the log as in
    /// <c>Fit</c>. The result owns its own network: dispose it as well as this one. Saving it saves the fine-tuned network,
    /// with the fine-tuning recorded (<see cref="SsmModel.FineTunings"/>).
    /// </summary>
    /// <param name="normalImages">Rows of normal images only (at least <see cref="SsmTrainer.MinimumImages"/>); every row is read,
    /// and those that cannot be are an error naming each, as in <c>Fit</c>.</param>
    /// <param name="options">Epochs, learning rate, threshold and the rest; null: the defaults of <see cref="SsmFineTuningOptions"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or of another type, or an option is out of range
    /// (the message names it).</exception>
    /// <exception cref="InvalidOperationException">Images that cannot be read (each named), or fewer than <see cref="SsmTrainer.MinimumImages"/>.</exception>
    /// <exception cref="OperationCanceledException"><see cref="SsmFineTuningOptions.Cancellation"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer FineTune(IDataView normalImages, SsmFineTuningOptions? options = null)
    {
        Host.CheckValue(normalImages, nameof(normalImages));
        var o = options?.Copy() ?? new SsmFineTuningOptions();
        ThrowIfDisposed();
        var model = Model;
        var training = o.ToTraining(Host, model);
        var device = string.IsNullOrWhiteSpace(o.Device) ? model.Device : SsmDevice.Resolve(Host, o.Device);
        using var ch = Host.Start("Fine-tuning SSM");
        var rows = ReadNormalRows(ch, normalImages, "fine-tuning", "Fine-tuning", SsmTrainer.MinimumImages, o.Cancellation);
        int count = rows.Images.ImageCount;
        var tuningOptions = model.Options with { Training = training };
        var (heldOut, networkEntries, memory) = TrainingLog.Plan(tuningOptions, device, count);
        ch.Info("SSM: fine-tuning on {0} images ({1} for the network, {2} held out to calibrate), {3}{4} from learning rate {5:G3}, device {6}{7}.",
            count, count - heldOut, heldOut, training.Epochs is 1 ? "1 epoch" : $"{training.Epochs} epochs",
            training.TimeBudget is { } budget ? $" or {budget}" : "", training.LearningRate, device, TrainingLog.AtPeak(memory));
        TrainingLog.WarnBeforeRun(ch, rows, input, tuningOptions, memory, heldOut, fineTuning: true);
        var tuned = UseModel(() => TrainingLog.Run(Host, ch, tuningOptions, device, networkEntries, heldOut, o.Cancellation, fineTuning: true,
            (progress, steps, calibrating, cancellation) => SsmTrainer.FineTune(model, rows.Images, training, progress, device, cancellation, steps, calibrating)));
        return Around(tuned, o.Threshold, result =>
        {
            TrainingLog.Calibrated(ch, tuned);
            TrainingLog.Threshold(ch, result);
        });
    }

    /// <summary>
    /// A transformer identical to this one but whose <see cref="Transform"/> scores <paramref name="scoringBatchSize"/> rows per
    /// engine call (1 to <see cref="MaxScoringBatchSize"/>). The network is shared, as with <see cref="WithThreshold"/>.
    /// </summary>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer WithScoringBatchSize(int scoringBatchSize)
    {
        ThrowIfDisposed();
        return Copy(scoringBatchSize: scoringBatchSize);
    }

    /// <summary>
    /// A transformer identical to this one but reading relative paths from <paramref name="imageFolder"/> (null or empty: as
    /// given, from the current folder): for a loaded model whose paths are relative to another folder on this machine. The
    /// network is shared, as with <see cref="WithThreshold"/>. Saving the result saves the new folder.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model reads images, vectors or bytes, not file paths.</exception>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer WithImageFolder(string? imageFolder)
    {
        ThrowIfDisposed();
        if (InputKind != SsmInputKind.Path)
            throw new InvalidOperationException($"This model reads column '{InputColumnName}' as {InputKind}, not as file paths: it has no image folder.");
        ThrowIfBlank(imageFolder);
        return Copy(input with { ImageFolder = string.IsNullOrEmpty(imageFolder) ? null : imageFolder });
    }

    /// <summary>
    /// A transformer identical to this one but refusing image files whose header declares more than
    /// <paramref name="maxImagePixels"/> pixels (0: no limit), before decoding them; for a server that takes uploads, a
    /// limit of what it means to read. The network is shared, as with <see cref="WithThreshold"/>. Not saved.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model reads <c>LoadImages</c> pictures or pixel vectors, which arrive decoded.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxImagePixels"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer WithMaxImagePixels(long maxImagePixels)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(maxImagePixels);
        if (!input.ReadsFiles)
            throw new InvalidOperationException($"This model reads column '{InputColumnName}' as {InputKind}, which arrives decoded: it has no file to refuse.");
        return Copy(input with { MaxPixels = maxImagePixels });
    }

    /// <summary>
    /// A transformer identical to this one but reading whole image files from the <c>byte[]</c> column
    /// <paramref name="inputColumnName"/> (<see cref="SsmInputKind.Encoded"/>): to serve uploads with a model trained on file
    /// paths, such as <c>ssm train</c>'s. Paths and bytes are decoded by the same reader, so an upload scores exactly as its
    /// file does. The network is shared, as with <see cref="WithThreshold"/>. Saving the result saves the new input.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model reads <c>LoadImages</c> pictures or pixel vectors, which are decoded
    /// otherwise (not turned upright, or not decoded at all): it cannot read files.</exception>
    /// <exception cref="ArgumentException"><paramref name="inputColumnName"/> is null, blank or the name of an output column.</exception>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer WithBytesInput(string inputColumnName) => WithFileInput(SsmInputKind.Encoded, inputColumnName, null);

    /// <summary>
    /// A transformer identical to this one but reading image files from the paths in the text column
    /// <paramref name="inputColumnName"/> (<see cref="SsmInputKind.Path"/>; relative ones from <paramref name="imageFolder"/>):
    /// a model trained on uploaded bytes, run on files (<c>ssm evaluate</c> and <c>predict</c> do so). As
    /// <see cref="WithBytesInput"/> otherwise.
    /// </summary>
    /// <exception cref="InvalidOperationException">As for <see cref="WithBytesInput"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="inputColumnName"/> is null, blank or the name of an output column.</exception>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer WithPathInput(string inputColumnName, string? imageFolder = null) =>
        WithFileInput(SsmInputKind.Path, inputColumnName, imageFolder);

    private SsmAnomalyTransformer WithFileInput(SsmInputKind kind, string inputColumnName, string? imageFolder)
    {
        ThrowIfDisposed();
        ArgumentException.ThrowIfNullOrWhiteSpace(inputColumnName);
        if (inputColumnName == ScoreColumnName || inputColumnName == PredictedLabelColumnName || inputColumnName == AnomalyMapColumnName)
            throw new ArgumentException($"'{inputColumnName}' is the name of one of this model's output columns, which would hide the images it reads: name the input otherwise.", nameof(inputColumnName));
        ThrowIfBlank(imageFolder);
        if (!input.ReadsFiles)
            throw new InvalidOperationException($"This model reads column '{InputColumnName}' as {InputKind}, not as image files: it was trained on what " +
                (InputKind == SsmInputKind.Image ? "LoadImages decoded (not turned by EXIF orientation)" : "pixel vectors") + ", so it cannot read files as it was trained. A model trained on a column of file paths (InputColumnName naming a text column) reads paths and bytes alike.");
        return Copy(input with { ColumnName = inputColumnName, Kind = kind, ImageFolder = kind == SsmInputKind.Path && !string.IsNullOrEmpty(imageFolder) ? imageFolder : null });
    }

    // Blanks name no folder: refused as the options refuse them, not joined to every path.
    private static void ThrowIfBlank(string? imageFolder, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(imageFolder))] string? parameter = null)
    {
        if (imageFolder is { Length: > 0 } && string.IsNullOrWhiteSpace(imageFolder))
            throw new ArgumentException("Give a folder path, or null or empty for paths as given.", parameter);
    }

    /// <summary>This transformer with one thing changed, sharing its network (the With... methods).</summary>
    private SsmAnomalyTransformer Copy(SsmInput? input = null, float? threshold = null, int? scoringBatchSize = null) =>
        new(Host, shared, input ?? this.input, ScoreColumnName, PredictedLabelColumnName, AnomalyMapColumnName, ScoreNormalization,
            threshold ?? Threshold, scoringBatchSize ?? ScoringBatchSize) { MaskThreshold = MaskThreshold };

    /// <summary>A path of the input column as the model reads it: combined with <see cref="ImageFolder"/> when one is set.</summary>
    internal string ResolvePath(string path) => input.ResolvePath(path);

    /// <summary>The size of the image file at <paramref name="path"/> (resolved as <see cref="ResolvePath"/>) as the model reads
    /// it: upright by its EXIF orientation when <see cref="ReadsFilesUpright"/>.</summary>
    internal (int Width, int Height) FileSize(string path) => ImageFile.ReadSize(ResolvePath(path), ReadsFilesUpright);

    internal static void CheckScoringBatchSize(IExceptionContext ectx, int scoringBatchSize)
    {
        if (scoringBatchSize < 1 || scoringBatchSize > MaxScoringBatchSize)
            throw ectx.ExceptParam(nameof(SsmAnomalyDetectionOptions.ScoringBatchSize),
                $"{nameof(SsmAnomalyDetectionOptions.ScoringBatchSize)} must be between 1 and {MaxScoringBatchSize}; got {scoringBatchSize}.");
    }

    /// <summary>
    /// Adds the Score, PredictedLabel and AnomalyMap columns to <paramref name="input"/>, lazily: a cursor reads up to
    /// <see cref="ScoringBatchSize"/> rows ahead of its consumer (only when one of these columns is asked for), scores them
    /// in one engine call and serves them row by row; input columns pass through unchanged. An error in one row (an
    /// unreadable image, a bad vector) is thrown when that row's output is read, naming the column and the row.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or has the wrong type.</exception>
    public new IDataView Transform(IDataView input)
    {
        Host.CheckValue(input, nameof(input));
        ThrowIfDisposed();
        // The mapper checks the input column and gives the added columns, so the schema is exactly the row-at-a-time path's.
        var mapper = MakeRowMapper(input.Schema);
        return new SsmScoredDataView(Host, this, input, this.input.CheckColumn(Host, input.Schema), mapper.GetOutputColumns());
    }

    IDataView ITransformer.Transform(IDataView input) => Transform(input);

    /// <summary>The threshold used when none is given: 3 standard deviations above the mean held-out normal score.</summary>
    internal static float DefaultThreshold(Calibration calibration, SsmScoreNormalization normalization) =>
        normalization == SsmScoreNormalization.ZScore ? 3f : calibration.NormalMean + 3f * calibration.NormalStd;

    /// <summary>A threshold's units in words, for the logs: "standard deviations above the held-out normal images' mean
    /// score" (<paramref name="images"/> naming the images that set it) or "raw score".</summary>
    internal static string ThresholdUnits(SsmScoreNormalization normalization, string images) =>
        normalization == SsmScoreNormalization.ZScore ? $"standard deviations above the {images} images' mean score" : "raw score";

    /// <summary>Converts a raw engine score to Score-column units.</summary>
    public float Normalize(float rawScore) => ScoreNormalization == SsmScoreNormalization.ZScore
        ? (rawScore - Calibration.NormalMean) / Calibration.NormalStd
        : rawScore;

    /// <summary>Disposes this transformer's hold on the network; the network is freed when the last transformer sharing it is disposed.</summary>
    public void Dispose()
    {
        // Once, even when two threads dispose at once: a second Release would free a network other transformers share.
        if (Interlocked.Exchange(ref disposeCount, 1) == 0) shared.Release();
    }

    internal void ThrowIfDisposed()
    {
        if (IsDisposed)
            throw new ObjectDisposedException(nameof(SsmAnomalyTransformer),
                "This SSM model was disposed: by its own Dispose(), its TransformerChain's, a PredictionEngine made from it " +
                "(ML.NET's PredictionEngine disposes its transformer unless created with new PredictionEngineOptions { OwnsTransformer = false }), " +
                "or a PredictionEnginePool that replaced it with a newer model file.");
    }

    /// <summary>Scores one image already converted to engine form: the row-at-a-time mapper's call.</summary>
    internal (float Score, float[] Map) ScoreOne(FloatImage image)
    {
        var result = Score([image], batchSize: 1)[0];
        return (Normalize(result.Score), result.Map);
    }

    /// <summary>The engine's raw scores. A Dispose on another thread waits for a call already scoring; a call it
    /// overtakes gets this transformer's message, which names what disposes it, rather than the engine's.</summary>
    internal IReadOnlyList<SSM.Core.ImageScore> Score(IReadOnlyList<FloatImage> images, int batchSize) => UseModel(() => Model.Score(images, batchSize));

    /// <summary>Runs <paramref name="work"/> on the model, with this transformer's message if a Dispose overtakes it.</summary>
    private T UseModel<T>(Func<T> work)
    {
        ThrowIfDisposed();
        try { return work(); }
        catch (ObjectDisposedException) when (IsDisposed)
        {
            ThrowIfDisposed();
            throw;
        }
    }

    /// <summary>The SSM step of a model: <paramref name="model"/> itself, or the one SSM transformer of a chain (what
    /// <c>mlContext.Model.Load</c> returns for a saved pipeline).</summary>
    /// <exception cref="ArgumentException">The model holds no SSM transformer, or more than one.</exception>
    public static SsmAnomalyTransformer From(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is SsmAnomalyTransformer ssm) return ssm;
        var found = (model as IEnumerable<ITransformer>)?.OfType<SsmAnomalyTransformer>().Take(2).ToList() ?? [];
        return found.Count == 1 ? found[0]
            : throw new ArgumentException(found.Count == 0 ? "The model holds no SSM anomaly detector." : "The model holds more than one SSM anomaly detector.", nameof(model));
    }

    /// <summary>The engine model with a reference count, so transformers made by <see cref="WithThreshold"/> share one network.</summary>
    private sealed class SharedModel(SsmModel model)
    {
        private int references;
        public SsmModel Model { get; } = model;

        public SharedModel AddRef()
        {
            Interlocked.Increment(ref references);
            return this;
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref references) == 0) Model.Dispose();
        }
    }
}
