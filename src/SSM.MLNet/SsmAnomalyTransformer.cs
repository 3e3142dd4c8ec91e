using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Evaluation;
using SSM.Core.Scoring;
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
        if (!float.IsFinite(Threshold)) throw Host.ExceptParam(nameof(threshold), $"The threshold must be a finite number (in Score units); got {Threshold}.");
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
        // The mapper refuses a disposed transformer, checks the input column and gives the added columns, so the schema is
        // exactly the row-at-a-time path's.
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
