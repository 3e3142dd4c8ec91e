using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SSM.Core.Training;

namespace SSM.MLNet;

/// <summary>ML.NET catalog extensions for SSM image anomaly detection.</summary>
public static class SsmCatalog
{
    /// <summary>
    /// An estimator that learns what normal images look like and scores new ones: adds Score (<see cref="float"/>,
    /// z-score against held-out normal images), PredictedLabel (<see cref="bool"/>, Score ≥ 3) and AnomalyMap
    /// (<paramref name="imageSize"/>² <see cref="float"/> values, row-major). Train it on normal images only.
    /// Every default, including those of the settings this overload does not take, is that of <see cref="SsmAnomalyDetectionOptions"/>.
    /// </summary>
    /// <param name="catalog">The transforms catalog (<c>mlContext.Transforms</c>).</param>
    /// <param name="inputColumnName">
    /// Input column. Default "Image" (<see cref="SsmAnomalyDetectionOptions.DefaultInputColumnName"/>). An image column (<c>MLImage</c>, any size, e.g. from <c>LoadImages</c>), or a text column
    /// of image file paths that the model reads itself, strictly (a truncated or corrupt file fails naming its path, where
    /// <c>LoadImages</c> decodes part of it); relative paths are used as given here, set
    /// <see cref="SsmAnomalyDetectionOptions.ImageFolder"/> through the options overload to resolve them against a folder.
    /// A float vector column needs the options overload (its width and height).
    /// </param>
    /// <param name="scoreColumnName">Output score column. Default "Score".</param>
    /// <param name="predictedLabelColumnName">Output decision column. Default "PredictedLabel".</param>
    /// <param name="anomalyMapColumnName">Output anomaly map column; null for none. Default "AnomalyMap".</param>
    /// <param name="imageSize">Side S the images are resized to. Default 64 (<see cref="SsmAnomalyDetectionOptions.DefaultImageSize"/>).</param>
    /// <param name="channels">1 (grayscale, default: <see cref="SsmAnomalyDetectionOptions.DefaultChannels"/>) or 3 (RGB).</param>
    /// <param name="epochs">Training epochs. Default null: 105 where training runs in bfloat16, else 70 (<see cref="SsmAnomalyDetectionOptions.Epochs"/>).</param>
    /// <param name="trainingTime">Optional time limit for training; null (default) for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names the option, the value and what is allowed).</exception>
    public static SsmAnomalyEstimator DetectAnomaliesSsm(this TransformsCatalog catalog,
        string inputColumnName = SsmAnomalyDetectionOptions.DefaultInputColumnName,
        string scoreColumnName = SsmAnomalyDetectionOptions.DefaultScoreColumnName,
        string predictedLabelColumnName = SsmAnomalyDetectionOptions.DefaultPredictedLabelColumnName,
        string? anomalyMapColumnName = SsmAnomalyDetectionOptions.DefaultAnomalyMapColumnName,
        int imageSize = SsmAnomalyDetectionOptions.DefaultImageSize, int channels = SsmAnomalyDetectionOptions.DefaultChannels,
        int? epochs = null, TimeSpan? trainingTime = null)
        => DetectAnomaliesSsm(catalog, new SsmAnomalyDetectionOptions
        {
            InputColumnName = inputColumnName,
            ScoreColumnName = scoreColumnName,
            PredictedLabelColumnName = predictedLabelColumnName,
            AnomalyMapColumnName = anomalyMapColumnName,
            ImageSize = imageSize,
            Channels = channels,
            Epochs = epochs,
            TrainingTime = trainingTime,
        });

    /// <summary>
    /// An SSM anomaly detection estimator with every setting given by <paramref name="options"/>. The input column
    /// (<see cref="SsmAnomalyDetectionOptions.InputColumnName"/>) may be an image column, a vector of Single
    /// (<see cref="SsmAnomalyDetectionOptions.VectorWidth"/> x <see cref="SsmAnomalyDetectionOptions.VectorHeight"/> x channels values; of
    /// unknown size, each row's length is checked), a text
    /// column of image file paths (relative to <see cref="SsmAnomalyDetectionOptions.ImageFolder"/>), read strictly, or a vector
    /// of Byte (<c>byte[]</c>) of whole image files, decoded as strictly.
    /// </summary>
    /// <param name="catalog">The transforms catalog (<c>mlContext.Transforms</c>).</param>
    /// <param name="options">The settings; see <see cref="SsmAnomalyDetectionOptions"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names the option, the value and what is allowed).</exception>
    /// <example>
    /// <code>
    /// var estimator = mlContext.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions
    ///     { InputColumnName = "ImagePath", ImageFolder = "images" });   // paths read strictly, no LoadImages
    /// </code>
    /// </example>
    public static SsmAnomalyEstimator DetectAnomaliesSsm(this TransformsCatalog catalog, SsmAnomalyDetectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new SsmAnomalyEstimator(CatalogUtils.GetEnvironment(catalog), options);
    }

    /// <summary>
    /// The model calibrated on other normal images, with its network as trained: see <see cref="SsmAnomalyTransformer.Recalibrate"/>.
    /// <paramref name="model"/> is an SSM transformer or a chain holding one (what <c>Fit</c> of a pipeline and
    /// <c>mlContext.Model.Load</c> return); the steps before it turn <paramref name="normalImages"/> into its input, as when
    /// scoring, and the result is the chain with that step replaced. The other steps are <paramref name="model"/>'s own, not
    /// copies: dispose the result's SSM step (<c>SsmAnomalyTransformer.From(result).Dispose()</c>), which holds its own copy
    /// of the network, and not the whole chain, whose <c>Dispose</c> would also dispose <paramref name="model"/>'s disposable
    /// steps (an ONNX or TensorFlow step; <c>LoadImages</c>, <c>ResizeImages</c> and the like hold nothing to dispose).
    /// </summary>
    /// <param name="catalog">The anomaly detection catalog (<c>mlContext.AnomalyDetection</c>).</param>
    /// <param name="model">The trained model.</param>
    /// <param name="normalImages">Normal images the network has not trained on, in the columns <paramref name="model"/> reads.</param>
    /// <param name="threshold">The decision threshold in Score units; null (default): 3 standard deviations over the new normal scores.</param>
    /// <example>
    /// <code>
    /// // A new lamp: calibrate on 100 good images taken under it, then save as usual.
    /// var relit = mlContext.AnomalyDetection.RecalibrateSsm(model, mlContext.Data.LoadFromEnumerable(goodUnderNewLamp));
    /// mlContext.Model.Save(relit, schema, "model-new-lamp.zip");
    /// SsmAnomalyTransformer.From(relit).Dispose();   // its network; the other steps are model's
    /// </code>
    /// </example>
    /// <param name="cancellation">Stops the reading between rows and the scoring between batches (<see cref="OperationCanceledException"/>).</param>
    /// <exception cref="ArgumentException"><paramref name="model"/> holds no SSM transformer, or more than one.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The rows lack a column the model reads (its first steps' or the SSM step's), or
    /// the threshold is not finite.</exception>
    /// <exception cref="InvalidOperationException">Images that cannot be read (each named), or fewer than 2.</exception>
    public static ITransformer RecalibrateSsm(this AnomalyDetectionCatalog catalog, ITransformer model, IDataView normalImages, float? threshold = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return WithSsmStepMadeAgain(model, normalImages, nameof(normalImages), (ssm, rows) => ssm.Recalibrate(rows, threshold, cancellation));
    }

    /// <summary>
    /// The model with its network trained further on other normal images, for <paramref name="epochs"/> epochs: see
    /// <see cref="SsmAnomalyTransformer.FineTune"/>. <paramref name="model"/> is an SSM transformer or a chain holding one, as for
    /// <see cref="RecalibrateSsm"/>, whose words on the chain's other steps and on disposing hold here too.
    /// </summary>
    /// <param name="catalog">The anomaly detection catalog (<c>mlContext.AnomalyDetection</c>).</param>
    /// <param name="model">The trained model.</param>
    /// <param name="normalImages">Normal images, in the columns <paramref name="model"/> reads: the new ones, with old ones where
    /// both must stay normal.</param>
    /// <param name="epochs">Passes over the images. Default null: <see cref="SsmTrainer.FineTuningEpochs"/> (10), divided by
    /// the tiles per image for a tiled model (<see cref="SsmTrainer.FineTuningEpochsFor"/>).</param>
    /// <example>
    /// <code>
    /// // The camera was moved: train the network on 200 good images taken since, then save as usual. Where the old camera
    /// // stays in use, give its good images too (goodSinceTheMove.Concat(goodBefore)), or the network forgets them.
    /// var tuned = mlContext.AnomalyDetection.FineTuneSsm(model, mlContext.Data.LoadFromEnumerable(goodSinceTheMove));
    /// mlContext.Model.Save(tuned, schema, "model-moved-camera.zip");
    /// SsmAnomalyTransformer.From(tuned).Dispose();   // its network; the other steps are model's
    /// </code>
    /// </example>
    /// <exception cref="ArgumentException"><paramref name="model"/> holds no SSM transformer, or more than one.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The rows lack a column the model reads, or <paramref name="epochs"/> is below 1.</exception>
    /// <exception cref="InvalidOperationException">Images that cannot be read (each named), or fewer than <see cref="SsmTrainer.MinimumImages"/>;
    /// a <see cref="TrainingDivergedException"/> when the network's weights stopped being numbers.</exception>
    public static ITransformer FineTuneSsm(this AnomalyDetectionCatalog catalog, ITransformer model, IDataView normalImages,
        int? epochs = null) =>
        catalog.FineTuneSsm(model, normalImages, new SsmFineTuningOptions { Epochs = epochs });

    /// <summary>The model with its network trained further on other normal images, with every setting of the fine-tuning:
    /// see <see cref="FineTuneSsm(AnomalyDetectionCatalog, ITransformer, IDataView, int?)"/>.</summary>
    /// <param name="catalog">The anomaly detection catalog (<c>mlContext.AnomalyDetection</c>).</param>
    /// <param name="model">The trained model.</param>
    /// <param name="normalImages">Normal images, in the columns <paramref name="model"/> reads.</param>
    /// <param name="options">Epochs, learning rate, threshold, cancellation and the rest; null: the defaults.</param>
    public static ITransformer FineTuneSsm(this AnomalyDetectionCatalog catalog, ITransformer model, IDataView normalImages, SsmFineTuningOptions? options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return WithSsmStepMadeAgain(model, normalImages, nameof(normalImages), (ssm, rows) => ssm.FineTune(rows, options));
    }

    /// <summary><paramref name="model"/> with its SSM step made again from <paramref name="rows"/>: for a chain, the steps
    /// before it turn the rows into its input, and the result is the chain with that step replaced (its other steps shared).</summary>
    private static ITransformer WithSsmStepMadeAgain(ITransformer model, IDataView rows, string rowsName,
        Func<SsmAnomalyTransformer, IDataView, SsmAnomalyTransformer> makeAgain)
    {
        ArgumentNullException.ThrowIfNull(rows, rowsName);
        var ssm = SsmAnomalyTransformer.From(model);
        if (model is SsmAnomalyTransformer) return makeAgain(ssm, rows);
        var steps = ((IEnumerable<ITransformer>)model).ToArray();
        int at = Array.IndexOf(steps, ssm);
        var input = rows;
        try { foreach (var step in steps[..at]) input = step.Transform(input); }
        catch (ArgumentOutOfRangeException e)
        {
            // ML.NET's own words name the column but not that the rows are at fault; its "(Parameter 'inputSchema')" names
            // a parameter of its own, not the caller's.
            string cause = e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "") : e.Message;
            throw new ArgumentOutOfRangeException(rowsName, $"The model's steps before its SSM step cannot read these rows: {cause} " +
                "Give rows with the columns the model was trained on.");
        }
        steps[at] = makeAgain(ssm, input);
        return new TransformerChain<ITransformer>(steps);
    }

    /// <summary>
    /// Image- and pixel-level metrics of scored data; see <see cref="SsmEvaluator.Evaluate"/>.
    /// </summary>
    /// <param name="catalog">The anomaly detection catalog (<c>mlContext.AnomalyDetection</c>).</param>
    /// <param name="data">Output of the SSM transformer with a label column.</param>
    /// <param name="labelColumnName">Ground truth: Boolean, Single or Double (&gt; 0 = anomalous), or a UInt32 key of two values. Default "Label".</param>
    /// <param name="scoreColumnName">Score column. Default "Score".</param>
    /// <param name="predictedLabelColumnName">Decision column for the confusion counts; null to skip. Default "PredictedLabel".</param>
    /// <param name="anomalyMapColumnName">Anomaly map column for pixel metrics. Default null: "AnomalyMap" (the transformer's default) when a mask column is given.</param>
    /// <param name="groundTruthMaskColumnName">
    /// Ground-truth mask column (image, e.g. from <c>LoadImages</c>, text of mask file paths, or vector of the map's size), which turns pixel metrics on;
    /// null (default) to skip them. Rows labelled normal may have no mask (empty path or empty vector): all their pixels count
    /// as normal. See <see cref="SsmEvaluator.Evaluate"/>.
    /// </param>
    /// <param name="intervals">Also compute 95 % bootstrap intervals (<see cref="SsmMetrics.Intervals"/>): how sure the figures are
    /// for a test set of this size.</param>
    /// <param name="categoryColumnName">Column of each row's category (the kind of defect; "good" for normal rows, say), which
    /// turns <see cref="SsmMetrics.Categories"/> on: each kind's rows ranked with the normal rows alone. Text, or a key with text
    /// key values (<c>MapValueToKey</c>'s output). Null (default) to skip.</param>
    /// <example>
    /// <code>
    /// // Good images have an empty MaskPath; LoadImages gives them no image, which counts as an all-normal mask.
    /// var withMasks = mlContext.Transforms.LoadImages("Mask", imageFolder: "", inputColumnName: "MaskPath").Fit(scored).Transform(scored);
    /// var metrics = mlContext.AnomalyDetection.EvaluateSsm(withMasks, labelColumnName: "Label", groundTruthMaskColumnName: "Mask");
    /// Console.WriteLine($"pixel AUROC {metrics.PixelAuroc:F3}, AUPRO {metrics.Aupro:F3}");
    /// // With a text column naming each row's kind of defect, each kind on its own:
    /// var byKind = mlContext.AnomalyDetection.EvaluateSsm(withMasks, groundTruthMaskColumnName: "Mask", categoryColumnName: "Category");
    /// foreach (var c in byKind.Categories!) Console.WriteLine($"{c.Category}: {c.Flagged} of {c.Images} flagged, pixel AUROC {c.PixelAuroc:F3}");
    /// </code>
    /// </example>
    public static SsmMetrics EvaluateSsm(this AnomalyDetectionCatalog catalog, IDataView data, string labelColumnName = "Label",
        string scoreColumnName = "Score", string? predictedLabelColumnName = "PredictedLabel",
        string? anomalyMapColumnName = null, string? groundTruthMaskColumnName = null, bool intervals = false, string? categoryColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return SsmEvaluator.Evaluate(data, labelColumnName, scoreColumnName, predictedLabelColumnName, anomalyMapColumnName, groundTruthMaskColumnName,
            intervals, categoryColumnName);
    }
}
