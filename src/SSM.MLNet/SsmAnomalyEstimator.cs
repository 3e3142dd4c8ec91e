using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Network;
using SSM.Core.Scoring;
using SSM.Core.Training;

namespace SSM.MLNet;

/// <summary>
/// Trains an SSM anomaly detector on normal (defect-free) images. Made by
/// <see cref="SsmCatalog.DetectAnomaliesSsm(TransformsCatalog, SsmAnomalyDetectionOptions)"/>.
/// <see cref="Fit"/> reads every row of the input column, trains the inpainting network, calibrates the score
/// normalisation and threshold on held-out normal images, and reports progress through the MLContext's <c>Log</c> event.
/// </summary>
public sealed class SsmAnomalyEstimator : IEstimator<SsmAnomalyTransformer>
{
    private readonly IHost host;
    private readonly IHostEnvironment env;
    private readonly SsmAnomalyDetectionOptions settings;

    internal SsmAnomalyEstimator(IHostEnvironment env, SsmAnomalyDetectionOptions options)
    {
        this.env = Contracts.CheckRef(env, nameof(env));
        host = env.Register(nameof(SsmAnomalyEstimator));
        host.CheckValue(options, nameof(options));
        // A copy, taken now (as ML.NET's KMeans takes its settings; not every ML.NET trainer does): a sweep that makes
        // estimators from one options object, changing it between them, trained each with the last values (a walkthrough:
        // Epochs 1 and 3, both trained 3). Checked after copying, so what Fit uses is what was checked.
        settings = options.Copy();
        CheckOptions(host, settings);
        EngineOptions = ToEngineOptions(settings, null);
        // CheckOptions holds every option here to the engine's range or a narrower one (SmoothingSigma to ImageSize, where the
        // engine takes 4 sides so that older models load); this backstop catches a range the engine narrows later.
        EngineOptions.ValidateForTraining();
    }

    /// <summary>
    /// Checks every option up front, as ML.NET's estimators do, so that a bad value fails before any data is read and the
    /// message names the option as the user set it (not the engine setting it becomes), the value and what is allowed.
    /// </summary>
    private static void CheckOptions(IExceptionContext ectx, SsmAnomalyDetectionOptions o)
    {
        Check(ectx, !string.IsNullOrEmpty(o.InputColumnName), nameof(o.InputColumnName), o.InputColumnName, "a column name");
        Check(ectx, !string.IsNullOrEmpty(o.ScoreColumnName), nameof(o.ScoreColumnName), o.ScoreColumnName, "a column name");
        Check(ectx, !string.IsNullOrEmpty(o.PredictedLabelColumnName), nameof(o.PredictedLabelColumnName), o.PredictedLabelColumnName, "a column name");
        // Two outputs of one name: the later hides the earlier, and Score or PredictedLabel would vanish from the output.
        Check(ectx, o.PredictedLabelColumnName != o.ScoreColumnName, nameof(o.PredictedLabelColumnName), o.PredictedLabelColumnName,
            $"a name other than ScoreColumnName ('{o.ScoreColumnName}')");
        Check(ectx, o.AnomalyMapColumnName is null || o.AnomalyMapColumnName != o.ScoreColumnName && o.AnomalyMapColumnName != o.PredictedLabelColumnName,
            nameof(o.AnomalyMapColumnName), o.AnomalyMapColumnName, $"null or a name other than ScoreColumnName ('{o.ScoreColumnName}') and PredictedLabelColumnName ('{o.PredictedLabelColumnName}')");
        // An output named as the input hides it: the evaluator and a second model in the chain read the input by that name.
        foreach (var (option, name) in new[] { (nameof(o.ScoreColumnName), o.ScoreColumnName), (nameof(o.PredictedLabelColumnName), o.PredictedLabelColumnName),
                     (nameof(o.AnomalyMapColumnName), o.AnomalyMapColumnName) })
            Check(ectx, name != o.InputColumnName, option, name, $"a name other than InputColumnName ('{o.InputColumnName}'), whose images it would hide");
        Check(ectx, o.Channels is 1 or 3, nameof(o.Channels), o.Channels, "1 (grayscale) or 3 (RGB)");
        Check(ectx, o.BaseWidth >= InpaintingNetworkOptions.MinTrainingBaseWidth && o.BaseWidth <= InpaintingNetworkOptions.MaxBaseWidth, nameof(o.BaseWidth), o.BaseWidth,
            $"between {InpaintingNetworkOptions.MinTrainingBaseWidth} and {InpaintingNetworkOptions.MaxBaseWidth}");
        Check(ectx, o.Depth is >= InpaintingNetworkOptions.MinDepth and <= InpaintingNetworkOptions.MaxDepth, nameof(o.Depth), o.Depth,
            $"between {InpaintingNetworkOptions.MinDepth} and {InpaintingNetworkOptions.MaxDepth}");
        int multiple = new InpaintingNetworkOptions { Depth = o.Depth }.SizeMultiple, smallest = SsmOptions.SmallestImageSize(o.Depth);
        Check(ectx, o.ImageSize >= smallest && o.ImageSize <= SsmOptions.MaxImageSize && o.ImageSize % multiple == 0, nameof(o.ImageSize), o.ImageSize,
            $"a multiple of {multiple} (2^(Depth-1) for Depth {o.Depth}) from {smallest} to {SsmOptions.MaxImageSize}");
        Check(ectx, o.MaxImagePixels >= 0, nameof(o.MaxImagePixels), o.MaxImagePixels, "0 (no limit) or more");
        Check(ectx, o.Tiles is null || o.Tiles.InRange, nameof(o.Tiles), o.Tiles,
            $"null (whole images) or from 1 to {TileGrid.MaxTiles} tiles across and down");
        Check(ectx, o.Epochs is null or >= 1, nameof(o.Epochs), o.Epochs, "at least 1, or null for the default");
        Check(ectx, o.TrainingTime is null || o.TrainingTime > TimeSpan.Zero, nameof(o.TrainingTime), o.TrainingTime, "positive, or null for no limit");
        Check(ectx, o.BatchSize >= 1, nameof(o.BatchSize), o.BatchSize, "at least 1");
        Check(ectx, o.LearningRate > 0 && o.LearningRate <= TrainingOptions.MaxLearningRate, nameof(o.LearningRate), o.LearningRate,
            $"a positive number, at most {TrainingOptions.MaxLearningRate:G3}");
        Check(ectx, o.HoldoutFraction is > 0 and < TrainingOptions.MaxHoldoutFraction, nameof(o.HoldoutFraction), o.HoldoutFraction,
            $"greater than 0 and less than {TrainingOptions.MaxHoldoutFraction}");
        CheckEnum(ectx, o.InputNormalization, nameof(o.InputNormalization));
        CheckEnum(ectx, o.RestorationError, nameof(o.RestorationError));
        if (o.ImageScoreError is { } scoreError) CheckEnum(ectx, scoreError, nameof(o.ImageScoreError));
        CheckEnum(ectx, o.TrainingPrecision, nameof(o.TrainingPrecision));
        CheckEnum(ectx, o.ScoringPrecision, nameof(o.ScoringPrecision));
        CheckEnum(ectx, o.ScoreNormalization, nameof(o.ScoreNormalization));
        Check(ectx, o.RefinementRounds is >= 1 and <= ScoringOptions.MaxRefinementRounds, nameof(o.RefinementRounds), o.RefinementRounds,
            $"between 1 and {ScoringOptions.MaxRefinementRounds}");
        Check(ectx, o.SmoothingSigma is null || o.SmoothingSigma >= 0 && o.SmoothingSigma <= o.ImageSize, nameof(o.SmoothingSigma), o.SmoothingSigma,
            $"from 0 (no smoothing) to ImageSize ({o.ImageSize}) pixels, or null for ImageSize / 32");
        Check(ectx, o.Threshold is null || float.IsFinite(o.Threshold.Value), nameof(o.Threshold), o.Threshold, "a finite number, or null for the default");
        Check(ectx, o.CheckpointEvery >= 1, nameof(o.CheckpointEvery), o.CheckpointEvery, "at least 1");
        Check(ectx, o.CheckpointFolder is null || !string.IsNullOrWhiteSpace(o.CheckpointFolder), nameof(o.CheckpointFolder), o.CheckpointFolder,
            "a folder path, or null for no checkpoints");
        Check(ectx, string.IsNullOrEmpty(o.ImageFolder) || !string.IsNullOrWhiteSpace(o.ImageFolder), nameof(o.ImageFolder), o.ImageFolder,
            "a folder path, or null for paths as given");
        Check(ectx, o.ScoringBatchSize is >= 1 and <= SsmAnomalyTransformer.MaxScoringBatchSize, nameof(o.ScoringBatchSize), o.ScoringBatchSize,
            $"between 1 and {SsmAnomalyTransformer.MaxScoringBatchSize}");
        Check(ectx, o.VectorWidth is null or >= 1, nameof(o.VectorWidth), o.VectorWidth, "a positive number of pixels, or null for image input");
        Check(ectx, o.VectorHeight is null or >= 1, nameof(o.VectorHeight), o.VectorHeight, "a positive number of pixels, or null for image input");
        Check(ectx, o.VectorWidth is null == o.VectorHeight is null, nameof(o.VectorHeight), o.VectorHeight,
            $"set with VectorWidth ({Show(o.VectorWidth)}): both for a pixel vector, neither for other input");
        // 65536 x 65536 overflowed the vector's length to 0, and the schema's message asked for a Vector<Single, 0>.
        Check(ectx, o.VectorWidth is not int vw || o.VectorHeight is not int vh || (long)o.Channels * vh * vw <= Array.MaxLength, nameof(o.VectorWidth), o.VectorWidth,
            string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"a width that with VectorHeight ({Show(o.VectorHeight)}) and Channels ({o.Channels}) fits a vector, at most {Array.MaxLength:N0} values"));
        // A vector smaller than the least image (or tile) was refused at every row, as a row's fault.
        Check(ectx, o.VectorWidth is not int width || o.VectorHeight is not int height
                    || ImageCache.SizeProblem("", (width, height)) is null && o.Tiles?.SizeProblem("", (width, height)) is null, nameof(o.VectorWidth), o.VectorWidth,
            $"a width that with VectorHeight ({Show(o.VectorHeight)}) gives images of at least {ImageCache.MinimumSide}x{ImageCache.MinimumSide} pixels" +
            (o.Tiles is { Count: > 1 } tiles ? $" in each of their {tiles} tiles" : ""));
        Check(ectx, float.IsFinite(o.VectorScale) && o.VectorScale > 0, nameof(o.VectorScale), o.VectorScale, "a positive number");
        Check(ectx, SsmDevice.IsValid(o.Device), nameof(o.Device), o.Device, SsmDevice.AcceptedForms);
    }

    private static void Check(IExceptionContext ectx, bool valid, string option, object? value, string allowed) =>
        CheckOption(ectx, valid, nameof(SsmAnomalyDetectionOptions), option, value, allowed);

    /// <summary>Throws ML.NET's user-argument error naming <paramref name="owner"/>.<paramref name="option"/>, its value and what
    /// is allowed, unless <paramref name="valid"/>.</summary>
    internal static void CheckOption(IExceptionContext ectx, bool valid, string owner, string option, object? value, string allowed)
    {
        if (!valid)
            throw ectx.ExceptUserArg(option, $"{owner}.{option} must be {allowed}; got {Show(value)}.");
    }

    private static void CheckEnum<T>(IExceptionContext ectx, T value, string option) where T : struct, Enum =>
        Check(ectx, Enum.IsDefined(value), option, value, "one of " + string.Join(", ", Enum.GetNames<T>()));

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"'{s}'",
        // An undefined enum value prints as its number, which is what the user cast.
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };

    /// <summary>A copy of the settings as they were when the estimator was made, which Fit uses: changing the object given then,
    /// or this copy, changes nothing.</summary>
    public SsmAnomalyDetectionOptions Options => settings.Copy();

    /// <summary>The engine settings <see cref="Options"/> give; Fit makes them again with the seed resolved.</summary>
    public SsmOptions EngineOptions { get; }

    private static SsmOptions ToEngineOptions(SsmAnomalyDetectionOptions o, int? contextSeed) => new()
    {
        ImageSize = o.ImageSize,
        Tiles = o.Tiles,
        Normalization = o.InputNormalization,
        Network = new InpaintingNetworkOptions { InputChannels = o.Channels, BaseWidth = o.BaseWidth, Depth = o.Depth },
        Training = new TrainingOptions
        {
            Epochs = o.Epochs,
            TimeBudget = o.TrainingTime,
            BatchSize = o.BatchSize,
            LearningRate = o.LearningRate,
            HoldoutFraction = o.HoldoutFraction,
            Flip = o.Flip,
            Rotate = o.Rotate,
            Seed = o.Seed ?? contextSeed ?? 0,
            CheckpointFolder = o.CheckpointFolder,
            CheckpointEvery = o.CheckpointEvery,
            Precision = o.TrainingPrecision,
        },
        Scoring = new ScoringOptions { RefinementRounds = o.RefinementRounds, Error = o.RestorationError, ImageScoreError = o.ImageScoreError ?? o.RestorationError, StandardizeMaps = o.StandardizeMaps,
            Precision = o.ScoringPrecision, SmoothingSigma = o.SmoothingSigma },
    };

    /// <summary>The option an engine setting comes from in <see cref="ToEngineOptions"/>, as a refused checkpoint names it to
    /// the user ("SsmAnomalyDetectionOptions.BaseWidth", not "Network.BaseWidth"); null for a setting these options do not set,
    /// which differs only between versions, or with one they do (cell sizes follow the image size).</summary>
    internal static string? OptionNamed(string engineSetting) => engineSetting switch
    {
        "ImageSize" => nameof(SsmAnomalyDetectionOptions.ImageSize),
        "Tiles" => nameof(SsmAnomalyDetectionOptions.Tiles),
        "Normalization" => nameof(SsmAnomalyDetectionOptions.InputNormalization),
        "Network.InputChannels" => nameof(SsmAnomalyDetectionOptions.Channels),
        "Network.BaseWidth" => nameof(SsmAnomalyDetectionOptions.BaseWidth),
        "Network.Depth" => nameof(SsmAnomalyDetectionOptions.Depth),
        "Training.Epochs" => nameof(SsmAnomalyDetectionOptions.Epochs),
        "Training.BatchSize" => nameof(SsmAnomalyDetectionOptions.BatchSize),
        "Training.LearningRate" => nameof(SsmAnomalyDetectionOptions.LearningRate),
        "Training.HoldoutFraction" => nameof(SsmAnomalyDetectionOptions.HoldoutFraction),
        "Training.Flip" => nameof(SsmAnomalyDetectionOptions.Flip),
        "Training.Rotate" => nameof(SsmAnomalyDetectionOptions.Rotate),
        "Training.Seed" => nameof(SsmAnomalyDetectionOptions.Seed),
        "Training.Precision" => nameof(SsmAnomalyDetectionOptions.TrainingPrecision),
        _ => null,
    } is { } option ? $"{nameof(SsmAnomalyDetectionOptions)}.{option}" : null;

    /// <summary>
    /// Checks the input column (an image, a vector of Single, text: image file paths, or a vector of Byte: image files) and returns the input schema plus the Score (Single),
    /// PredictedLabel (Boolean) and AnomalyMap (vector of ImageSize², or of MapHeight × MapWidth with tiles, Single) columns. Needs no training.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or has another type.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        host.CheckValue(inputSchema, nameof(inputSchema));
        SsmInput.CheckShape(host, inputSchema, settings);
        var columns = inputSchema.ToDictionary(c => c.Name);
        columns[settings.ScoreColumnName] = new SchemaShape.Column(settings.ScoreColumnName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.Single, false);
        columns[settings.PredictedLabelColumnName] = new SchemaShape.Column(settings.PredictedLabelColumnName, SchemaShape.Column.VectorKind.Scalar, BooleanDataViewType.Instance, false);
        if (!string.IsNullOrEmpty(settings.AnomalyMapColumnName))
            columns[settings.AnomalyMapColumnName] = new SchemaShape.Column(settings.AnomalyMapColumnName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false);
        return new SchemaShape(columns.Values);
    }

    /// <summary>
    /// Trains on every row of <paramref name="input"/> (all must be normal images; at least 4), then calibrates. Rows labelled
    /// anomalous in a column "Label" (Boolean true, a Single or Double above 0, or a two-valued key's anomalous key) are trained on
    /// too, with a warning.
    /// Progress (reading, epoch, loss, time) goes to the MLContext's <c>Log</c> event as Info messages whose source starts with "SsmAnomalyEstimator".
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Schema mismatch of the input column.</exception>
    /// <exception cref="InvalidOperationException">Images could not be read (the message names each one's row and file, after reading
    /// all rows), or too few rows; a <see cref="SSM.Core.Training.TrainingDivergedException"/> when the network's weights stopped
    /// being numbers (its message says what to change); a <see cref="CheckpointMismatchException"/> when
    /// <see cref="SsmAnomalyDetectionOptions.CheckpointFolder"/> holds the checkpoint of a training with other settings or images
    /// (its message names the options that differ).</exception>
    public SsmAnomalyTransformer Fit(IDataView input)
    {
        host.CheckValue(input, nameof(input));
        var ssmInput = SsmInput.FromSchema(host, input.Schema, settings);
        int col = ssmInput.CheckColumn(host, input.Schema);
        int? contextSeed = (env as IHostEnvironmentInternal)?.Seed;
        var options = ToEngineOptions(settings, contextSeed);
        options.ValidateForTraining();
        var device = SsmDevice.Resolve(env, settings.Device);

        using var ch = host.Start("Training SSM");
        var rows = NormalImageRows.Read(host, ch, input, ssmInput, col, options, "training", settings.Cancellation);
        var images = rows.Images;
        if (images.ImageCount < SsmTrainer.MinimumImages)
            throw new InvalidOperationException($"SSM needs at least {SsmTrainer.MinimumImages} normal training images in column '{settings.InputColumnName}'; got {images.ImageCount}.");
        var (heldOut, networkEntries, memory) = TrainingLog.Plan(options, device, images.ImageCount);
        int tiles = options.Grid.Count;
        ch.Info("SSM: training on {0} images ({1} for the network, {2} held out to calibrate) at {3}x{3}{11}, {4} channel(s), network width {5} depth {6}, up to {7}{8}, device {9}{10}.",
            images.ImageCount, images.ImageCount - heldOut, heldOut, options.ImageSize, options.Network.InputChannels, options.Network.BaseWidth, options.Network.Depth,
            options.EpochsOn(device) is 1 ? "1 epoch" : $"{options.EpochsOn(device)} epochs", TrainingLog.OrBudget(options.Training.TimeBudget), device,
            TrainingLog.AtPeak(memory),
            tiles > 1 ? $" in {options.Grid.Describe()} ({options.ReadSize.Width}x{options.ReadSize.Height} cut into {tiles})" : "");
        TrainingLog.WarnBeforeRun(ch, rows, ssmInput, options, memory, heldOut, fineTuning: false);
        SsmModel model;
        try
        {
            // Said only of a checkpoint the training will continue: one of other settings or images stops Fit here, before a word.
            if (SsmTrainer.CheckpointToContinue(images, options, device) is { } kept)
                ch.Info("SSM: continuing the training kept in '{0}' after epoch {1} of {2}{3}.", options.Training.CheckpointFolder!, kept.EpochsDone, kept.PlannedEpochs,
                    kept.EpochsDone < kept.PlannedEpochs ? "" : ": all its epochs ran, so its network is calibrated, not trained again");
            model = TrainingLog.Run(env, ch, options, device, networkEntries, heldOut, settings.Cancellation, fineTuning: false,
                (progress, steps, calibrating, cancellation) => SsmTrainer.Train(images, options, progress, device, cancellation, steps, calibrating));
        }
        catch (CheckpointMismatchException other)
        {
            throw other.Naming(OptionNamed);
        }
        catch (OperationCanceledException) when (options.Training.CheckpointFolder is { } folder)
        {
            ch.Info(SsmTrainer.ReadCheckpoint(folder) is { } saved
                ? $"SSM: stopped; the checkpoint in '{folder}' keeps epoch {saved.EpochsDone} of {saved.PlannedEpochs}: Fit with the same settings and images continues from there."
                : $"SSM: stopped before the first checkpoint (every {options.Training.CheckpointEvery} epochs): the next Fit starts from the beginning.");
            throw;
        }
        try
        {
            TrainingLog.Calibrated(ch, model);
            var transformer = new SsmAnomalyTransformer(env, model, ssmInput, settings.ScoreColumnName, settings.PredictedLabelColumnName,
                settings.AnomalyMapColumnName, settings.ScoreNormalization, settings.Threshold, settings.ScoringBatchSize);
            TrainingLog.Threshold(ch, transformer);
            return transformer;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Fewest held-out images whose threshold is more than a rough guess: the threshold sits 3 standard deviations
    /// above their mean score, and a standard deviation from n scores is itself uncertain by about 1/√(2(n−1)): a quarter at
    /// 10, half at 3. Fewer get a warning in the log.</summary>
    public const int MinCalibrationImages = 10;
}
