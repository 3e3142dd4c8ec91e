using Microsoft.ML;
using Microsoft.ML.Data;
using SSM.MLNet;

namespace SSM.Cli.Tests;

/// <summary>
/// Models trained through the ML.NET API, as a user's app saves them (a walkthrough's: rows from a CSV of paths and labels,
/// the path column called "path"), are scored by <c>ssm evaluate</c> and <c>ssm predict</c>, whether the SSM step reads the
/// paths itself or a <c>LoadImages</c> step does; one that reads images from anything but paths is refused in words.
/// </summary>
[Collection("cli")]
public sealed class ApiModelTests(TrainedModelFixture fx)
{
    private sealed class CsvRow
    {
        [LoadColumn(0)] public string path { get; set; } = "";
        [LoadColumn(1)] public string label { get; set; } = "";
    }

    private string SaveModel(string name, Func<MLContext, IEstimator<ITransformer>> pipeline)
    {
        var ml = new MLContext(seed: 0);
        var rows = ml.Data.LoadFromEnumerable(Directory.GetFiles(Path.Combine(fx.Data, "train", "good")).Order().Take(8)
            .Select(p => new CsvRow { path = p, label = "good" }));
        using var model = (IDisposable)pipeline(ml).Fit(rows);
        string file = Path.Combine(fx.Root, $"{name}.zip");
        ml.Model.Save((ITransformer)model, rows.Schema, file);
        return file;
    }

    private static SsmAnomalyDetectionOptions Tiny(string column) => new()
    {
        InputColumnName = column, ImageSize = 16, BaseWidth = 4, Depth = 2, Epochs = 1, Seed = 0,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_model_of_the_api_reading_a_column_of_its_own_name_is_scored(bool loadImages)
    {
        string model = SaveModel(loadImages ? "api-loadimages" : "api-path", ml => loadImages
            ? ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "path").Append(ml.Transforms.DetectAnomaliesSsm(Tiny("Image")))
            : ml.Transforms.DetectAnomaliesSsm(Tiny("path")));

        var evaluated = Cli.Run("evaluate", model, fx.Data, "--threshold", "4", "-o", Path.Combine(fx.Root, $"api-evaluate-{loadImages}"));
        Assert.True(evaluated.Code == 0, evaluated.Output);
        Assert.Contains("image AUROC", evaluated.Output);
        // The copy evaluate writes reads the user's own "path" column, as the model it copied, with the new threshold.
        var ml = new MLContext();
        using (var copy = (IDisposable)ml.Model.Load(Path.Combine(fx.Root, $"api-evaluate-{loadImages}", "model.zip"), out _))
        {
            Assert.Equal(4f, SsmAnomalyTransformer.From((ITransformer)copy).Threshold);
            var rows = ml.Data.LoadFromEnumerable(Directory.GetFiles(Path.Combine(fx.Data, "test", "good")).Select(p => new CsvRow { path = p, label = "good" }));
            Assert.NotEmpty(ml.Data.CreateEnumerable<Scores>(((ITransformer)copy).Transform(rows), reuseRowObject: false));
        }
        string predictions = Path.Combine(fx.Root, $"api-predict-{loadImages}");
        var predicted = Cli.Run("predict", model, Path.Combine(fx.Data, "test", "good"), "-o", predictions, "--no-heatmaps");
        Assert.True(predicted.Code == 0, predicted.Output);
        Assert.Equal(1 + Directory.GetFiles(Path.Combine(fx.Data, "test", "good")).Length, File.ReadAllLines(Path.Combine(predictions, "predictions.csv")).Length);
        if (!loadImages)
        {
            // Saved without its input schema (ML.NET allows it): the column the model reads is the one it is fed.
            string schemaless = Path.Combine(fx.Root, "api-path-no-schema.zip");
            using (var loaded = (IDisposable)ml.Model.Load(model, out _)) ml.Model.Save((ITransformer)loaded, null, schemaless);
            var again = Cli.Run("predict", schemaless, Path.Combine(fx.Data, "test", "good"), "-o", predictions + "-no-schema", "--no-heatmaps");
            Assert.True(again.Code == 0, again.Output);
            Assert.Equal(File.ReadAllLines(Path.Combine(predictions, "predictions.csv")), File.ReadAllLines(Path.Combine(predictions + "-no-schema", "predictions.csv")));
        }

        // Fine-tuned or calibrated again, it would be saved reading ImagePath instead of its own column: refused, with the API to use.
        string fineTuned = Path.Combine(fx.Root, $"api-from-{loadImages}");
        var from = Cli.Run("train", fx.Data, "--from", model, "--epochs", "1", "-o", fineTuned);
        Assert.True(from.Code == 1, from.Output);
        Assert.Contains("--from works with models that read image paths from a text column named 'ImagePath'", Cli.Flat(from.Output));
        Assert.Contains("mlContext.AnomalyDetection.FineTuneSsm", Cli.Flat(from.Output));
        Assert.False(Directory.Exists(fineTuned));
        string recalibrated = Path.Combine(fx.Root, $"api-calibrate-{loadImages}");
        var calibrated = Cli.Run("evaluate", model, fx.Data, "--calibrate-on", Path.Combine(fx.Data, "train", "good"), "-o", recalibrated);
        Assert.True(calibrated.Code == 1, calibrated.Output);
        Assert.Contains("--calibrate-on works with models that read image paths from a text column named 'ImagePath'", Cli.Flat(calibrated.Output));
        Assert.False(Directory.Exists(recalibrated));
    }

    private sealed class UploadRow
    {
        public byte[] File { get; set; } = [];
    }

    [Fact]
    public void A_model_of_the_api_reading_uploaded_bytes_reads_the_files_from_their_paths()
    {
        // A web API's model (a byte[] column of whole files): the same decoder reads the files, so the same scores.
        var ml = new MLContext(seed: 0);
        var train = Directory.GetFiles(Path.Combine(fx.Data, "train", "good")).Order().Take(8).ToList();
        var rows = ml.Data.LoadFromEnumerable(train.Select(p => new UploadRow { File = File.ReadAllBytes(p) }));
        using var trained = ml.Transforms.DetectAnomaliesSsm(Tiny(nameof(UploadRow.File))).Fit(rows);
        string model = Path.Combine(fx.Root, "api-bytes.zip");
        ml.Model.Save(trained, rows.Schema, model);
        string good = Path.Combine(fx.Data, "test", "good");
        string predictions = Path.Combine(fx.Root, "api-bytes-predict");

        var predicted = Cli.Run("predict", model, good, "-o", predictions, "--no-heatmaps");

        Assert.True(predicted.Code == 0, predicted.Output);
        var images = Directory.GetFiles(good).Order().ToList();
        var scores = File.ReadAllLines(Path.Combine(predictions, "predictions.csv")).Skip(1).Select(l => float.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture));
        using var engine = ml.Model.CreatePredictionEngine<UploadRow, Scores>(trained, new PredictionEngineOptions { OwnsTransformer = false });
        Assert.Equal(images.Select(p => engine.Predict(new UploadRow { File = File.ReadAllBytes(p) }).Score), scores);

        // evaluate's copy, with another threshold, still serves uploads: it reads the byte[] column, not paths.
        string evaluated = Path.Combine(fx.Root, "api-bytes-evaluate");
        var run = Cli.Run("evaluate", model, fx.Data, "--threshold", "4", "-o", evaluated);
        Assert.True(run.Code == 0, run.Output);
        var copy = ml.Model.Load(Path.Combine(evaluated, "model.zip"), out _);
        using (copy as IDisposable)
        {
            var ssm = SsmAnomalyTransformer.From(copy);
            Assert.Equal((SsmInputKind.Encoded, nameof(UploadRow.File), 4f), (ssm.InputKind, ssm.InputColumnName, ssm.Threshold));
            using var served = ml.Model.CreatePredictionEngine<UploadRow, Scores>(copy);
            Assert.Equal(scores.First(), served.Predict(new UploadRow { File = File.ReadAllBytes(images[0]) }).Score);
        }

        // Saved without an input schema (as the WebApi example saves): read alike, not refused on the missing schema.
        string schemaless = Path.Combine(fx.Root, "api-bytes-no-schema.zip");
        ml.Model.Save(trained, null, schemaless);
        var again = Cli.Run("predict", schemaless, good, "-o", predictions + "-no-schema", "--no-heatmaps");
        Assert.True(again.Code == 0, again.Output);
        Assert.Equal(File.ReadAllLines(Path.Combine(predictions, "predictions.csv")), File.ReadAllLines(Path.Combine(predictions + "-no-schema", "predictions.csv")));
        var info = Cli.Run("info", schemaless);
        Assert.True(info.Code == 0, info.Output);
    }

    private sealed class Scores
    {
        public float Score { get; set; }
    }

    [Fact]
    public void A_model_of_the_api_reading_vectors_is_refused_in_words()
    {
        var ml = new MLContext(seed: 0);
        var rows = ml.Data.LoadFromEnumerable(Enumerable.Range(0, 8).Select(i => new VectorRow { Pixels = [.. Enumerable.Range(0, 256).Select(j => (i + j) % 7 / 7f)] }));
        var options = Tiny(nameof(VectorRow.Pixels));
        options.VectorWidth = options.VectorHeight = 16;
        using var trained = ml.Transforms.DetectAnomaliesSsm(options).Fit(rows);
        string model = Path.Combine(fx.Root, "api-vector.zip");
        ml.Model.Save(trained, rows.Schema, model);

        var (code, output) = Cli.Run("predict", model, Path.Combine(fx.Data, "test", "good"), "-o", Path.Combine(fx.Root, "api-vector-predict"));

        Assert.NotEqual(0, code);
        Assert.Contains("reads column 'Pixels' (Vector)", Cli.Flat(output));
        Assert.Contains("score it with the ML.NET API", Cli.Flat(output));
        Assert.False(Cli.HasStackTrace(output), output);
    }

    private sealed class VectorRow
    {
        [VectorType(256)] public float[] Pixels { get; set; } = [];
    }
}
