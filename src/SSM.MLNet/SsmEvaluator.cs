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
    /// <param name="labelColumnName">Ground truth: Boolean (true = anomalous), Single or Double (&gt; 0 = anomalous, NaN not allowed), or a
    /// UInt32 key of two values (MapValueToKey's; the anomalous key read from its key values where they say it, else key 2, as ML.NET).</param>
    /// <param name="scoreColumnName">Single score, higher = more anomalous.</param>
    /// <param name="predictedLabelColumnName">Boolean decision column for <see cref="SsmMetrics.Confusion"/>; null to skip.</param>
    /// <param name="anomalyMapColumnName">
    /// Known-size vector of Single (S × S row-major) for pixel metrics. Default null: "AnomalyMap"
    /// (<see cref="SsmAnomalyDetectionOptions.DefaultAnomalyMapColumnName"/>, the transformer's default) when
    /// <paramref name="groundTruthMaskColumnName"/> is given, else no pixel metrics.
    /// </param>
    /// <param name="groundTruthMaskColumnName">
    /// Ground-truth masks, which turn pixel metrics on; null (default) to skip them. An image column, e.g. from
    /// <c>LoadImages</c> (white = defect, <c>ImageFile.MarkDefects</c>: a 0/1 label image's non-zero pixels; then resized to
    /// S × S, nearest pixel), a text column of mask file paths (read strictly as <c>ImageFile.LoadMask</c>, as given or relative
    /// to the working folder; the same masks), or a vector of Single of the map's length (the same rule: &gt; 0.5 = defect,
    /// or every non-zero value where none is above 0.5, so 0/1 and 0/255 both work). A row whose label is normal may have no
    /// mask (the null image <c>LoadImages</c> gives for an empty path, an empty path, or an empty vector): all its pixels
    /// count as normal. A row whose label is anomalous must have one.
    /// </param>
    /// <param name="intervals">Also compute <see cref="SsmMetrics.Intervals"/> (a stratified bootstrap over the rows, 1000 draws,
    /// each category redrawn to its own count; with masks it holds 16 bytes per map pixel while it runs).</param>
    /// <param name="categoryColumnName">Column naming each row's category (the kind of defect, e.g. "crack", and for
    /// normal rows e.g. "good"), which turns <see cref="SsmMetrics.Categories"/> on; null (default) to skip them. Text, or a
    /// key with text key values (what <c>MapValueToKey</c> makes of a text column; a category is then its key value).</param>
    /// <exception cref="ArgumentOutOfRangeException">A column is missing or has the wrong type (the message names it).</exception>
    /// <exception cref="ArgumentNullException">The label or score column name is null.</exception>
    /// <exception cref="ArgumentException">A column name is empty, no rows, or only one class present (AUROC and F1 undefined), or an anomaly map column without a mask column, or masks that mark no pixel defective, or every pixel (pixel metrics undefined).</exception>
    /// <exception cref="InvalidOperationException">An anomalous row has no mask, a mask vector has the wrong length, a mask file cannot be read, a
    /// mask file or picture has other proportions than its row's image (rows an SSM model scored directly, which say their images), or a
    /// category is empty, or a score or an anomaly map value is NaN (the message names the row).</exception>
    public static SsmMetrics Evaluate(IDataView data, string labelColumnName = "Label", string scoreColumnName = "Score",
        string? predictedLabelColumnName = "PredictedLabel", string? anomalyMapColumnName = null, string? groundTruthMaskColumnName = null,
        bool intervals = false, string? categoryColumnName = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentException.ThrowIfNullOrEmpty(labelColumnName);
        ArgumentException.ThrowIfNullOrEmpty(scoreColumnName);
        // The optional columns are off when null; an empty name would be looked up and reported as a missing column "".
        foreach (var (name, parameter) in new[] { (predictedLabelColumnName, nameof(predictedLabelColumnName)), (anomalyMapColumnName, nameof(anomalyMapColumnName)),
                     (groundTruthMaskColumnName, nameof(groundTruthMaskColumnName)), (categoryColumnName, nameof(categoryColumnName)) })
            if (name is { Length: 0 }) throw new ArgumentException("Give a column name, or null to leave this column out.", parameter);
        var columns = FindColumns(data.Schema, labelColumnName, scoreColumnName, predictedLabelColumnName, anomalyMapColumnName, groundTruthMaskColumnName,
            categoryColumnName);
        var rows = ReadRows(data, columns);
        int anomalousCount = rows.Labels.Count(l => l);
        if (rows.Labels.Length == 0) throw new ArgumentException("The data has no rows to evaluate.", nameof(data));
        if (anomalousCount == 0 || anomalousCount == rows.Labels.Length)
            throw new ArgumentException($"The label column '{labelColumnName}' says {(anomalousCount == 0 ? "normal" : "anomalous")} for all {rows.Labels.Length} rows: " +
                "AUROC and F1 compare the two classes, so evaluate a test set with both normal and anomalous images.", nameof(labelColumnName));
        // Masks that are all black (a mask folder of the wrong files, or masks inverted to black defects) leave the pixel
        // metrics undefined: said with the column, before anything deep in the metrics says "no region".
        bool pixels = columns.Map is not null;
        if (pixels && !rows.Masks.Any(m => m.Contains(true)))
            throw new ArgumentException($"The mask column '{groundTruthMaskColumnName}' has no defective pixel in any of the {rows.Masks.Count} rows, " +
                "so pixel AUROC and AUPRO are undefined. Defects must be marked in the masks (white, or non-zero in a 0/1 label image); to evaluate the images only, " +
                "give no mask column.", nameof(groundTruthMaskColumnName));
        // Masks white everywhere (inverted masks, a good image's mask made white) leave no normal pixel to rank against.
        if (pixels && !rows.Masks.Any(m => m.Contains(false)))
            throw new ArgumentException($"The mask column '{groundTruthMaskColumnName}' marks every pixel of all {rows.Masks.Count} rows defective, " +
                "so pixel AUROC and AUPRO are undefined: they need normal pixels too. Defects must be white on black (inverted masks mark the background); " +
                "to evaluate the images only, give no mask column.", nameof(groundTruthMaskColumnName));
        var (f1, f1Threshold) = F1Max.Compute(rows.Scores, rows.Labels);
        var metrics = new SsmMetrics
        {
            ImageCount = rows.Labels.Length,
            AnomalousCount = anomalousCount,
            ImageAuroc = Roc.Auroc(rows.Scores, rows.Labels),
            ImageF1Max = f1,
            ImageF1Threshold = RoundThreshold.Between(rows.Scores, f1Threshold),
            FalseAlarmThresholds = [.. FalseAlarmThreshold.CommonRates.Select(r => FalseAlarmThreshold.For(rows.Scores, rows.Labels, r)!.Value)],
            Confusion = columns.Predicted is null ? null : ConfusionCounts.Of(rows.Labels, rows.Decisions),
        };
        var (width, height) = (columns.MapWidth, columns.MapHeight);
        if (pixels)
        {
            var pixel = PixelMetrics.Evaluate(rows.Maps, rows.Masks, height, width);
            metrics = metrics with
            {
                PixelAuroc = pixel.Auroc, PixelF1Max = pixel.F1Max, PixelF1Threshold = RoundThreshold.Between(rows.Maps, pixel.F1Threshold), Aupro = pixel.Aupro,
            };
        }
        if (columns.Category is not null)
            metrics = metrics with
            {
                Categories = CategoryMetrics.Compute(rows.Categories, rows.Labels, rows.Scores, columns.Predicted is null ? null : rows.Decisions,
                    pixels ? [.. rows.Maps.Select((m, i) => new LabeledAnomalyMap(m, rows.Masks[i], height, width))] : null),
            };
        if (intervals)
            metrics = metrics with
            {
                Intervals = Bootstrap.Intervals(rows.Scores, rows.Labels, columns.Category is null ? null : rows.Categories,
                    pixels ? rows.Maps : null, pixels ? rows.Masks : null, height, width),
            };
        return metrics;
    }

    /// <summary>The columns to read, checked against the schema; the map's width and height are 0 without pixel metrics.</summary>
    private sealed record Columns(DataViewSchema.Column Label, DataViewSchema.Column Score, DataViewSchema.Column? Predicted,
        DataViewSchema.Column? Map, DataViewSchema.Column? Mask, int MapWidth, int MapHeight, DataViewSchema.Column? Category);

    /// <summary>What was read of every row: the maps and masks only with pixel metrics, the decisions only with a predicted label,
    /// the categories only with a category column.</summary>
    private sealed record Rows(float[] Scores, bool[] Labels, bool[] Decisions, List<float[]> Maps, List<bool[]> Masks, string[] Categories);

    private static Columns FindColumns(DataViewSchema schema, string labelColumnName, string scoreColumnName, string? predictedLabelColumnName,
        string? anomalyMapColumnName, string? groundTruthMaskColumnName, string? categoryColumnName)
    {
        var label = Column(schema, "label", nameof(labelColumnName), labelColumnName, AnomalousTrainingRows.IsLabelType, "Boolean, Single, Double or a UInt32 key of two values");
        var score = Column(schema, "score", nameof(scoreColumnName), scoreColumnName, t => t == NumberDataViewType.Single, "Single");
        var predicted = predictedLabelColumnName is null ? (DataViewSchema.Column?)null
            : Column(schema, "predicted label", nameof(predictedLabelColumnName), predictedLabelColumnName, t => t == BooleanDataViewType.Instance, "Boolean");
        var category = categoryColumnName is null ? (DataViewSchema.Column?)null
            : CategoryColumn(schema, categoryColumnName);
        // A mask is what asks for pixel metrics; the map is then almost always the transformer's default column.
        if (groundTruthMaskColumnName is not null && anomalyMapColumnName is null)
        {
            anomalyMapColumnName = SsmAnomalyDetectionOptions.DefaultAnomalyMapColumnName;
            if (schema.GetColumnOrNull(anomalyMapColumnName) is null)
                throw new ArgumentOutOfRangeException(nameof(anomalyMapColumnName), $"Could not find column '{anomalyMapColumnName}', the default anomaly map " +
                    "column, which pixel metrics need with the mask column: pass anomalyMapColumnName if the transformer's map column has another name.");
        }
        if (anomalyMapColumnName is null) return new Columns(label, score, predicted, null, null, 0, 0, category);
        if (groundTruthMaskColumnName is null)
            throw new ArgumentException($"Pixel metrics need a ground-truth mask column as well as the anomaly map column '{anomalyMapColumnName}': " +
                "pass groundTruthMaskColumnName, or leave anomalyMapColumnName null for image metrics only.", nameof(groundTruthMaskColumnName));
        var map = Column(schema, "anomaly map", nameof(anomalyMapColumnName), anomalyMapColumnName, t => t is VectorDataViewType { Size: > 0 } v && v.ItemType == NumberDataViewType.Single, "known-size vector of Single");
        var mapType = (VectorDataViewType)map.Type;
        int length = mapType.Size;
        // A tiled model's map says its height and width; a square one is a plain vector of S x S.
        var (width, height) = mapType.Dimensions.Length == 2 ? (mapType.Dimensions[1], mapType.Dimensions[0])
            : ((int)Math.Round(Math.Sqrt(length)), (int)Math.Round(Math.Sqrt(length)));
        if (width * height != length)
            throw new ArgumentOutOfRangeException(nameof(anomalyMapColumnName), $"Anomaly map column '{anomalyMapColumnName}' has {length} values, " +
                "not a square number nor two dimensions (height, width).");
        var mask = Column(schema, "ground-truth mask", nameof(groundTruthMaskColumnName), groundTruthMaskColumnName, t => t is ImageDataViewType or TextDataViewType
            || (t is VectorDataViewType v && v.ItemType == NumberDataViewType.Single && (v.Size == 0 || v.Size == length)),
            $"Image, Text (mask file paths) or vector of Single of size {length}");
        return new Columns(label, score, predicted, map, mask, width, height, category);
    }

    private static Rows ReadRows(IDataView data, Columns columns)
    {
        var scores = new List<float>();
        var labels = new List<bool>();
        var decisions = new List<bool>();
        var maps = new List<float[]>();
        var masks = new List<bool[]>();
        var categories = new List<string>();
        // Rows scored by an SSM model say their images: a mask file or picture of other proportions is not its image's.
        var model = columns.Mask is { Type: TextDataViewType or ImageDataViewType } ? (data as SsmScoredDataView)?.Model : null;
        var images = model is { InputKind: not SsmInputKind.Vector } ? data.Schema.GetColumnOrNull(model.InputColumnName) : null;
        var active = new List<DataViewSchema.Column> { columns.Label, columns.Score };
        foreach (var optional in new[] { columns.Predicted, columns.Map, columns.Mask, columns.Category, images })
            if (optional is { } c && !active.Contains(c)) active.Add(c);
        using var cursor = data.GetRowCursor(active);
        var getLabel = LabelGetter(cursor, columns.Label);
        var getScore = cursor.GetGetter<float>(columns.Score);
        var getPredicted = columns.Predicted is { } p ? cursor.GetGetter<bool>(p) : null;
        var getMap = columns.Map is { } m ? cursor.GetGetter<VBuffer<float>>(m) : null;
        var getMask = columns.Mask is { } k ? MaskGetter(cursor, k, columns.MapWidth, columns.MapHeight,
            images is { } i ? ImageSizeGetter(cursor, i, model!) : null) : null;
        var getCategory = columns.Category is { } group ? CategoryGetter(cursor, group) : null;
        VBuffer<float> mapBuffer = default;
        while (cursor.MoveNext())
        {
            bool anomalous = getLabel();
            labels.Add(anomalous);
            float s = 0; getScore(ref s); scores.Add(s);
            if (float.IsNaN(s))
                throw new InvalidOperationException($"Score column '{columns.Score.Name}' is NaN at row {cursor.Position}: a score must be a number to be ranked.");
            if (getPredicted is not null) { bool d = false; getPredicted(ref d); decisions.Add(d); }
            if (getMap is not null)
            {
                getMap(ref mapBuffer);
                float[] map = mapBuffer.DenseValues().ToArray();
                if (Array.FindIndex(map, float.IsNaN) is var nan and >= 0)
                    throw new InvalidOperationException($"Anomaly map column '{columns.Map!.Value.Name}' is NaN at row {cursor.Position}, pixel {nan}: " +
                                                        "a map value must be a number to be ranked.");
                maps.Add(map);
                masks.Add(getMask!(anomalous));
            }
            if (getCategory is not null)
            {
                // A row without a category would be a category of its own named "", or silently dropped: neither is what was meant.
                categories.Add(getCategory() ?? throw new InvalidOperationException($"Category column '{columns.Category!.Value.Name}' is empty " +
                    $"at row {cursor.Position}; give every row its category (e.g. the kind of defect, and \"good\" for normal rows)."));
            }
        }
        return new Rows([.. scores], [.. labels], [.. decisions], maps, masks, [.. categories]);
    }

    private static DataViewSchema.Column CategoryColumn(DataViewSchema schema, string name)
    {
        const string expected = "Text, or a key of UInt32 with text key values";
        var column = Column(schema, "category", "categoryColumnName", name, t => t is TextDataViewType || t is KeyDataViewType { RawType: var r } && r == typeof(uint), expected);
        // A key without its values would name the categories 1, 2, 3: refused, as the figures could not be told apart.
        if (column.Type is KeyDataViewType && !column.HasKeyValues(TextDataViewType.Instance))
            throw new ArgumentOutOfRangeException("categoryColumnName", $"Schema mismatch for the category column '{name}': expected {expected}, " +
                $"got {column.Type} without text key values.");
        return column;
    }

    /// <summary>Reads a row's category: its text, or its key's text value; null when the row has none (empty text, missing key).</summary>
    private static Func<string?> CategoryGetter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (column.Type is TextDataViewType)
        {
            var text = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            return () =>
            {
                ReadOnlyMemory<char> v = default; text(ref v);
                return v.Span.IsWhiteSpace() ? null : v.ToString();
            };
        }
        VBuffer<ReadOnlyMemory<char>> keyValues = default;
        column.GetKeyValues(ref keyValues);
        var names = keyValues.DenseValues().Select(v => v.ToString()).ToArray();
        var key = cursor.GetGetter<uint>(column);
        return () =>
        {
            uint k = 0; key(ref k);
            // Key 0 is ML.NET's missing value; keys count from 1.
            return k == 0 || string.IsNullOrWhiteSpace(names[k - 1]) ? null : names[k - 1];
        };
    }

    /// <summary>Reads a row's label: a Boolean as it is, a Single or Double as &gt; 0, a key as <see cref="AnomalousTrainingRows.AnomalousKey"/>
    /// says (NaN and a missing key refused, naming the row).</summary>
    private static Func<bool> LabelGetter(DataViewRowCursor cursor, DataViewSchema.Column label)
    {
        var value = AnomalousTrainingRows.ValueGetter(cursor, label);
        return () =>
        {
            double v = value();
            if (double.IsNaN(v))
                throw new InvalidOperationException($"Label column '{label.Name}' is {(label.Type is KeyDataViewType ? "missing (key 0)" : "NaN")} at row {cursor.Position}.");
            return v > 0;
        };
    }

    /// <summary>Reads the size of a row's image as <paramref name="model"/> reads it (a file's header, upright as the model
    /// turns it; a picture's own), or null when the row has none.</summary>
    private static Func<(int Width, int Height)?> ImageSizeGetter(DataViewRowCursor cursor, DataViewSchema.Column images, SsmAnomalyTransformer model)
    {
        switch (model.InputKind)
        {
            case SsmInputKind.Path:
                var path = cursor.GetGetter<ReadOnlyMemory<char>>(images);
                ReadOnlyMemory<char> text = default;
                return () => { path(ref text); return text.Length == 0 ? null : model.FileSize(text.ToString()); };
            case SsmInputKind.Encoded:
                var bytes = cursor.GetGetter<VBuffer<byte>>(images);
                VBuffer<byte> buffer = default;
                return () => { bytes(ref buffer); return buffer.Length == 0 ? null : ImageFile.ReadSize([.. buffer.DenseValues()], model.ReadsFilesUpright); };
            default:
                var picture = cursor.GetGetter<MLImage>(images);
                MLImage image = null!;
                return () => { picture(ref image); return image is null ? null : (image.Width, image.Height); };
        }
    }

    /// <summary>Throws when a mask of <paramref name="mask"/>'s size cannot be its row's image's (<see cref="MvtecDataset.SameProportions"/>):
    /// a mask of another image would quietly ruin the pixel metrics (a walkthrough's one wrong mask took pixel AUROC from 1.000 to 0.594).
    /// A mask of the map's own size (<paramref name="map"/>) is one resized for it already (<c>ResizeImages</c>), as the map squashes its image.</summary>
    private static void RequireImageProportions(DataViewRowCursor cursor, DataViewSchema.Column column, (int Width, int Height) mask, (int Width, int Height) map,
        (int Width, int Height)? image, string? path)
    {
        if (image is not { } i || mask == map || MvtecDataset.SameProportions(mask, i)) return;
        throw new InvalidOperationException($"The mask at row {cursor.Position} of column '{column.Name}'{(path is null ? "" : $" ('{path}')")} is {mask.Width}x{mask.Height} " +
            $"but its image is {i.Width}x{i.Height}: not the same proportions, so not the image's mask.");
    }

    /// <summary>Reads a row's mask at the map's size, given whether the row is anomalous: a file path, an image or a vector of
    /// Single; a file or picture is checked against its image's proportions when <paramref name="imageSize"/> reads them.</summary>
    private static Func<bool, bool[]> MaskGetter(DataViewRowCursor cursor, DataViewSchema.Column mask, int width, int height, Func<(int Width, int Height)?>? imageSize)
    {
        // The ground truth of a normal image is all normal, so it needs no mask (MVTec AD ships none for good images).
        // An anomalous image without one would silently count as all normal, so it fails.
        bool[] NoMask(bool anomalous) => anomalous
            ? throw new InvalidOperationException($"Mask column '{mask.Name}' has no mask at row {cursor.Position}, whose label is anomalous. " +
                "Give every anomalous image its ground-truth mask; only normal images may have none (an empty path, or an empty vector).")
            : new bool[width * height];
        if (mask.Type is TextDataViewType)
        {
            // As the path input reads images: strictly, with the engine's reader; the masks as ssm evaluate reads them.
            var g = cursor.GetGetter<ReadOnlyMemory<char>>(mask);
            ReadOnlyMemory<char> text = default;
            return anomalous =>
            {
                g(ref text);
                string path = text.ToString();
                if (path.Length == 0) return NoMask(anomalous);
                FloatImage file;
                try { file = ImageFile.LoadMask(path); }
                catch (Exception e) when (SsmInput.IsUnreadableFile(e))
                {
                    throw new InvalidOperationException($"Could not read the mask file '{path}' in column '{mask.Name}' at row {cursor.Position}: {e.Message}", e);
                }
                if (imageSize is not null) RequireImageProportions(cursor, mask, (file.Width, file.Height), (width, height), imageSize(), path);
                return ImageResize.ResizeMaskToFlags(file, height, width);
            };
        }
        if (mask.Type is ImageDataViewType)
        {
            var g = cursor.GetGetter<MLImage>(mask);
            MLImage image = null!;
            return anomalous =>
            {
                g(ref image);
                if (image is null) return NoMask(anomalous);
                if (imageSize is not null) RequireImageProportions(cursor, mask, (image.Width, image.Height), (width, height), imageSize(), null);
                var read = SsmInput.FromMLImage(image, 1);
                ImageFile.MarkDefects(read.Pixels);
                return ImageResize.ResizeMaskToFlags(read, height, width);   // at the map's own size: each pixel as it is
            };
        }
        var v = cursor.GetGetter<VBuffer<float>>(mask);
        VBuffer<float> buffer = default;
        return anomalous =>
        {
            v(ref buffer);
            if (buffer.Length == 0) return NoMask(anomalous);
            if (buffer.Length != width * height)
                throw new InvalidOperationException($"Mask column '{mask.Name}' has {buffer.Length} values at row {cursor.Position}; expected {width * height}.");
            float[] values = [.. buffer.DenseValues()];
            ImageFile.MarkDefects(values);
            return [.. values.Select(x => x > 0)];
        };
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
