using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using SSM.Core.Data;
using SSM.Core.Evaluation;

namespace SSM.MLNet;

/// <summary>
/// Computes <see cref="SsmMetrics"/> from scored data with SSM.Core.Evaluation. Unlike
/// <c>mlContext.AnomalyDetection.Evaluate</c> (which needs a Single label and reports AUC and detection rate at a false
/// positive count), it accepts Boolean labels and adds F1-max, the confusion counts at the model's threshold and pixel metrics.
/// </summary>
public static class SsmEvaluator
{
    /// <summary>Evaluates scored data.</summary>
    /// <param name="data">Rows with a label, a score and optionally a predicted label, an anomaly map and a ground-truth mask.</param>
    /// <param name="labelColumnName">Ground truth: Boolean (true = anomalous), or Single (&gt; 0 = anomalous, NaN not allowed).</param>
    /// <param name="scoreColumnName">Single score, higher = more anomalous.</param>
    /// <param name="predictedLabelColumnName">Boolean decision column for <see cref="SsmMetrics.Confusion"/>; null to skip.</param>
    /// <param name="anomalyMapColumnName">
    /// Known-size vector of Single (S × S row-major) for pixel metrics. Default null: "AnomalyMap"
    /// (<see cref="SsmAnomalyDetectionOptions.DefaultAnomalyMapColumnName"/>, the transformer's default) when
    /// <paramref name="groundTruthMaskColumnName"/> is given, else no pixel metrics.
    /// </param>
    /// <param name="groundTruthMaskColumnName">
    /// Ground-truth masks, which turn pixel metrics on; null (default) to skip them. An image column, e.g. from
    /// <c>LoadImages</c> (white = defect; resized to S × S, nearest/area, then &gt; 0.5), a text column of mask file paths
    /// (read strictly as <c>ImageFile.LoadMask</c>, as given or relative to the working folder; the same masks), or a vector
    /// of Single of the map's length (&gt; 0.5 = defect, so 0/1 and 0/255 both work). A row whose label is normal may have no
    /// mask (the null image <c>LoadImages</c> gives for an empty path, an empty path, or an empty vector): all its pixels
    /// count as normal. A row whose label is anomalous must have one.
    /// </param>
    /// <param name="intervals">Also compute <see cref="SsmMetrics.Intervals"/> (a stratified bootstrap over the rows, 1000 draws;
    /// with masks it holds 16 bytes per map pixel while it runs).</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type (the message names it).</exception>
    /// <exception cref="ArgumentException">No rows, or only one class present (AUROC and F1 undefined), or an anomaly map column without a mask column.</exception>
    /// <exception cref="InvalidOperationException">An anomalous row has no mask, a mask vector has the wrong length, or a mask file cannot be read (the message names the row).</exception>
    public static SsmMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score",
        string? predictedLabelColumnName = "PredictedLabel", string? anomalyMapColumnName = null, string? groundTruthMaskColumnName = null,
        bool intervals = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        var schema = data.Schema;
        var label = Column(schema, "label", nameof(labelColumnName), labelColumnName, t => t == BooleanDataViewType.Instance || t == NumberDataViewType.Single, "Boolean or Single");
        var score = Column(schema, "score", nameof(scoreColumnName), scoreColumnName, t => t == NumberDataViewType.Single, "Single");
        var predicted = predictedLabelColumnName is null ? (DataViewSchema.Column?)null
            : Column(schema, "predicted label", nameof(predictedLabelColumnName), predictedLabelColumnName, t => t == BooleanDataViewType.Instance, "Boolean");
        // A mask is what asks for pixel metrics; the map is then almost always the transformer's default column.
        if (groundTruthMaskColumnName is not null && anomalyMapColumnName is null)
        {
            anomalyMapColumnName = SsmAnomalyDetectionOptions.DefaultAnomalyMapColumnName;
            if (schema.GetColumnOrNull(anomalyMapColumnName) is null)
                throw new ArgumentOutOfRangeException(nameof(anomalyMapColumnName), $"Could not find column '{anomalyMapColumnName}', the default anomaly map " +
                    "column, which pixel metrics need with the mask column: pass anomalyMapColumnName if the transformer's map column has another name.");
        }
        bool pixels = anomalyMapColumnName is not null;
        if (pixels && groundTruthMaskColumnName is null)
            throw new ArgumentException($"Pixel metrics need a ground-truth mask column as well as the anomaly map column '{anomalyMapColumnName}': " +
                "pass groundTruthMaskColumnName, or leave anomalyMapColumnName null for image metrics only.", nameof(groundTruthMaskColumnName));
        DataViewSchema.Column? map = null, mask = null;
        int mapSide = 0;
        if (pixels)
        {
            map = Column(schema, "anomaly map", nameof(anomalyMapColumnName), anomalyMapColumnName!, t => t is VectorDataViewType { Size: > 0 } v && v.ItemType == NumberDataViewType.Single, "known-size vector of Single");
            int length = ((VectorDataViewType)map.Value.Type).Size;
            mapSide = (int)Math.Round(Math.Sqrt(length));
            if (mapSide * mapSide != length)
                throw new ArgumentOutOfRangeException(nameof(anomalyMapColumnName), $"Anomaly map column '{anomalyMapColumnName}' has {length} values, not a square number.");
            mask = Column(schema, "ground-truth mask", nameof(groundTruthMaskColumnName), groundTruthMaskColumnName!, t => t is ImageDataViewType or TextDataViewType
                || (t is VectorDataViewType v && v.ItemType == NumberDataViewType.Single && (v.Size == 0 || v.Size == length)),
                $"Image, Text (mask file paths) or vector of Single of size {length}");
        }

        var scores = new List<float>();
        var labels = new List<bool>();
        var decisions = new List<bool>();
        var maps = new List<float[]>();
        var masks = new List<bool[]>();
        var active = new List<DataViewSchema.Column> { label, score };
        if (predicted is { } p) active.Add(p);
        if (map is { } m) active.Add(m);
        if (mask is { } k) active.Add(k);
        using (var cursor = data.GetRowCursor(active))
        {
            Func<bool> getLabel;
            if (label.Type == BooleanDataViewType.Instance)
            {
                var g = cursor.GetGetter<bool>(label);
                getLabel = () => { bool v = false; g(ref v); return v; };
            }
            else
            {
                var g = cursor.GetGetter<float>(label);
                getLabel = () =>
                {
                    float v = 0; g(ref v);
                    if (float.IsNaN(v)) throw new InvalidOperationException($"Label column '{labelColumnName}' is NaN at row {cursor.Position}.");
                    return v > 0;
                };
            }
            var getScore = cursor.GetGetter<float>(score);
            var getPredicted = predicted is { } pc ? cursor.GetGetter<bool>(pc) : null;
            var getMap = map is { } mc ? cursor.GetGetter<VBuffer<float>>(mc) : null;
            // The ground truth of a normal image is all normal, so it needs no mask (MVTec AD ships none for good images).
            // An anomalous image without one would silently count as all normal, so it fails.
            bool[] NoMask(bool anomalous) => anomalous
                ? throw new InvalidOperationException($"Mask column '{groundTruthMaskColumnName}' has no mask at row {cursor.Position}, whose label is anomalous. " +
                    "Give every anomalous image its ground-truth mask; only normal images may have none (an empty path, or an empty vector).")
                : new bool[mapSide * mapSide];
            Func<bool, bool[]>? getMask = null;
            if (mask is { } kc)
            {
                if (kc.Type is TextDataViewType)
                {
                    // As the path input reads images: strictly, with the engine's reader; the masks as ssm evaluate reads them.
                    var g = cursor.GetGetter<ReadOnlyMemory<char>>(kc);
                    ReadOnlyMemory<char> text = default;
                    getMask = anomalous =>
                    {
                        g(ref text);
                        string path = text.ToString();
                        if (path.Length == 0) return NoMask(anomalous);
                        FloatImage file;
                        try { file = ImageFile.LoadMask(path); }
                        catch (Exception e) when (SsmInput.IsUnreadableFile(e))
                        {
                            throw new InvalidOperationException($"Could not read the mask file '{path}' in column '{groundTruthMaskColumnName}' at row {cursor.Position}: {e.Message}", e);
                        }
                        return ImageResize.ResizeMaskToFlags(file, mapSide, mapSide);
                    };
                }
                else if (kc.Type is ImageDataViewType)
                {
                    var g = cursor.GetGetter<MLImage>(kc);
                    MLImage image = null!;
                    getMask = anomalous =>
                    {
                        g(ref image);
                        if (image is null) return NoMask(anomalous);
                        var gray = SsmInput.FromMLImage(image, 1);
                        return ImageResize.ResizeMaskToFlags(gray, mapSide, mapSide);   // at the map's own size: each pixel as it is
                    };
                }
                else
                {
                    var g = cursor.GetGetter<VBuffer<float>>(kc);
                    VBuffer<float> buffer = default;
                    getMask = anomalous =>
                    {
                        g(ref buffer);
                        if (buffer.Length == 0) return NoMask(anomalous);
                        if (buffer.Length != mapSide * mapSide)
                            throw new InvalidOperationException($"Mask column '{groundTruthMaskColumnName}' has {buffer.Length} values at row {cursor.Position}; expected {mapSide * mapSide}.");
                        return buffer.DenseValues().Select(v => v > 0.5f).ToArray();
                    };
                }
            }
            VBuffer<float> mapBuffer = default;
            while (cursor.MoveNext())
            {
                bool anomalous = getLabel();
                labels.Add(anomalous);
                float s = 0; getScore(ref s); scores.Add(s);
                if (getPredicted is not null) { bool d = false; getPredicted(ref d); decisions.Add(d); }
                if (getMap is not null)
                {
                    getMap(ref mapBuffer);
                    maps.Add(mapBuffer.DenseValues().ToArray());
                    masks.Add(getMask!(anomalous));
                }
            }
        }

        var scoreArray = scores.ToArray();
        var labelArray = labels.ToArray();
        int anomalousCount = labelArray.Count(l => l);
        if (labelArray.Length == 0) throw new ArgumentException("The data has no rows to evaluate.", nameof(data));
        if (anomalousCount == 0 || anomalousCount == labelArray.Length)
            throw new ArgumentException($"The label column '{labelColumnName}' says {(anomalousCount == 0 ? "normal" : "anomalous")} for all {labelArray.Length} rows: " +
                "AUROC and F1 compare the two classes, so evaluate a test set with both normal and anomalous images.", nameof(labelColumnName));
        // Masks that are all black (a mask folder of the wrong files, or masks inverted to black defects) leave the pixel
        // metrics undefined: said with the column, before anything deep in the metrics says "no region".
        if (pixels && !masks.Any(m => m.Contains(true)))
            throw new ArgumentException($"The mask column '{groundTruthMaskColumnName}' has no defective pixel in any of the {masks.Count} rows, " +
                "so pixel AUROC and AUPRO are undefined. Defects must be white (non-zero) in the masks; to evaluate the images only, " +
                "give no mask column.", nameof(groundTruthMaskColumnName));
        var (f1, f1Threshold) = F1Max.Compute(scoreArray, labelArray);
        ConfusionCounts? confusion = predicted is null ? null : ConfusionCounts.Of(labelArray, decisions.ToArray());
        var metrics = new SsmMetrics
        {
            ImageCount = labelArray.Length,
            AnomalousCount = anomalousCount,
            ImageAuroc = Roc.Auroc(scoreArray, labelArray),
            ImageF1Max = f1,
            ImageF1Threshold = f1Threshold,
            Confusion = confusion,
        };
        if (pixels)
        {
            var pixel = PixelMetrics.Evaluate(maps, masks, mapSide, mapSide);
            metrics = metrics with { PixelAuroc = pixel.Auroc, PixelF1Max = pixel.F1Max, Aupro = pixel.Aupro };
        }
        if (intervals)
            metrics = metrics with { Intervals = Bootstrap.Intervals(scoreArray, labelArray, strata: null, pixels ? maps : null, pixels ? masks : null, mapSide, mapSide) };
        return metrics;
    }

    /// <summary>The column <paramref name="name"/>, which holds the <paramref name="role"/> and was given as
    /// <paramref name="parameter"/>; errors name all three, and what the data holds.</summary>
    private static DataViewSchema.Column Column(DataViewSchema schema, string role, string parameter, string name, Func<DataViewType, bool> accept, string expected)
    {
        var column = schema.GetColumnOrNull(name)
            ?? throw new ArgumentOutOfRangeException(parameter, $"Could not find the {role} column '{name}' ({parameter}); the data has {SsmInput.Describe(schema)}.");
        if (!accept(column.Type))
            throw new ArgumentOutOfRangeException(parameter, $"Schema mismatch for the {role} column '{name}': expected {expected}, got {column.Type}.");
        return column;
    }
}
