using Microsoft.ML;
using Microsoft.ML.Data;
using SSM.Core.Data;
using SSM.Core.Tests.Data;

namespace SSM.MLNet.Tests;

public sealed class SchemaTests
{
    private sealed class TextRow { public string Image { get; set; } = ""; }
    private sealed class BoolRow { public bool Image { get; set; } }
    private sealed class PathRow { public string ImagePath { get; set; } = ""; }
    private sealed class VectorRow { [VectorType(64)] public float[] Image { get; set; } = new float[64]; }

    private static readonly MLContext Context = new(seed: 1);

    // SchemaShape.Create is internal in ML.NET; estimator chains call it themselves.
    internal static SchemaShape Shape(DataViewSchema schema) =>
        (SchemaShape)typeof(SchemaShape).GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public)!
            .Invoke(null, [schema])!;

    private static bool Find(SchemaShape shape, string name, out SchemaShape.Column column)
    {
        column = shape.FirstOrDefault(c => c.Name == name);
        return column.Name == name;
    }

    /// <summary>Nothing given is refused by the name of what is missing, not with a NullReferenceException from inside.</summary>
    [Fact]
    public void Null_options_schema_or_data_are_refused_by_name()
    {
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => Context.Transforms.DetectAnomaliesSsm((SsmAnomalyDetectionOptions)null!)).ParamName);
        Assert.Equal("catalog", Assert.Throws<ArgumentNullException>(() => ((TransformsCatalog)null!).DetectAnomaliesSsm(new SsmAnomalyDetectionOptions())).ParamName);
        var estimator = Context.Transforms.DetectAnomaliesSsm();
        Assert.Equal("inputSchema", Assert.Throws<ArgumentNullException>(() => estimator.GetOutputSchema(null!)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentNullException>(() => estimator.Fit(null!)).ParamName);
    }

    [Fact]
    public void Scoring_and_augmentation_settings_reach_the_engine_options()
    {
        var estimator = Context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions
        {
            ImageSize = 32, InputNormalization = InputNormalization.None, RestorationError = SSM.Core.RestorationError.SquaredError,
            ImageScoreError = SSM.Core.RestorationError.Both, StandardizeMaps = false, ScoringPrecision = SSM.Core.NetworkPrecision.BFloat16, RefinementRounds = 2,
            TrainingPrecision = SSM.Core.NetworkPrecision.Float32,
            Flip = true, Rotate = true,
        });
        var engine = estimator.EngineOptions;
        Assert.Equal(InputNormalization.None, engine.Normalization);
        Assert.Equal(SSM.Core.RestorationError.SquaredError, engine.Scoring.Error);
        Assert.Equal(SSM.Core.RestorationError.Both, engine.Scoring.ImageScoreError);
        Assert.False(engine.Scoring.StandardizeMaps);
        Assert.Equal(SSM.Core.NetworkPrecision.BFloat16, engine.Scoring.Precision);
        Assert.Equal(SSM.Core.NetworkPrecision.Float32, engine.Training.Precision);
        Assert.Equal(2, engine.Scoring.RefinementRounds);
        Assert.True(engine.Training.Flip);
        Assert.True(engine.Training.Rotate);
    }

    [Fact]
    public void The_image_score_follows_the_restoration_error_unless_given()
    {
        // A map of MS-GMS with a score of both errors would decide images by a map that is not drawn.
        var msGms = Context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions { RestorationError = SSM.Core.RestorationError.MsGms }).EngineOptions;
        Assert.Equal(SSM.Core.RestorationError.MsGms, msGms.Scoring.ImageScoreError);
        Assert.Equal(new SSM.Core.SsmOptions().Scoring.ImageScoreError, Context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions()).EngineOptions.Scoring.ImageScoreError);
    }

    [Fact]
    public void Wrong_input_type_fails_at_Fit_naming_column_and_expected_type()
    {
        var data = Context.Data.LoadFromEnumerable(new[] { new BoolRow { Image = true } });
        var estimator = Context.Transforms.DetectAnomaliesSsm(imageSize: 32);
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        Assert.Contains("Schema mismatch for input column 'Image'", e.Message);
        Assert.Contains("expected Image, vector of Single, Text path, or vector of Byte (an encoded image file)", e.Message);
        Assert.Contains("Boolean", e.Message);
    }

    private sealed class SingleRow { public float Image { get; set; } }

    private sealed class DoublesRow { [VectorType(4)] public double[] Image { get; set; } = new double[4]; }

    [Fact]
    public void A_number_or_a_vector_of_other_numbers_fails_at_GetOutputSchema()
    {
        // One Single is no image, nor is a vector of Double (what a text file read as R8 gives).
        foreach (var (schema, type) in new[] { (Context.Data.LoadFromEnumerable(new[] { new SingleRow() }).Schema, "got Single"),
                     (Context.Data.LoadFromEnumerable(new[] { new DoublesRow() }).Schema, "Double") })
        {
            var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Context.Transforms.DetectAnomaliesSsm().GetOutputSchema(Shape(schema)));
            Assert.Contains("expected Image, vector of Single, Text path, or vector of Byte (an encoded image file)", e.Message);
            Assert.Contains(type, e.Message);
        }
    }

    [Fact]
    public void Wrong_input_type_fails_at_GetOutputSchema()
    {
        var data = Context.Data.LoadFromEnumerable(new[] { new BoolRow { Image = true } });
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() =>
            Context.Transforms.DetectAnomaliesSsm().GetOutputSchema(Shape(data.Schema)));
        Assert.Contains("'Image'", e.Message);
        Assert.Contains("expected Image, vector of Single, Text path, or vector of Byte (an encoded image file)", e.Message);
        Assert.Contains("Boolean", e.Message);
    }

    [Fact]
    public void A_pixel_vector_without_its_size_fails_at_GetOutputSchema_as_at_Fit()
    {
        var shape = Shape(Context.Data.LoadFromEnumerable(new[] { new VectorRow() }).Schema);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Context.Transforms.DetectAnomaliesSsm(imageSize: 32).GetOutputSchema(shape));
        Assert.Contains("'Image' is a vector of Single: set VectorWidth and VectorHeight", e.Message);
        Assert.Equal("VectorWidth", e.ParamName);
        var sized = Context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions { ImageSize = 32, VectorWidth = 8, VectorHeight = 8 });
        Assert.True(Find(sized.GetOutputSchema(shape), "Score", out _));
    }

    [Fact]
    public void A_text_column_is_accepted_as_image_paths_without_fitting()
    {
        var data = Context.Data.LoadFromEnumerable(new[] { new TextRow { Image = "x.png" } });
        var shape = Context.Transforms.DetectAnomaliesSsm(imageSize: 32).GetOutputSchema(Shape(data.Schema));
        Assert.True(Find(shape, "Score", out _));
    }

    [Fact]
    public void Missing_input_column_is_named()
    {
        var data = Context.Data.LoadFromEnumerable(new[] { new TextRow() });
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() =>
            Context.Transforms.DetectAnomaliesSsm(inputColumnName: "Picture").GetOutputSchema(Shape(data.Schema)));
        Assert.Contains("Could not find input column 'Picture'; the data has 'Image' (", e.Message);
        Assert.Contains("LoadImages", e.Message);
        // Fit says the same, from the data's own schema.
        var fit = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Context.Transforms.DetectAnomaliesSsm(inputColumnName: "Picture").Fit(data));
        Assert.Contains("Could not find input column 'Picture'; the data has 'Image' (String)", fit.Message);
        // Named as ML.NET's estimators name it, whichever method was called.
        Assert.Equal("inputSchema", e.ParamName);
        Assert.Equal("inputSchema", fit.ParamName);
    }

    [Fact]
    public void A_cache_that_dropped_the_image_column_is_named_as_the_likely_cause()
    {
        // ML.NET's cache drops image columns without a word: the message must not only send the user back to LoadImages.
        var data = Context.Data.LoadFromEnumerable(new[] { new PathRow { ImagePath = "x.png" } });
        var pipeline = Context.Transforms.LoadImages("Image", "", nameof(PathRow.ImagePath)).AppendCacheCheckpoint(Context)
            .Append(Context.Transforms.DetectAnomaliesSsm(imageSize: 32));
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => pipeline.Fit(data));
        Assert.Contains("Could not find input column 'Image'", e.Message);
        Assert.Contains("AppendCacheCheckpoint or mlContext.Data.Cache, drops image columns", e.Message);
    }

    [Fact]
    public void Output_schema_is_known_without_fitting()
    {
        var data = Context.Data.LoadFromEnumerable(new[] { new PathRow() });
        var pipeline = Context.Transforms.LoadImages("Image", "", nameof(PathRow.ImagePath))
            .Append(Context.Transforms.DetectAnomaliesSsm(scoreColumnName: "S", predictedLabelColumnName: "P", anomalyMapColumnName: "M"));
        var shape = pipeline.GetOutputSchema(Shape(data.Schema));
        Assert.True(Find(shape, "S", out var s));
        Assert.Equal(NumberDataViewType.Single, s.ItemType);
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, s.Kind);
        Assert.True(Find(shape, "P", out var p));
        Assert.Equal(BooleanDataViewType.Instance, p.ItemType);
        Assert.True(Find(shape, "M", out var m));
        Assert.Equal(SchemaShape.Column.VectorKind.Vector, m.Kind);
        Assert.Equal(NumberDataViewType.Single, m.ItemType);
    }

    [Fact]
    public void Vector_input_without_declared_size_fails_clearly()
    {
        var data = Context.Data.LoadFromEnumerable(new[] { new VectorRow() });
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Context.Transforms.DetectAnomaliesSsm(imageSize: 32).Fit(data));
        Assert.Contains("VectorWidth", e.Message);
    }

    [Fact]
    public void Vector_input_of_the_wrong_size_fails_at_Fit()
    {
        var data = Context.Data.LoadFromEnumerable(new[] { new VectorRow() });
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions
        {
            ImageSize = 32, VectorWidth = 16, VectorHeight = 16, Channels = 1,
        }).Fit(data));
        Assert.Contains("'Image'", e.Message);
        Assert.Contains("256", e.Message);   // the size asked, against the column's 64
    }

    /// <summary>A tiny model of the vector column "Pixels" (every row class below names its column so).</summary>
    private static SsmAnomalyDetectionOptions PixelOptions(int width, int height, int channels) => new()
    {
        InputColumnName = "Pixels", ImageSize = 16, VectorWidth = width, VectorHeight = height, Channels = channels,
        BaseWidth = 2, Depth = 2, Epochs = 1,
    };

    /// <summary>The message <c>Fit</c> refuses <paramref name="row"/>'s column with, read as the options say.</summary>
    private static string RefusedAtFit<TRow>(TRow row, int width, int height, int channels) where TRow : class =>
        Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Context.Transforms.DetectAnomaliesSsm(PixelOptions(width, height, channels))
            .Fit(Context.Data.LoadFromEnumerable(new[] { row }))).Message;

    private sealed class ShapedRow
    {
        [Microsoft.ML.Data.VectorType(3, 8, 16)]
        public float[] Pixels { get; set; } = new float[3 * 8 * 16];
    }

    [Fact]
    public void Vector_input_whose_own_shape_differs_fails_at_Fit()
    {
        // ExtractPixels' vectors say their shape: 16 wide and 8 high. Width and height swapped have the same length, and
        // would read every image scrambled.
        string message = RefusedAtFit(new ShapedRow(), width: 8, height: 16, channels: 3);
        Assert.Contains("'Pixels'", message);
        Assert.Contains("3 x 8 x 16", message);
    }

    private sealed class PlaneRow
    {
        [Microsoft.ML.Data.VectorType(8, 16)]
        public float[] Pixels { get; set; } = new float[8 * 16];
    }

    [Fact]
    public void A_grey_vector_of_two_dimensions_fails_at_Fit_when_they_are_not_the_options_height_and_width()
    {
        // Height and width swapped, as for three dimensions above: the same length, every image scrambled.
        string message = RefusedAtFit(new PlaneRow(), width: 8, height: 16, channels: 1);
        Assert.Contains("'Pixels'", message);
        Assert.Contains("the column's own shape is 8 x 16; set the options to it", message);
    }

    private sealed class InterleavedRow
    {
        [Microsoft.ML.Data.VectorType(8, 16, 3)]
        public float[] Pixels { get; set; } = new float[8 * 16 * 3];
    }

    [Fact]
    public void Interleaved_pixels_fail_at_Fit_saying_how_to_extract_them()
    {
        // ExtractPixels(interleavePixelColors: true) says height x width x channels, which no Channels reads.
        string message = RefusedAtFit(new InterleavedRow(), width: 16, height: 8, channels: 3);
        Assert.Contains("'Pixels'", message);
        Assert.Contains("8 x 16 x 3; its pixels are interleaved, height x width x channels: extract them with " +
                        "ExtractPixels(interleavePixelColors: false), channel by channel, and set Channels = 3, VectorHeight = 8, VectorWidth = 16", message);
    }

    private sealed class GreyInterleavedRow
    {
        [Microsoft.ML.Data.VectorType(8, 16, 1)]
        public float[] Pixels { get; set; } = [.. Enumerable.Range(0, 8 * 16).Select(i => (i * 37 % 101) / 101f)];
    }

    [Fact]
    public void One_channel_interleaved_is_read_as_one_plane()
    {
        // Height x width x 1 lies in memory as 1 x height x width does: nothing to re-extract.
        var data = Context.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(_ => new GreyInterleavedRow()));
        using var model = Context.Transforms.DetectAnomaliesSsm(PixelOptions(width: 16, height: 8, channels: 1)).Fit(data);
        Assert.Equal(4, model.Transform(data).GetColumn<float>("Score").Count());
        Assert.Contains("the column's own shape is 8 x 16 x 1; set the options to it", RefusedAtFit(new GreyInterleavedRow(), width: 8, height: 16, channels: 1));
    }

    [Fact]
    public void Invalid_settings_fail_when_the_estimator_is_made()
    {
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => Context.Transforms.DetectAnomaliesSsm(imageSize: 30));
        Assert.Contains("ImageSize", e.Message);
    }

    [Fact]
    public void An_unreadable_image_fails_naming_its_row()
    {
        using var folder = new TempFolder();
        var rows = new List<PathRow>();
        for (int i = 0; i < 6; i++)
        {
            string path = folder.File($"{i}.png");
            if (i == 4) File.WriteAllText(path, "not an image");
            else ImageFile.Save(new FloatImage(1, 16, 16), path);
            rows.Add(new PathRow { ImagePath = path });
        }
        var pipeline = Context.Transforms.LoadImages("Image", "", nameof(PathRow.ImagePath))
            .Append(Context.Transforms.DetectAnomaliesSsm(imageSize: 16, epochs: 1));
        var e = Assert.ThrowsAny<Exception>(() => pipeline.Fit(Context.Data.LoadFromEnumerable(rows)));
        Assert.Contains("row 4", e.Message);
        Assert.Contains("'Image'", e.Message);
    }

    [Fact]
    public void GpuDeviceId_without_fallback_trains_on_CUDA_or_fails_clearly_without_it()
    {
        var context = new MLContext { GpuDeviceId = 0, FallbackToCpu = false };
        var data = context.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(_ => new VectorRow()));
        SsmAnomalyTransformer? model = null;
        var e = Record.Exception(() => model = context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions
        {
            ImageSize = 8, Depth = 2, BaseWidth = 4, VectorWidth = 8, VectorHeight = 8, Channels = 1, Epochs = 1,
        }).Fit(data));
        using var _ = model;
        // Asked after Fit, which loads libtorch the way this project must (TorchNative) before choosing the device. A CUDA
        // build on a machine with a GPU (-p:TorchBackend=cuda-linux) trains there, not on a CPU it fell back to; elsewhere
        // Fit must say what to change.
        if (TorchSharp.torch.cuda.is_available())
        {
            Assert.Null(e);
            Assert.Equal(TorchSharp.DeviceType.CUDA, model!.Model.Device.type);
            return;
        }
        Assert.Contains("FallbackToCpu", Assert.IsType<DeviceUnavailableException>(e).Message);
    }

    [Theory]
    [InlineData("CPU")]
    [InlineData("Cpu")]
    public void Device_names_in_any_case_reach_the_device(string device)
    {
        // The option is checked in any letter case, and the device follows the check.
        Assert.Equal(TorchSharp.DeviceType.CPU, SsmDevice.Resolve(new MLContext(), device).type);
    }

    [Fact]
    public void A_CUDA_device_in_capitals_is_understood_and_fails_only_on_availability()
    {
        TorchSharp.torch.Device? device = null;
        var e = Record.Exception(() => device = SsmDevice.Resolve(new MLContext(), "CUDA:1"));
        // Asked after Resolve, which loads libtorch first. With CUDA the name in capitals is that device; without, the
        // message is about availability, not about the name.
        if (TorchSharp.torch.cuda.is_available())
        {
            Assert.Null(e);
            Assert.Equal(TorchSharp.DeviceType.CUDA, device!.type);
            return;
        }
        Assert.Contains("CUDA is not available", Assert.IsType<DeviceUnavailableException>(e).Message);
    }
}
