using Microsoft.ML;
using Microsoft.ML.Data;
using SSM.Core.Data;
using SSM.Core.Tests.Data;
using SSM.Core.Training;

namespace SSM.MLNet.Tests;

/// <summary>A trained model's network trained further on other normal images (<see cref="SsmAnomalyTransformer.FineTune"/>,
/// <see cref="SsmCatalog.FineTuneSsm(AnomalyDetectionCatalog, ITransformer, IDataView, int)"/>), through LoadImages and the
/// fixture's real network.</summary>
[Collection(TrainedModelCollection.Name)]
public sealed class FineTuningTests(TrainedModelFixture fixture) : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private IDataView Rows(IEnumerable<ImageRow> rows) => fixture.Context.Data.LoadFromEnumerable(rows);

    // LoadImages' pictures, which the SSM step alone reads.
    private IDataView Pictures(IDataView rows) => fixture.Model.Take(1).Single().Transform(rows);

    /// <summary>A new variant of the product: another texture's 40 good images to train on and 8 to test with, as files (the
    /// fixture's model flags all 8).</summary>
    private (List<ImageRow> Train, List<ImageRow> GoodTests) NewVariant()
    {
        var data = SyntheticDataset.Generate(new SyntheticDatasetOptions
        {
            ImageSize = TrainedModelFixture.Size, TrainCount = 40, TestGoodCount = 8, TestDefectCount = 2, Seed = 6, Texture = TextureKind.BrushedMetal,
        });
        data.WriteMvtec(Path.Combine(temp.Path, "variant"));
        List<ImageRow> Files(string sub) =>
            [.. Directory.GetFiles(Path.Combine(temp.Path, "variant", sub, "good"), "*.png").Order().Select(p => new ImageRow { ImagePath = p })];
        return (Files("train"), Files("test"));
    }

    [Fact]
    public void Fine_tuned_on_a_new_variant_s_good_images_the_model_passes_them_and_saves_its_fine_tuning()
    {
        var (newGood, goodTests) = NewVariant();
        int FlaggedBy(ITransformer model) => Scored.Read(model.Transform(Rows(goodTests))).Count(r => r.Predicted);
        var weightsBefore = Scored.Read(fixture.Model.Transform(Rows(goodTests))).Select(r => r.Score).ToList();
        int logged = fixture.Log.Count;
        var tuned = fixture.Context.AnomalyDetection.FineTuneSsm(fixture.Model, Rows(newGood), epochs: 4);
        try
        {
            var ssm = SsmAnomalyTransformer.From(tuned);
            Assert.Equal(goodTests.Count, FlaggedBy(fixture.Model));
            Assert.True(FlaggedBy(tuned) < goodTests.Count / 2, $"{FlaggedBy(tuned)} of {goodTests.Count} good images flagged");
            var fineTuning = Assert.Single(ssm.Model.FineTunings!);
            var trained = fixture.Ssm.Model.Options.Training;
            Assert.Equal(4, fineTuning.Training.Epochs);
            Assert.Equal(trained.LearningRate, fineTuning.Training.LearningRate);
            Assert.Equal(new TrainingSummary(4, fineTuning.Summary.FinalLoss, 36, 4), fineTuning.Summary);
            Assert.Equal(fixture.Ssm.Model.TrainingSummary, ssm.Model.TrainingSummary);
            Assert.Equal(fixture.Ssm.Model.Options, ssm.Model.Options);
            var log = fixture.Log.Skip(logged).ToList();
            Assert.Contains(log, m => m.Contains("SSM: fine-tuning on 40 images (36 for the network, 4 held out to calibrate), 4 epochs from learning rate 0.001"));
            Assert.Contains(log, m => m.Contains("SSM: epoch 4/4 loss"));
            Assert.Contains(log, m => m.Contains("SSM: calibrated on 4 held-out normal images"));
            Assert.Contains(log, m => m.Contains("SSM: decision threshold 3 (standard deviations above the held-out normal images' mean score)."));   // not "(ZScore score)"
            string file = Path.Combine(temp.Path, "closer.zip");
            fixture.Context.Model.Save(tuned, Rows([]).Schema, file);
            var loaded = fixture.Context.Model.Load(file, out _);
            try
            {
                // As JSON: the decay points are an array, which records compare by reference.
                Assert.Equal(System.Text.Json.JsonSerializer.Serialize(ssm.Model.FineTunings), System.Text.Json.JsonSerializer.Serialize(SsmAnomalyTransformer.From(loaded).Model.FineTunings));
                Assert.Equal(Scored.Read(tuned.Transform(Rows(goodTests))).Select(r => r.Score), Scored.Read(loaded.Transform(Rows(goodTests))).Select(r => r.Score));
            }
            finally { (loaded as IDisposable)?.Dispose(); }
        }
        finally { SsmAnomalyTransformer.From(tuned).Dispose(); }
        // The fixture's network was copied, not trained: it scores as before, after the copy is freed.
        Assert.Equal(weightsBefore, Scored.Read(fixture.Model.Transform(Rows(goodTests))).Select(r => r.Score));
    }

    [Fact]
    public void A_seed_gives_the_same_fine_tuned_model_and_the_options_set_the_schedule_and_threshold()
    {
        var images = Pictures(Rows(fixture.Train.Take(12)));
        using var strict = fixture.Ssm.WithThreshold(1.5f).WithMaskThreshold(2f);
        var options = new SsmFineTuningOptions { Epochs = 1, LearningRate = 5e-4, BatchSize = 2, HoldoutFraction = 0.25, Seed = 7 };
        using var once = strict.FineTune(images, options);
        using var twice = strict.FineTune(images, options);
        Assert.Equal(Scored.Read(once.Transform(Pictures(fixture.TestData))).Select(r => r.Score), Scored.Read(twice.Transform(Pictures(fixture.TestData))).Select(r => r.Score));
        var tuning = Assert.Single(once.Model.FineTunings!);
        Assert.Equal((1, 5e-4, 2, 0.25, 7), (tuning.Training.Epochs!.Value, tuning.Training.LearningRate, tuning.Training.BatchSize, tuning.Training.HoldoutFraction, tuning.Training.Seed));
        Assert.Equal((9, 3), (tuning.Summary.NetworkImages, tuning.Summary.HeldOutImages));
        // Chosen against the old network's scores: a threshold goes back to 3 standard deviations, a mask threshold is dropped.
        Assert.Equal(3f, once.Threshold);
        Assert.Null(once.MaskThreshold);
        using var given = strict.FineTune(images, new SsmFineTuningOptions { Epochs = 1, Threshold = 2.5f });
        Assert.Equal(2.5f, given.Threshold);
        // Fine-tuned again, both fine-tunings are kept, oldest first.
        using var again = once.FineTune(images, new SsmFineTuningOptions { Epochs = 1 });
        Assert.Equal(2, again.Model.FineTunings!.Count);
        Assert.Same(tuning, again.Model.FineTunings[0]);
        Assert.Equal(1, again.Model.FineTunings[1].Training.Epochs);
        // Unset, the learning rate, seed, batch size and held-out share are the training's.
        var trainedWith = fixture.Ssm.Model.Options.Training;
        Assert.Equal(trainedWith.LearningRate, again.Model.FineTunings[1].Training.LearningRate);
        Assert.Equal((trainedWith.Seed, trainedWith.BatchSize, trainedWith.HoldoutFraction),
            (again.Model.FineTunings[1].Training.Seed, again.Model.FineTunings[1].Training.BatchSize, again.Model.FineTunings[1].Training.HoldoutFraction));
        Assert.Equal(again.Model.FineTunings[1].Summary, again.Model.LastTraining);
        Assert.Equal(1, again.Model.LastTrainingOptions.Training.Epochs);
    }

    [Fact]
    public void Options_out_of_range_too_few_rows_and_a_wrong_column_are_refused_naming_them()
    {
        var images = Pictures(Rows(fixture.Train.Take(6)));
        var ssm = fixture.Ssm;
        foreach (var (bad, name) in new (SsmFineTuningOptions, string)[]
                 {
                     (new() { Epochs = 0 }, "SsmFineTuningOptions.Epochs must be at least 1, or null for the model's default; got 0."),
                     (new() { LearningRate = -1 }, "SsmFineTuningOptions.LearningRate must be a positive number"),
                     (new() { LearningRate = 1e38 }, "SsmFineTuningOptions.LearningRate must be a positive number, at most 1E+37, or null for the model's; got 1E+38."),
                     (new() { HoldoutFraction = 0.95 }, "SsmFineTuningOptions.HoldoutFraction must be greater than 0 and less than 0.9"),
                     (new() { BatchSize = 0 }, "SsmFineTuningOptions.BatchSize must be at least 1"),
                     (new() { Threshold = float.NaN }, "SsmFineTuningOptions.Threshold must be a finite number"),
                     (new() { Device = "gpu" }, "SsmFineTuningOptions.Device must be"),
                 })
            Assert.Contains(name, Assert.Throws<ArgumentOutOfRangeException>(() => ssm.FineTune(images, bad)).Message);
        // A device of the right form that is not here is refused before any training, naming the option that asked for it.
        if (!TorchSharp.torch.cuda.is_available())
            Assert.Contains("SsmFineTuningOptions.Device is 'cuda', but CUDA is not available (a CPU build of TorchSharp, or no GPU). Use \"cpu\", or null to keep the model's.",
                Assert.Throws<DeviceUnavailableException>(() => ssm.FineTune(images, new SsmFineTuningOptions { Device = "cuda" })).Message);
        var three = Assert.Throws<InvalidOperationException>(() => fixture.Context.AnomalyDetection.FineTuneSsm(fixture.Model, Rows(fixture.Train.Take(3))));
        Assert.Contains("at least 4 normal images in column 'Image'; got 3", three.Message);
        var chained = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Context.AnomalyDetection.FineTuneSsm(fixture.Model,
            fixture.Context.Data.LoadFromEnumerable(new[] { new OtherRow { Other = 1f } })));
        Assert.Contains("The model's steps before its SSM step cannot read these rows: ", chained.Message);
        Assert.Equal("normalImages", chained.ParamName);
        Assert.DoesNotContain("inputSchema", chained.Message);   // ML.NET's parameter, not the caller's
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => ssm.FineTune(images, new SsmFineTuningOptions { Cancellation = stop.Token }));
        var disposed = fixture.Ssm.WithThreshold(3f);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => disposed.FineTune(images));
    }

    private sealed class OtherRow
    {
        public float Other { get; set; }
    }
}
