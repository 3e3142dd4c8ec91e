using SSM.Core.Data;
using SSM.Core.Training;

namespace SSM.Core.Tests.Training;

/// <summary>A trained model's network trained further on other normal images (<see cref="SsmTrainer.FineTune"/>), through the
/// real training and scoring code.</summary>
public class FineTuningTests
{
    private static SyntheticDataset Generate(TextureKind texture, int seed) => SyntheticDataset.Generate(new SyntheticDatasetOptions
    {
        ImageSize = 32, TrainCount = 24, TestGoodCount = 8, TestDefectCount = 1, Seed = seed, Texture = texture,
    });

    private static readonly SyntheticDataset Woven = Generate(TextureKind.Woven, 1);
    private static readonly SyntheticDataset Striped = Generate(TextureKind.Striped, 2);

    private static int Flagged(SsmModel m, IEnumerable<FloatImage> images) =>
        m.Score([.. images]).Count(s => s.Score >= m.Calibration!.NormalMean + 3 * m.Calibration.NormalStd);

    private static string FileText(SsmModel m)
    {
        using var stream = new MemoryStream();
        m.Save(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void Fine_tuned_on_another_texture_the_network_learns_it_and_the_model_it_came_from_is_unchanged()
    {
        using var model = SsmTrainer.Train(Woven.Train, TinyModelFixture.TinyOptions(epochs: 4));
        var good = Striped.Test.Where(t => !t.IsAnomalous).Select(t => t.Image).ToList();
        var scoresBefore = model.Score(good).Select(s => s.Score).ToList();
        string calibrationBefore = System.Text.Json.JsonSerializer.Serialize(model.Calibration);
        var losses = new List<double>();
        var training = SsmTrainer.FineTuningDefaults(model) with { Epochs = 3 };
        using var tuned = SsmTrainer.FineTune(model, ImageCaches.For(Striped.Train, model.Options), training,
            new SynchronousProgress<TrainingProgress>(p => losses.Add(p.Loss.Total)));
        Assert.Equal(3, losses.Count);
        Assert.True(losses[^1] < losses[0] * 0.9, $"losses {string.Join(", ", losses)}");
        Assert.Equal(good.Count, Flagged(model, good));
        Assert.True(Flagged(tuned, good) < good.Count / 2, $"{Flagged(tuned, good)} of {good.Count} flagged");
        Assert.Equal(scoresBefore, model.Score(good).Select(s => s.Score));
        Assert.Equal(calibrationBefore, System.Text.Json.JsonSerializer.Serialize(model.Calibration));
        // The model's settings and its training stay; the fine-tuning is recorded after them, and saved.
        Assert.Equal(model.Options, tuned.Options);
        Assert.Equal(model.TrainingSummary, tuned.TrainingSummary);
        var fineTuning = Assert.Single(tuned.FineTunings!);
        Assert.Equal(training, fineTuning.Training);
        Assert.Equal((3, 22, 2), (fineTuning.Summary.EpochsRun, fineTuning.Summary.NetworkImages, fineTuning.Summary.HeldOutImages));
        Assert.Equal(fineTuning.Summary, tuned.LastTraining);
        Assert.Equal(model.TrainingSummary, model.LastTraining);
        Assert.Null(tuned.Calibration!.Recalibrated);
        using (var stream = new MemoryStream())
        {
            tuned.Save(stream);
            stream.Position = 0;
            using var loaded = SsmModel.Load(stream);
            // As JSON: the decay points are an array, which records compare by reference.
            Assert.Equal(System.Text.Json.JsonSerializer.Serialize(tuned.FineTunings), System.Text.Json.JsonSerializer.Serialize(loaded.FineTunings));
            Assert.Equal(tuned.Score(good).Select(s => s.Score), loaded.Score(good).Select(s => s.Score));
        }
        // A trained model's file does not name the field, so it is byte for byte what it was before the field.
        Assert.DoesNotContain("\"FineTunings\"", FileText(model));
        Assert.Contains("\"FineTunings\"", FileText(tuned));
        // The same settings give the same network; the copy scores after the model it came from is freed.
        using var again = SsmTrainer.FineTune(model, ImageCaches.For(Striped.Train, model.Options), training);
        model.Dispose();
        Assert.Equal(tuned.Score(good).Select(s => s.Score), again.Score(good).Select(s => s.Score));
        Assert.Throws<ObjectDisposedException>(() => SsmTrainer.FineTune(model, ImageCaches.For(Striped.Train, tuned.Options)));
    }

    [Fact]
    public void The_default_schedule_is_ten_epochs_at_the_training_s_rate_without_budget_or_checkpoints()
    {
        using var model = SsmTrainer.Train(Woven.Train.Take(8), TinyModelFixture.TinyOptions(epochs: 1) with
        {
            Training = new TrainingOptions { Epochs = 1, LearningRate = 2e-3, Seed = 4, TimeBudget = TimeSpan.FromHours(1) },
        });
        var defaults = SsmTrainer.FineTuningDefaults(model);
        Assert.Equal(model.Options.Training with { Epochs = 10, TimeBudget = null }, defaults);
        Assert.Null(defaults.CheckpointFolder);
        Assert.Equal(4, defaults.Seed);
    }

    [Fact]
    public void A_tiled_model_s_default_fine_tuning_divides_the_ten_epochs_by_its_tiles_as_training_does()
    {
        var options = TinyModelFixture.TinyOptions(epochs: 1) with { ImageSize = 16 };
        var overlapping = options with { Tiles = new TileGrid(2, 1) };                       // 3 tiles: 10 / 3
        Assert.Equal(3, overlapping.PerTile(SsmTrainer.FineTuningEpochs));
        using var model = SsmTrainer.Train(Woven.Train.Take(8), options with { Tiles = new TileGrid(4, 4, Overlapping: false) });
        Assert.Equal(1, SsmTrainer.FineTuningEpochsFor(model));
        Assert.Equal(1, SsmTrainer.FineTuningDefaults(model).Epochs);
        var epochs = new List<int>();
        using var tuned = SsmTrainer.FineTune(model, ImageCaches.For(Striped.Train.Take(8), model.Options),
            SsmTrainer.FineTuningDefaults(model) with { Epochs = null }, new SynchronousProgress<TrainingProgress>(p => epochs.Add(p.Epoch)));
        Assert.Equal([1], epochs);
        Assert.Equal(1, tuned.LastTraining!.EpochsRun);
        using var whole = SsmTrainer.Train(Woven.Train.Take(8), options);
        Assert.Equal(SsmTrainer.FineTuningEpochs, SsmTrainer.FineTuningEpochsFor(whole));
    }

    [Fact]
    public void A_fine_tuned_model_fine_tuned_again_keeps_both_records_in_order_after_its_training()
    {
        var options = TinyModelFixture.TinyOptions(epochs: 1) with { ImageSize = 16 };
        using var model = SsmTrainer.Train(Woven.Train.Take(8), options);
        var first = SsmTrainer.FineTuningDefaults(model) with { Epochs = 1 };
        using var once = SsmTrainer.FineTune(model, ImageCaches.For(Striped.Train.Take(8), options), first);
        using var twice = SsmTrainer.FineTune(once, ImageCaches.For(Woven.Train.Take(8), options), first with { Epochs = 2, Seed = 7 });
        Assert.Equal([(1, 0), (2, 7)], twice.FineTunings!.Select(f => (f.Training.Epochs!.Value, f.Training.Seed)));
        Assert.Equal(2, twice.LastTraining!.EpochsRun);
        Assert.Equal(model.TrainingSummary, twice.TrainingSummary);
    }

    [Fact]
    public void Too_few_images_images_cached_for_another_model_and_checkpoints_are_refused()
    {
        using var model = SsmTrainer.Train(Woven.Train.Take(8), TinyModelFixture.TinyOptions(epochs: 1));
        var options = model.Options;
        var three = Assert.Throws<ArgumentException>(() => SsmTrainer.FineTune(model, ImageCaches.For(Striped.Train.Take(3), options)));
        Assert.Contains("at least 4 normal images", three.Message);
        var larger = Assert.Throws<ArgumentException>(() => SsmTrainer.FineTune(model, ImageCaches.For(Striped.Train.Take(4), options with { ImageSize = 64 })));
        Assert.Contains("64 px", larger.Message);
        Assert.Throws<ArgumentException>(() => SsmTrainer.FineTune(model, ImageCaches.For(Striped.Train.Take(4), options with { Tiles = new TileGrid(2, 1) })));
        var kept = Assert.Throws<ArgumentException>(() => SsmTrainer.FineTune(model, ImageCaches.For(Striped.Train.Take(4), options),
            SsmTrainer.FineTuningDefaults(model) with { CheckpointFolder = Path.GetTempPath() }));
        Assert.Contains("keeps no checkpoints", kept.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => SsmTrainer.FineTune(model, ImageCaches.For(Striped.Train.Take(4), options),
            SsmTrainer.FineTuningDefaults(model) with { LearningRate = 0 }));
    }
}
