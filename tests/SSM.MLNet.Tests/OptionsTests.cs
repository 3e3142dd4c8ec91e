using System.Reflection;
using System.Text.Json;
using Microsoft.ML;
using SSM.Core;
using SSM.Core.Network;
using SSM.Core.Data;

namespace SSM.MLNet.Tests;

public sealed class OptionsTests
{
    private static readonly MLContext Context = new(seed: 1);

    [Fact]
    public void The_simple_overload_without_arguments_has_the_options_defaults()
    {
        var simple = Context.Transforms.DetectAnomaliesSsm().Options;
        var defaults = new SsmAnomalyDetectionOptions();
        var properties = typeof(SsmAnomalyDetectionOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance);
        // Every parameter of the simple overload is among the compared properties.
        var parameters = typeof(SsmCatalog).GetMethods().Single(m => m.Name == nameof(SsmCatalog.DetectAnomaliesSsm)
            && m.GetParameters()[1].ParameterType != typeof(SsmAnomalyDetectionOptions)).GetParameters().Skip(1).ToList();
        Assert.Equal(8, parameters.Count);
        Assert.All(parameters, p => Assert.Contains(properties, q => string.Equals(q.Name, p.Name, StringComparison.OrdinalIgnoreCase)));
        foreach (var property in properties)
        {
            object? expected = property.GetValue(defaults), actual = property.GetValue(simple);
            Assert.True(Equals(expected, actual), $"{property.Name}: {expected} in SsmAnomalyDetectionOptions, {actual} from the simple overload.");
        }
        Assert.Null(simple.Epochs);   // the engine resolves it for the precision training runs in
    }

    [Fact]
    public void The_options_defaults_are_the_engine_defaults()
    {
        // The constants the simple overload needs copy engine defaults; the rest of the options read them from the engine.
        string engine = JsonSerializer.Serialize(new SsmOptions());
        string ours = JsonSerializer.Serialize(Context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions()).EngineOptions);
        Assert.Contains("\"Epochs\":null", engine);   // resolved when training starts, for the precision it runs in
        Assert.Equal(engine, ours);
    }

    public static TheoryData<string, Action<SsmAnomalyDetectionOptions>, string, string> BadOptions => new()
    {
        { "Channels", o => o.Channels = 2, "got 2", "1 (grayscale) or 3 (RGB)" },
        { "TrainingTime", o => o.TrainingTime = TimeSpan.FromMinutes(-1), "got -00:01:00", "positive, or null for no limit" },
        { "TrainingTime", o => o.TrainingTime = TimeSpan.Zero, "got 00:00:00", "positive" },
        { "Device", o => o.Device = "foo", "got 'foo'", "\"cpu\", \"cuda\" or \"cuda:N\"" },
        { "Device", o => o.Device = "cuda:-1", "got 'cuda:-1'", "\"cuda:N\"" },
        { "Device", o => o.Device = "mps", "got 'mps'", "\"cuda:N\"" },
        { "ImageSize", o => o.ImageSize = 30, "got 30", "a multiple of 8 (2^(Depth-1) for Depth 4)" },
        { "Tiles", o => o.Tiles = new SSM.Core.Data.TileGrid(0, 1), "got 0x1", "null (whole images) or from 1 to 16 tiles across and down" },
        { "Tiles", o => o.Tiles = new SSM.Core.Data.TileGrid(4, 17), "got 4x17", "from 1 to 16" },
        { "ImageSize", o => o.ImageSize = 2048, "got 2048", "to 1024" },
        // A multiple of Depth 2's 2, but MS-GMS's pyramid needs 8 px: libtorch failed inside Fit's first step.
        { "ImageSize", o => { o.ImageSize = 4; o.Depth = 2; }, "got 4", "from 8 to 1024" },
        { "VectorHeight", o => o.VectorWidth = 32, "got null", "both for a pixel vector" },
        { "ImageFolder", o => o.ImageFolder = "   ", "got '   '", "a folder path" },
        { "MaxImagePixels", o => o.MaxImagePixels = -1, "got -1", "0 (no limit) or more" },
        { "BaseWidth", o => o.BaseWidth = 1, "got 1", "between 2 and 1024" },
        { "Depth", o => o.Depth = 9, "got 9", "between 2 and 8" },
        { "Epochs", o => o.Epochs = 0, "got 0", "at least 1" },
        { "BatchSize", o => o.BatchSize = 0, "got 0", "at least 1" },
        { "LearningRate", o => o.LearningRate = double.NaN, "got NaN", "a positive number" },
        { "HoldoutFraction", o => o.HoldoutFraction = 0.95, "got 0.95", "less than 0.9" },
        { "InputNormalization", o => o.InputNormalization = (SSM.Core.Data.InputNormalization)7, "got 7", "one of None, PerImage" },
        { "RestorationError", o => o.RestorationError = (RestorationError)9, "got 9", "one of MsGms, SquaredError, Both" },
        { "ScoringPrecision", o => o.ScoringPrecision = (NetworkPrecision)5, "got 5", "one of Float32, BFloat16, Auto" },
        { "ScoreNormalization", o => o.ScoreNormalization = (SsmScoreNormalization)3, "got 3", "one of ZScore, Raw" },
        { "RefinementRounds", o => o.RefinementRounds = 11, "got 11", "between 1 and 10" },
        { "Threshold", o => o.Threshold = float.PositiveInfinity, "got Infinity", "a finite number" },
        { "CheckpointEvery", o => o.CheckpointEvery = 0, "got 0", "at least 1" },
        { "CheckpointFolder", o => o.CheckpointFolder = "", "got ''", "a folder path, or null for no checkpoints" },
        { "CheckpointFolder", o => o.CheckpointFolder = "  ", "got '  '", "a folder path" },
        { "ScoringBatchSize", o => o.ScoringBatchSize = 0, "got 0", "between 1 and 1024" },
        { "VectorWidth", o => o.VectorWidth = 0, "got 0", "a positive number of pixels" },
        { "VectorScale", o => o.VectorScale = -1f, "got -1", "a positive number" },
        { "InputColumnName", o => o.InputColumnName = "", "got ''", "a column name" },
        { "AnomalyMapColumnName", o => o.AnomalyMapColumnName = "Score", "got 'Score'", "a name other than ScoreColumnName ('Score')" },
        { "PredictedLabelColumnName", o => o.PredictedLabelColumnName = "Score", "got 'Score'", "a name other than ScoreColumnName ('Score')" },
        { "ScoreColumnName", o => o.ScoreColumnName = "", "got ''", "a column name" },
        { "PredictedLabelColumnName", o => o.PredictedLabelColumnName = "", "got ''", "a column name" },
        { "AnomalyMapColumnName", o => o.AnomalyMapColumnName = "PredictedLabel", "got 'PredictedLabel'", "PredictedLabelColumnName ('PredictedLabel')" },
        { "AnomalyMapColumnName", o => o.AnomalyMapColumnName = "Image", "got 'Image'", "a name other than InputColumnName ('Image'), whose images it would hide" },
        { "ScoreColumnName", o => o.ScoreColumnName = "Image", "got 'Image'", "a name other than InputColumnName ('Image')" },
        { "PredictedLabelColumnName", o => { o.InputColumnName = "Path"; o.PredictedLabelColumnName = "Path"; }, "got 'Path'", "a name other than InputColumnName ('Path')" },
        { "Depth", o => o.Depth = 1, "got 1", "between 2 and 8" },
        { "LearningRate", o => o.LearningRate = 0, "got 0", "a positive number" },
        { "LearningRate", o => o.LearningRate = double.PositiveInfinity, "got Infinity", "a positive number" },
        { "LearningRate", o => o.LearningRate = 1e38, "got 1E+38", "a positive number, at most 1E+37" },
        { "HoldoutFraction", o => o.HoldoutFraction = 0, "got 0", "greater than 0" },
        { "ImageScoreError", o => o.ImageScoreError = (RestorationError)9, "got 9", "one of MsGms, SquaredError, Both" },
        { "TrainingPrecision", o => o.TrainingPrecision = (NetworkPrecision)5, "got 5", "one of Float32, BFloat16, Auto" },
        { "VectorHeight", o => o.VectorHeight = 0, "got 0", "a positive number of pixels" },
        { "Threshold", o => o.Threshold = float.NaN, "got NaN", "a finite number" },
        { "SmoothingSigma", o => o.SmoothingSigma = -1, "got -1", "from 0 (no smoothing) to ImageSize (64) pixels, or null for ImageSize / 32" },
        { "SmoothingSigma", o => o.SmoothingSigma = double.NaN, "got NaN", "from 0 (no smoothing)" },
        { "SmoothingSigma", o => o.SmoothingSigma = 65, "got 65", "to ImageSize (64) pixels" },
        { "BaseWidth", o => o.BaseWidth = 1025, "got 1025", "between 2 and 1024" },
        // 2^(Depth-1) leaves a 1 x 1 bottleneck, whose trainings diverged: the smallest is 2^Depth.
        { "ImageSize", o => o.ImageSize = 8, "got 8", "a multiple of 8 (2^(Depth-1) for Depth 4) from 16 to 1024" },
        { "RefinementRounds", o => o.RefinementRounds = 0, "got 0", "between 1 and 10" },
        { "ScoringBatchSize", o => o.ScoringBatchSize = 1025, "got 1025", "between 1 and 1024" },
        { "VectorScale", o => o.VectorScale = float.NaN, "got NaN", "a positive number" },
        { "VectorScale", o => o.VectorScale = float.PositiveInfinity, "got Infinity", "a positive number" },
        // A multiple of 8 (Depth 4's) but not of Depth 5's 16.
        { "ImageSize", o => { o.Depth = 5; o.ImageSize = 40; }, "got 40", "a multiple of 16 (2^(Depth-1) for Depth 5) from 32 to 1024" },
        // The open ends of two ranges: the end itself is refused.
        { "HoldoutFraction", o => o.HoldoutFraction = TrainingOptions.MaxHoldoutFraction, "got 0.9", "less than 0.9" },
        { "VectorScale", o => o.VectorScale = 0, "got 0", "a positive number" },
        // Beyond what a vector holds (the length overflowed an int: 0 here, asked for as Vector<Single, 0>).
        { "VectorWidth", o => { o.VectorWidth = 65536; o.VectorHeight = 65536; }, "got 65536",
            "a width that with VectorHeight (65536) and Channels (1) fits a vector, at most 2,147,483,591 values" },
        { "VectorWidth", o => { o.VectorWidth = 40000; o.VectorHeight = 20000; o.Channels = 3; }, "got 40000", "and Channels (3) fits a vector" },
        // Read at every row and refused there, as if the rows were at fault.
        { "VectorWidth", o => { o.VectorWidth = 32; o.VectorHeight = 4; }, "got 32", "a width that with VectorHeight (4) gives images of at least 8x8 pixels" },
        { "VectorWidth", o => { o.VectorWidth = 32; o.VectorHeight = 32; o.Tiles = new TileGrid(8, 1); }, "got 32", "at least 8x8 pixels in each of their 8x1 tiles" },
    };

    [Fact]
    public void SmoothingSigma_reaches_the_engine()
    {
        Assert.Equal(0.5, Context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions { SmoothingSigma = 0.5 }).EngineOptions.Scoring.SmoothingSigma);
        Assert.Null(Context.Transforms.DetectAnomaliesSsm().EngineOptions.Scoring.SmoothingSigma);   // ImageSize / 32, resolved by the engine
    }

    /// <summary>Each argument of the simple overload reaches its option: a dropped one would leave the default, which the
    /// defaults test cannot tell.</summary>
    [Fact]
    public void The_simple_overload_passes_every_argument_on()
    {
        var o = Context.Transforms.DetectAnomaliesSsm("Pixels", "S", "P", "M", imageSize: 32, channels: 3, epochs: 7, trainingTime: TimeSpan.FromMinutes(5)).Options;
        Assert.Equal(("Pixels", "S", "P", "M"), (o.InputColumnName, o.ScoreColumnName, o.PredictedLabelColumnName, o.AnomalyMapColumnName));
        Assert.Equal((32, 3, 7, TimeSpan.FromMinutes(5)), (o.ImageSize, o.Channels, o.Epochs, o.TrainingTime));
    }

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void A_bad_option_fails_at_construction_naming_the_option_the_value_and_what_is_allowed(
        string option, Action<SsmAnomalyDetectionOptions> set, string got, string allowed)
    {
        var options = new SsmAnomalyDetectionOptions();
        set(options);
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Context.Transforms.DetectAnomaliesSsm(options));
        Assert.Equal(option, e.ParamName);
        Assert.Contains($"SsmAnomalyDetectionOptions.{option} must be ", e.Message);
        Assert.Contains(allowed, e.Message);
        Assert.Contains(got + ".", e.Message);
    }

    /// <summary>Each range's own ends are allowed, as the messages above state them (a check written with the wrong
    /// comparison would refuse them): the value reaches the estimator's options unchanged.</summary>
    public static TheoryData<string, Action<SsmAnomalyDetectionOptions>> OptionsAtTheirLimits => new()
    {
        { "BaseWidth", o => o.BaseWidth = InpaintingNetworkOptions.MinTrainingBaseWidth },
        { "BaseWidth", o => o.BaseWidth = InpaintingNetworkOptions.MaxBaseWidth },
        { "Depth", o => { o.Depth = InpaintingNetworkOptions.MinDepth; o.ImageSize = 8; } },   // and Depth 2's smallest image
        { "Depth", o => { o.Depth = InpaintingNetworkOptions.MaxDepth; o.ImageSize = 256; } },   // 2^8, a multiple of 2^7
        { "ImageSize", o => o.ImageSize = 16 },   // 2^Depth for Depth 4
        { "ImageSize", o => o.ImageSize = SsmOptions.MaxImageSize },
        { "MaxImagePixels", o => o.MaxImagePixels = 0 },
        { "Tiles", o => o.Tiles = new SSM.Core.Data.TileGrid(1, 1) },
        { "Tiles", o => o.Tiles = new SSM.Core.Data.TileGrid(SSM.Core.Data.TileGrid.MaxTiles, SSM.Core.Data.TileGrid.MaxTiles) },
        { "Epochs", o => o.Epochs = 1 },
        { "BatchSize", o => o.BatchSize = 1 },
        { "RefinementRounds", o => o.RefinementRounds = 1 },
        { "RefinementRounds", o => o.RefinementRounds = ScoringOptions.MaxRefinementRounds },
        { "SmoothingSigma", o => o.SmoothingSigma = 0 },
        { "SmoothingSigma", o => o.SmoothingSigma = 64 },   // ImageSize
        { "CheckpointEvery", o => o.CheckpointEvery = 1 },
        { "ScoringBatchSize", o => o.ScoringBatchSize = 1 },
        { "ScoringBatchSize", o => o.ScoringBatchSize = SsmAnomalyTransformer.MaxScoringBatchSize },
        { "VectorWidth", o => { o.VectorWidth = ImageCache.MinimumSide; o.VectorHeight = ImageCache.MinimumSide; } },
        { "VectorScale", o => o.VectorScale = float.Epsilon },
    };

    [Theory]
    [MemberData(nameof(OptionsAtTheirLimits))]
    public void An_option_at_the_end_of_its_range_is_accepted(string option, Action<SsmAnomalyDetectionOptions> set)
    {
        var options = new SsmAnomalyDetectionOptions();
        set(options);
        var estimator = Context.Transforms.DetectAnomaliesSsm(options);
        var property = typeof(SsmAnomalyDetectionOptions).GetProperty(option)!;
        Assert.Equal(property.GetValue(options), property.GetValue(estimator.Options));
    }

    [Fact]
    public void Engine_parameter_names_do_not_leak_into_messages()
    {
        // The engine calls these InputChannels and TimeBudget; a user of these options never sees those names.
        var channels = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Context.Transforms.DetectAnomaliesSsm(channels: 2));
        Assert.Contains("SsmAnomalyDetectionOptions.Channels", channels.Message);
        Assert.DoesNotContain("InputChannels", channels.Message);
        var time = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Context.Transforms.DetectAnomaliesSsm(trainingTime: TimeSpan.FromSeconds(-5)));
        Assert.Contains("SsmAnomalyDetectionOptions.TrainingTime", time.Message);
        Assert.DoesNotContain("TimeBudget", time.Message);
        var device = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions { Device = "foo" }));
        Assert.DoesNotContain("FOO", device.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("cpu")]
    [InlineData("CPU")]
    [InlineData("cuda")]
    [InlineData("cuda:0")]
    [InlineData("cuda:12")]
    public void Accepted_device_strings_pass_the_check(string? device)
    {
        // Construction checks the form only; whether CUDA is there is Fit's concern.
        var estimator = Context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions { Device = device });
        Assert.Equal(device, estimator.Options.Device);
    }

    [Fact]
    public void Fit_uses_the_options_as_they_were_when_the_estimator_was_made()
    {
        // As ML.NET's estimators: a sweep made from one options object, changed between estimators, trained each with the
        // last values (a walkthrough: Epochs 1 and 3 both trained 3).
        var options = new SsmAnomalyDetectionOptions { InputColumnName = nameof(ImageRow.ImagePath), Epochs = 1 };
        var estimator = Context.Transforms.DetectAnomaliesSsm(options);
        options.Device = "gpu";
        options.Epochs = 3;
        estimator.Options.Epochs = 5;   // a copy, too
        Assert.Equal(1, estimator.Options.Epochs);
        Assert.Equal(1, estimator.EngineOptions.Training.Epochs);
        var data = Context.Data.LoadFromEnumerable(new List<ImageRow>());
        var e = Assert.Throws<InvalidOperationException>(() => estimator.Fit(data));   // no rows, not the later Device
        Assert.Contains("at least", e.Message);
    }

    [Fact]
    public void The_old_name_of_ScoreNormalization_still_sets_it()
    {
#pragma warning disable CS0618   // code written before the rename must keep its meaning
        var options = new SsmAnomalyDetectionOptions { Normalization = SsmScoreNormalization.Raw };
        Assert.Equal(SsmScoreNormalization.Raw, options.ScoreNormalization);
#pragma warning restore CS0618
    }

    [Fact]
    public void GetOutputSchema_uses_the_options_as_they_were_when_the_estimator_was_made()
    {
        var options = new SsmAnomalyDetectionOptions { InputColumnName = nameof(ImageRow.ImagePath) };
        var estimator = Context.Transforms.DetectAnomaliesSsm(options);
        options.ScoreColumnName = options.PredictedLabelColumnName;   // would be refused: the estimator does not see it
        var shape = estimator.GetOutputSchema(SchemaTests.Shape(Context.Data.LoadFromEnumerable(new List<ImageRow>()).Schema));
        Assert.Contains(shape, c => c.Name == SsmAnomalyDetectionOptions.DefaultScoreColumnName);
    }

    public static TheoryData<string, Action<SsmAnomalyDetectionOptions>> WeightShapingOptions => new()
    {
        { "ImageSize", o => o.ImageSize = 32 }, { "Tiles", o => o.Tiles = new TileGrid(2, 1) },
        { "InputNormalization", o => o.InputNormalization = InputNormalization.None }, { "Channels", o => o.Channels = 3 },
        { "BaseWidth", o => o.BaseWidth = 4 }, { "Depth", o => o.Depth = 3 }, { "Epochs", o => o.Epochs = 2 },
        { "BatchSize", o => o.BatchSize = 2 }, { "LearningRate", o => o.LearningRate = 0.01 }, { "HoldoutFraction", o => o.HoldoutFraction = 0.2 },
        { "Flip", o => o.Flip = true }, { "Rotate", o => o.Rotate = true }, { "Seed", o => o.Seed = 7 },
        { "TrainingPrecision", o => o.TrainingPrecision = NetworkPrecision.Float32 },
    };

    [Theory]
    [MemberData(nameof(WeightShapingOptions))]
    public void A_refused_checkpoint_names_a_setting_by_the_option_it_comes_from(string option, Action<SsmAnomalyDetectionOptions> change)
    {
        var changed = new SsmAnomalyDetectionOptions();
        change(changed);
        var (before, after) = (EngineSettings(new SsmAnomalyDetectionOptions()), EngineSettings(changed));
        var differing = before.Keys.Union(after.Keys).Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k)).ToList();
        // Each named as the option, or left out as following from it (Depth's Network.SizeMultiple), never as another option.
        var named = differing.Select(SsmAnomalyEstimator.OptionNamed).ToList();
        Assert.Contains($"SsmAnomalyDetectionOptions.{option}", named);
        Assert.All(named, n => Assert.True(n is null || n == $"SsmAnomalyDetectionOptions.{option}", n));
    }

    [Fact]
    public void A_refused_checkpoint_leaves_out_settings_no_option_sets()
    {
        Assert.Null(SsmAnomalyEstimator.OptionNamed("Masking.CellSizes"));
        Assert.Null(SsmAnomalyEstimator.OptionNamed("NormalizationStdFloor"));
        Assert.Null(SsmAnomalyEstimator.OptionNamed("Training.WeightDecay"));
    }

    /// <summary>The engine settings an estimator of <paramref name="options"/> trains with, by their paths as a checkpoint
    /// records them (a tile grid one setting).</summary>
    private Dictionary<string, string> EngineSettings(SsmAnomalyDetectionOptions options)
    {
        var values = new Dictionary<string, string>();
        void Walk(System.Text.Json.Nodes.JsonNode? node, string path)
        {
            if (node is System.Text.Json.Nodes.JsonObject o && path != "Tiles")
                foreach (var (key, child) in o) Walk(child, path.Length == 0 ? key : $"{path}.{key}");
            else values[path] = node?.ToJsonString() ?? "null";
        }
        Walk(JsonSerializer.SerializeToNode(Context.Transforms.DetectAnomaliesSsm(options).EngineOptions), "");
        return values;
    }
}
