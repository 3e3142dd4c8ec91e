using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using SSM.Core.Evaluation;

namespace SSM.MLNet.Tests;

public sealed class ConversionAndEvaluatorTests
{
    [Theory]
    [InlineData(MLPixelFormat.Rgba32)]
    [InlineData(MLPixelFormat.Bgra32)]
    public void MLImage_pixels_become_planar_RGB_or_luminance(MLPixelFormat format)
    {
        // pixel 0 red, pixel 1 blue (alpha 255), in the byte order of the format
        byte[] bytes = format == MLPixelFormat.Rgba32
            ? [255, 0, 0, 255, 0, 0, 255, 255]
            : [0, 0, 255, 255, 255, 0, 0, 255];
        using var image = MLImage.CreateFromPixels(2, 1, format, bytes);
        var rgb = SsmInput.FromMLImage(image, 3);
        Assert.Equal([1f, 0f, 0f, 0f, 0f, 1f], rgb.Pixels);
        var gray = SsmInput.FromMLImage(image, 1);
        Assert.Equal(0.299f, gray.Pixels[0], 4);
        Assert.Equal(0.114f, gray.Pixels[1], 4);
    }

    [Theory]
    [InlineData(MLPixelFormat.Rgba32, 1)]
    [InlineData(MLPixelFormat.Bgra32, 3)]
    public void MLImage_read_at_the_model_size_equals_converting_then_resizing(MLPixelFormat format, int channels)
    {
        const int width = 50, height = 37;
        var rng = new Random(5);
        var bytes = new byte[4 * width * height];
        rng.NextBytes(bytes);
        using var image = MLImage.CreateFromPixels(width, height, format, bytes);
        var expected = SSM.Core.Data.ImageResize.Resize(SsmInput.FromMLImage(image, channels), 16, 16);
        var direct = SsmInput.FromMLImage(image, channels, side: 16);
        Assert.Equal(expected.Pixels, direct.Pixels);
        Assert.Equal((width, height), direct.SourceSize);   // the size correction sees the image as given
        // Pictures (SsmHeatMap) are read the same way, to their own non-square shape.
        var picture = SsmInput.FromMLImage(image, channels, (Height: 9, Width: 21));
        Assert.Equal(SSM.Core.Data.ImageResize.Resize(SsmInput.FromMLImage(image, channels), 9, 21).Pixels, picture.Pixels);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_picture_gives_the_pixels_its_file_gives_to_the_bit(int channels)
    {
        const int width = 23, height = 11;
        var rng = new Random(7);
        var rgb = new SSM.Core.Data.FloatImage(3, height, width, [.. Enumerable.Range(0, 3 * width * height).Select(_ => rng.Next(256) / 255f)]);
        string path = Path.Combine(Path.GetTempPath(), $"ssm-picture-{Guid.NewGuid():N}.png");
        try
        {
            SSM.Core.Data.ImageFile.Save(rgb, path);
            using var picture = MLImage.CreateFromFile(path);
            Assert.Equal(SSM.Core.Data.ImageFile.Load(path, channels).Pixels, SsmInput.FromMLImage(picture, channels).Pixels);
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void A_transparent_picture_gives_the_pixels_its_file_gives_to_the_bit(int channels)
    {
        // LoadImages premultiplies by alpha; the path and byte[] inputs show transparent pixels over black as well.
        const int width = 17, height = 9;
        var rng = new Random(11);
        byte[] rgba = [.. Enumerable.Range(0, 4 * width * height).Select(i => (byte)(i % 4 == 3 ? rng.Next(3) switch { 0 => 0, 1 => 255, _ => rng.Next(256) } : rng.Next(256)))];
        string path = Path.Combine(Path.GetTempPath(), $"ssm-transparent-{Guid.NewGuid():N}.png");
        try
        {
            using (var bitmap = new SkiaSharp.SKBitmap(new SkiaSharp.SKImageInfo(width, height, SkiaSharp.SKColorType.Rgba8888, SkiaSharp.SKAlphaType.Unpremul)))
            {
                System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
                using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
                File.WriteAllBytes(path, data.ToArray());
            }
            using var picture = MLImage.CreateFromFile(path);
            Assert.Equal(SSM.Core.Data.ImageFile.Load(path, channels).Pixels, SsmInput.FromMLImage(picture, channels).Pixels);
        }
        finally { File.Delete(path); }
    }

    private sealed class Row
    {
        public bool Label { get; set; }
        public float LabelSingle { get; set; }
        public float Score { get; set; }
        public bool PredictedLabel { get; set; }
        [VectorType(4)] public float[] AnomalyMap { get; set; } = new float[4];
        [VectorType(4)] public float[] Mask { get; set; } = new float[4];
        public string Category { get; set; } = "";
    }

    private static IDataView HandMade(MLContext context, string spot = "spot") => context.Data.LoadFromEnumerable(new[]
    {
        new Row { Label = false, LabelSingle = 0, Score = 0.10f, PredictedLabel = false, AnomalyMap = [0.1f, 0.1f, 0.2f, 0.1f], Mask = [0, 0, 0, 0], Category = "good" },
        new Row { Label = false, LabelSingle = 0, Score = 0.40f, PredictedLabel = true,  AnomalyMap = [0.3f, 0.2f, 0.1f, 0.2f], Mask = [0, 0, 0, 0], Category = "good" },
        new Row { Label = true,  LabelSingle = 1, Score = 0.35f, PredictedLabel = false, AnomalyMap = [0.9f, 0.1f, 0.2f, 0.8f], Mask = [1, 0, 0, 255], Category = "crack" },
        new Row { Label = true,  LabelSingle = 1, Score = 0.80f, PredictedLabel = true,  AnomalyMap = [0.1f, 0.7f, 0.6f, 0.2f], Mask = [0, 1, 1, 0], Category = spot },
    });

    [Fact]
    public void Evaluator_matches_hand_computed_values()
    {
        var context = new MLContext();
        var m = context.AnomalyDetection.EvaluateSsm(HandMade(context), anomalyMapColumnName: "AnomalyMap", groundTruthMaskColumnName: "Mask");
        Assert.Equal(4, m.ImageCount);
        Assert.Equal(2, m.AnomalousCount);
        Assert.Equal(0.75, m.ImageAuroc, 12);          // 3 of 4 (anomalous, normal) pairs ordered right
        Assert.Equal(0.8, m.ImageF1Max, 6);            // threshold 0.35: TP 2, FP 1
        Assert.Equal(0.225f, m.ImageF1Threshold);      // the same decisions, midway between 0.10 (passed) and 0.35
        Assert.Equal(new SSM.Core.Evaluation.ConfusionCounts(1, 1, 1, 1), m.Confusion);
        Assert.Equal(1.0, m.PixelAuroc!.Value, 12);    // every defect pixel (>= 0.6) above every normal pixel (<= 0.3)
        Assert.Equal(1.0, m.PixelF1Max!.Value, 12);
        Assert.Equal(0.45f, m.PixelF1Threshold);       // midway between 0.3 (the highest normal pixel) and 0.6
        Assert.InRange(m.Aupro!.Value, 0.99, 1.0);
        // Normal scores 0.10 and 0.40: no budget below 50 % lets 0.40 pass, and 0.80 is then the highest threshold that
        // finds what the lowest (0.401) finds.
        Assert.Equal([0.01, 0.05, 0.10], m.FalseAlarmThresholds.Select(t => t.Rate));
        Assert.All(m.FalseAlarmThresholds, t => Assert.Equal((0.6f, new ConfusionCounts(1, 0, 2, 1)), (t.Threshold, t.Counts)));   // midway between 0.4 (good) and 0.8
        // A record of lists equal entry by entry: two evaluations of the same rows are equal.
        Assert.Equal(m, context.AnomalyDetection.EvaluateSsm(HandMade(context), anomalyMapColumnName: "AnomalyMap", groundTruthMaskColumnName: "Mask"));
        Assert.NotEqual(m, m with { FalseAlarmThresholds = m.FalseAlarmThresholds.Take(2).ToList() });
    }

    [Fact]
    public void Evaluator_errors_name_the_column_its_role_and_the_parameter()
    {
        var context = new MLContext();
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => context.AnomalyDetection.EvaluateSsm(HandMade(context), labelColumnName: "Nope"));
        Assert.StartsWith("Could not find the label column 'Nope' (labelColumnName); the data has 'Label' (Boolean), 'LabelSingle' (Single)", missing.Message);
        Assert.Equal("labelColumnName", missing.ParamName);
        var wrong = Assert.Throws<ArgumentOutOfRangeException>(() => context.AnomalyDetection.EvaluateSsm(HandMade(context), scoreColumnName: "PredictedLabel"));
        Assert.StartsWith("Schema mismatch for the score column 'PredictedLabel': expected Single, got Boolean.", wrong.Message);
        // Null or empty names are named by the parameter, not by ML.NET's internal 'name'.
        Assert.Equal("labelColumnName", Assert.Throws<ArgumentNullException>(() => context.AnomalyDetection.EvaluateSsm(HandMade(context), labelColumnName: null!)).ParamName);
        Assert.Equal("scoreColumnName", Assert.Throws<ArgumentException>(() => context.AnomalyDetection.EvaluateSsm(HandMade(context), scoreColumnName: "")).ParamName);
        Assert.Equal("categoryColumnName", Assert.Throws<ArgumentException>(() => context.AnomalyDetection.EvaluateSsm(HandMade(context), categoryColumnName: "")).ParamName);

        var allNormal = context.Data.FilterRowsByColumn(HandMade(context), "LabelSingle", upperBound: 0.5);
        var one = Assert.Throws<ArgumentException>(() => context.AnomalyDetection.EvaluateSsm(allNormal));
        Assert.StartsWith("The label column 'Label' says normal for all 2 rows: AUROC and F1 compare the two classes", one.Message);
        Assert.Equal("labelColumnName", one.ParamName);

        // Masks without a single defective pixel (black defects, the wrong folder): named, not "no region" from AUPRO.
        var blackMasks = context.Data.LoadFromEnumerable(new[]
        {
            new Row { Label = false, Score = 0.1f, AnomalyMap = [0.1f, 0.1f, 0.2f, 0.1f], Mask = [0, 0, 0, 0] },
            new Row { Label = true, Score = 0.8f, AnomalyMap = [0.9f, 0.1f, 0.2f, 0.8f], Mask = [0, 0, 0, 0] },
        });
        var black = Assert.Throws<ArgumentException>(() => context.AnomalyDetection.EvaluateSsm(blackMasks, groundTruthMaskColumnName: "Mask"));
        Assert.StartsWith("The mask column 'Mask' has no defective pixel in any of the 2 rows, so pixel AUROC and AUPRO are undefined.", black.Message);
        Assert.Equal("groundTruthMaskColumnName", black.ParamName);
        Assert.Equal(1.0, context.AnomalyDetection.EvaluateSsm(blackMasks).ImageAuroc);   // the images alone
        // Masks defective everywhere: named too, not "every pixel is anomalous" from AUPRO with its own parameter's name.
        var whiteMasks = context.Data.LoadFromEnumerable(new[]
        {
            new Row { Label = false, Score = 0.1f, AnomalyMap = [0.1f, 0.1f, 0.2f, 0.1f], Mask = [1, 1, 1, 1] },
            new Row { Label = true, Score = 0.8f, AnomalyMap = [0.9f, 0.1f, 0.2f, 0.8f], Mask = [1, 1, 1, 1] },
        });
        var white = Assert.Throws<ArgumentException>(() => context.AnomalyDetection.EvaluateSsm(whiteMasks, groundTruthMaskColumnName: "Mask"));
        Assert.StartsWith("The mask column 'Mask' marks every pixel of all 2 rows defective, so pixel AUROC and AUPRO are undefined", white.Message);
        Assert.Equal("groundTruthMaskColumnName", white.ParamName);

        // A NaN score is named by its column and row, as a NaN label is.
        var nan = context.Data.LoadFromEnumerable(new[] { new Row { Score = 0.1f }, new Row { Label = true, Score = float.NaN } });
        Assert.Equal("Score column 'Score' is NaN at row 1: a score must be a number to be ranked.",
            Assert.Throws<InvalidOperationException>(() => context.AnomalyDetection.EvaluateSsm(nan)).Message);
        // So is a NaN map value: it stopped the pixel ranking with a pixel index counted through every image.
        var nanMap = context.Data.LoadFromEnumerable(new[]
        {
            new Row { Score = 0.1f, AnomalyMap = [0.1f, 0.1f, 0.2f, 0.1f] },
            new Row { Label = true, Score = 0.8f, AnomalyMap = [0.9f, float.NaN, 0.2f, 0.8f], Mask = [1, 0, 0, 0] },
        });
        Assert.Equal("Anomaly map column 'AnomalyMap' is NaN at row 1, pixel 1: a map value must be a number to be ranked.",
            Assert.Throws<InvalidOperationException>(() => context.AnomalyDetection.EvaluateSsm(nanMap, groundTruthMaskColumnName: "Mask")).Message);
    }

    [Fact]
    public void Intervals_are_computed_when_asked_and_hold_the_figures()
    {
        var context = new MLContext();
        Assert.Null(context.AnomalyDetection.EvaluateSsm(HandMade(context), groundTruthMaskColumnName: "Mask").Intervals);
        var m = context.AnomalyDetection.EvaluateSsm(HandMade(context), groundTruthMaskColumnName: "Mask", intervals: true);
        var i = m.Intervals!;
        Assert.InRange(m.ImageAuroc, i.ImageAuroc.Low, i.ImageAuroc.High);
        Assert.True(i.ImageAuroc.High - i.ImageAuroc.Low >= 0.5, i.ImageAuroc.ToString());   // 4 images: nearly anything
        Assert.Equal((1.0, 1.0), (i.PixelAuroc!.Value.Low, i.PixelAuroc.Value.High));       // every draw separates the pixels
        Assert.NotNull(i.Aupro);
        Assert.Null(SsmEvaluator.Evaluate(HandMade(context), intervals: true).Intervals!.PixelAuroc);   // no masks: image interval only
    }

    [Fact]
    public void A_category_column_gives_each_kind_of_defect_its_own_figures()
    {
        var context = new MLContext();
        var pooled = context.AnomalyDetection.EvaluateSsm(HandMade(context), groundTruthMaskColumnName: "Mask");
        Assert.Null(pooled.Categories);
        var m = context.AnomalyDetection.EvaluateSsm(HandMade(context), groundTruthMaskColumnName: "Mask", categoryColumnName: "Category");

        var categories = m.Categories!;
        Assert.Equal(["good", "crack", "spot"], categories.Select(c => c.Category));
        Assert.Equal(new CategoryMetrics("good", 2, 1, null), categories[0]);                     // one false alarm
        Assert.Equal((1, 0, 0.5), (categories[1].Images, categories[1].Flagged, categories[1].ImageAuroc));   // 0.35: above 0.10, below 0.40
        Assert.Equal((1, 1, 1.0), (categories[2].Images, categories[2].Flagged, categories[2].ImageAuroc));
        Assert.Equal(1.0, categories[1].PixelAuroc!.Value, 12);
        Assert.NotNull(categories[2].Aupro);
        Assert.Equal(pooled, m with { Categories = null });   // the pooled figures as without the column
        var stratified = context.AnomalyDetection.EvaluateSsm(HandMade(context), groundTruthMaskColumnName: "Mask", intervals: true, categoryColumnName: "Category");
        var image = stratified.Intervals!.ImageAuroc;
        Assert.InRange(m.ImageAuroc, image.Low, image.High);
        // Each category redrawn to its own count: every draw holds the crack (0.35) and the spot (0.80) once, which rank
        // 0.5 or better; drawn by label alone, the crack twice against the good 0.40 twice ranks 0 (1 draw in 16).
        Assert.True(image.Low >= 0.5, image.ToString());
        var byLabel = context.AnomalyDetection.EvaluateSsm(HandMade(context), groundTruthMaskColumnName: "Mask", intervals: true).Intervals!.ImageAuroc;
        Assert.True(byLabel.Low < 0.5, byLabel.ToString());
    }

    [Fact]
    public void A_key_category_column_names_its_categories_by_its_key_values()
    {
        var context = new MLContext();
        var text = context.AnomalyDetection.EvaluateSsm(HandMade(context), groundTruthMaskColumnName: "Mask", categoryColumnName: "Category");
        // Keys numbered by value, not by first appearance: "crack" is key 1, "good" key 2, so the order must come from the rows.
        var keyed = context.Transforms.Conversion.MapValueToKey("CategoryKey", "Category", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(HandMade(context)).Transform(HandMade(context));
        Assert.Equal(text, context.AnomalyDetection.EvaluateSsm(keyed, groundTruthMaskColumnName: "Mask", categoryColumnName: "CategoryKey"));

        // A key without text values (here: keys of the scores' ranks) would name the categories 1, 2, 3.
        var numbers = context.Transforms.Conversion.MapValueToKey("ScoreKey", "Score").Fit(HandMade(context)).Transform(HandMade(context));
        var wrong = Assert.Throws<ArgumentOutOfRangeException>(() => SsmEvaluator.Evaluate(numbers, categoryColumnName: "ScoreKey"));
        Assert.StartsWith("Schema mismatch for the category column 'ScoreKey': expected Text, or a key of UInt32 with text key values, got Key<UInt32, 0-3> without text key values.", wrong.Message);
        // A value the key mapping does not know becomes the missing key 0: stopped like an empty category.
        var unknown = context.Transforms.Conversion.MapValueToKey("CategoryKey", "Category").Fit(HandMade(context)).Transform(HandMade(context, spot: "dent"));
        Assert.StartsWith("Category column 'CategoryKey' is empty at row 3;",
            Assert.Throws<InvalidOperationException>(() => SsmEvaluator.Evaluate(unknown, categoryColumnName: "CategoryKey")).Message);
    }

    [Fact]
    public void A_category_column_that_is_missing_not_text_or_empty_is_named()
    {
        var context = new MLContext();
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => SsmEvaluator.Evaluate(HandMade(context), categoryColumnName: "Kind"));
        Assert.StartsWith("Could not find the category column 'Kind' (categoryColumnName)", missing.Message);
        var wrong = Assert.Throws<ArgumentOutOfRangeException>(() => SsmEvaluator.Evaluate(HandMade(context), categoryColumnName: "Score"));
        Assert.StartsWith("Schema mismatch for the category column 'Score': expected Text, or a key of UInt32 with text key values, got Single.", wrong.Message);
        Assert.Equal("categoryColumnName", wrong.ParamName);
        var empty = Assert.Throws<InvalidOperationException>(() => SsmEvaluator.Evaluate(HandMade(context, spot: " "), categoryColumnName: "Category"));
        Assert.StartsWith("Category column 'Category' is empty at row 3;", empty.Message);
    }

    [Fact]
    public void A_key_label_of_two_values_counts_the_key_of_true_as_anomalous()
    {
        var context = new MLContext();
        var expected = SsmEvaluator.Evaluate(HandMade(context));
        // Rows in reverse: the first is a defect, so MapValueToKey (by first appearance) makes true key 1, where ML.NET's
        // own evaluator counts key 2 as anomalous and inverts the AUC.
        var reversed = context.Data.LoadFromEnumerable(context.Data.CreateEnumerable<Row>(HandMade(context), false).Reverse().ToList());
        var keyed = context.Transforms.Conversion.MapValueToKey("LabelKey", "Label").Fit(reversed).Transform(reversed);
        var m = SsmEvaluator.Evaluate(keyed, labelColumnName: "LabelKey");
        Assert.Equal(expected.ImageAuroc, m.ImageAuroc, 12);
        Assert.Equal(expected.Confusion, m.Confusion);
        Assert.Equal(1 - expected.ImageAuroc, context.AnomalyDetection.Evaluate(
            context.Transforms.Conversion.ConvertType("Score", "Score", DataKind.Single).Fit(keyed).Transform(keyed), "LabelKey").AreaUnderRocCurve, 6);
        // Of a Single label's key (1 first here), the key of the value above 0; of text, the value that is not a normal label.
        var keyedSingle = context.Transforms.Conversion.MapValueToKey("LabelKey", "LabelSingle").Fit(reversed).Transform(reversed);
        Assert.Equal(expected.ImageAuroc, SsmEvaluator.Evaluate(keyedSingle, labelColumnName: "LabelKey").ImageAuroc, 12);
        var ints = context.Data.LoadFromEnumerable(context.Data.CreateEnumerable<Row>(reversed, false)
            .Select(r => new { LabelInt = r.Label ? 1 : 0, r.Score, r.PredictedLabel }).ToList());
        var keyedInt = context.Transforms.Conversion.MapValueToKey("LabelKey", "LabelInt").Fit(ints).Transform(ints);
        Assert.Equal(expected.ImageAuroc, SsmEvaluator.Evaluate(keyedInt, labelColumnName: "LabelKey").ImageAuroc, 12);
        var words = context.Data.LoadFromEnumerable(context.Data.CreateEnumerable<Row>(reversed, false)
            .Select(r => new { Kind = r.Label ? "NG" : "OK", r.Score, r.PredictedLabel }).ToList());
        var keyedWords = context.Transforms.Conversion.MapValueToKey("KindKey", "Kind").Fit(words).Transform(words);
        Assert.Equal(expected.ImageAuroc, SsmEvaluator.Evaluate(keyedWords, labelColumnName: "KindKey").ImageAuroc, 12);
        // Values that say nothing count key 2, as ML.NET does: here "a" and "b" by value, so "b" is key 2.
        var named = context.Data.LoadFromEnumerable(context.Data.CreateEnumerable<Row>(HandMade(context), false)
            .Select(r => new { Kind = r.Label ? "b" : "a", r.Score, r.PredictedLabel }).ToList());
        var byValue = context.Transforms.Conversion.MapValueToKey("KindKey", "Kind", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(named).Transform(named);
        Assert.Equal(expected.ImageAuroc, SsmEvaluator.Evaluate(byValue, labelColumnName: "KindKey").ImageAuroc, 12);
    }

    [Fact]
    public void Evaluator_accepts_a_Single_label_and_no_predicted_label()
    {
        var context = new MLContext();
        var m = SsmEvaluator.Evaluate(HandMade(context), labelColumnName: "LabelSingle", predictedLabelColumnName: null);
        Assert.Equal(0.75, m.ImageAuroc, 12);
        Assert.Null(m.Confusion);
        Assert.Null(m.PixelAuroc);
        // A Double label (what a text file read as R8 gives) reads the same way.
        var doubles = context.Transforms.Conversion.ConvertType("LabelDouble", "LabelSingle", DataKind.Double).Fit(HandMade(context)).Transform(HandMade(context));
        Assert.Equal(m, SsmEvaluator.Evaluate(doubles, labelColumnName: "LabelDouble", predictedLabelColumnName: null));
    }

    [Fact]
    public void A_mask_column_alone_gives_pixel_metrics_on_the_default_map_column()
    {
        var context = new MLContext();
        var explicitMap = context.AnomalyDetection.EvaluateSsm(HandMade(context), anomalyMapColumnName: "AnomalyMap", groundTruthMaskColumnName: "Mask");
        var defaultMap = context.AnomalyDetection.EvaluateSsm(HandMade(context), groundTruthMaskColumnName: "Mask");
        Assert.NotNull(defaultMap.PixelAuroc);
        Assert.Equal(explicitMap, defaultMap);
    }

    [Fact]
    public void A_mask_column_without_the_default_map_column_says_to_name_the_map()
    {
        var context = new MLContext();
        var renamed = context.Transforms.CopyColumns("Map", "AnomalyMap").Fit(HandMade(context)).Transform(HandMade(context));
        var dropped = context.Transforms.DropColumns("AnomalyMap").Fit(renamed).Transform(renamed);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => context.AnomalyDetection.EvaluateSsm(dropped, groundTruthMaskColumnName: "Mask"));
        Assert.Contains("'AnomalyMap'", e.Message);
        Assert.Contains("anomalyMapColumnName", e.Message);
        Assert.NotNull(context.AnomalyDetection.EvaluateSsm(dropped, anomalyMapColumnName: "Map", groundTruthMaskColumnName: "Mask").PixelAuroc);
    }

    [Fact]
    public void A_map_column_without_a_mask_column_says_what_is_missing()
    {
        var context = new MLContext();
        var e = Assert.Throws<ArgumentException>(() => context.AnomalyDetection.EvaluateSsm(HandMade(context), anomalyMapColumnName: "AnomalyMap"));
        Assert.Equal("groundTruthMaskColumnName", e.ParamName);
    }

    private sealed class VariableMaskRow
    {
        public bool Label { get; set; }
        public float Score { get; set; }
        [VectorType(4)] public float[] AnomalyMap { get; set; } = new float[4];
        public float[] Mask { get; set; } = [];
    }

    private static IDataView WithoutNormalMasks(MLContext context, bool dropAnomalousMask = false) => context.Data.LoadFromEnumerable(new[]
    {
        new VariableMaskRow { Label = false, Score = 0.10f, AnomalyMap = [0.1f, 0.1f, 0.2f, 0.1f] },
        new VariableMaskRow { Label = false, Score = 0.40f, AnomalyMap = [0.3f, 0.2f, 0.1f, 0.2f] },
        new VariableMaskRow { Label = true,  Score = 0.35f, AnomalyMap = [0.9f, 0.1f, 0.2f, 0.8f], Mask = [1, 0, 0, 255] },
        new VariableMaskRow { Label = true,  Score = 0.80f, AnomalyMap = [0.1f, 0.7f, 0.6f, 0.2f], Mask = dropAnomalousMask ? [] : [0, 1, 1, 0] },
    });

    [Fact]
    public void A_normal_row_without_a_mask_counts_as_all_normal_pixels()
    {
        var context = new MLContext();
        var withMasks = SsmEvaluator.Evaluate(HandMade(context), predictedLabelColumnName: null, groundTruthMaskColumnName: "Mask");
        var withoutNormalMasks = SsmEvaluator.Evaluate(WithoutNormalMasks(context), predictedLabelColumnName: null, groundTruthMaskColumnName: "Mask");
        Assert.NotNull(withoutNormalMasks.PixelAuroc);
        Assert.Equal(withMasks, withoutNormalMasks);
    }

    [Fact]
    public void An_anomalous_row_without_a_mask_fails_saying_what_to_do()
    {
        var context = new MLContext();
        var e = Assert.Throws<InvalidOperationException>(() =>
            SsmEvaluator.Evaluate(WithoutNormalMasks(context, dropAnomalousMask: true), predictedLabelColumnName: null, groundTruthMaskColumnName: "Mask"));
        Assert.Contains("'Mask'", e.Message);
        Assert.Contains("row 3", e.Message);
        Assert.Contains("anomalous", e.Message);
        Assert.Contains("only normal images may have none", e.Message);
    }

    [Fact]
    public void A_mask_vector_of_another_length_than_the_map_fails_naming_its_row()
    {
        // A column of unknown size passes the schema check, so each row's mask is measured as it is read.
        var context = new MLContext();
        var rows = context.Data.CreateEnumerable<VariableMaskRow>(WithoutNormalMasks(context), false).ToList();
        rows[3].Mask = [0, 1, 1];
        var e = Assert.Throws<InvalidOperationException>(() =>
            SsmEvaluator.Evaluate(context.Data.LoadFromEnumerable(rows), predictedLabelColumnName: null, groundTruthMaskColumnName: "Mask"));
        Assert.Equal("Mask column 'Mask' has 3 values at row 3; expected 4.", e.Message);
    }

    private sealed class OddMapRow
    {
        public bool Label { get; set; }
        public float Score { get; set; }
        [VectorType(6)] public float[] AnomalyMap { get; set; } = new float[6];
        [VectorType(6)] public float[] Mask { get; set; } = new float[6];
    }

    [Fact]
    public void A_map_neither_square_nor_of_two_dimensions_is_refused_by_name()
    {
        var context = new MLContext();
        var data = context.Data.LoadFromEnumerable(new[] { new OddMapRow(), new OddMapRow { Label = true, Score = 1, Mask = [1, 0, 0, 0, 0, 0] } });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SsmEvaluator.Evaluate(data, predictedLabelColumnName: null, groundTruthMaskColumnName: "Mask"));
        Assert.Equal("anomalyMapColumnName", e.ParamName);
        Assert.StartsWith("Anomaly map column 'AnomalyMap' has 6 values, not a square number nor two dimensions (height, width).", e.Message);
    }

    [Fact]
    public void Evaluator_rejects_a_wrong_label_type_by_name()
    {
        var context = new MLContext();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => SsmEvaluator.Evaluate(HandMade(context), labelColumnName: "AnomalyMap"));
        Assert.Contains("'AnomalyMap'", e.Message);
        Assert.Contains("Boolean, Single, Double or a UInt32 key of two values", e.Message);
    }
}
