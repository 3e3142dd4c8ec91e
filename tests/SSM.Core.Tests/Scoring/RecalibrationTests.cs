using System.Text.Json;
using SSM.Core.Data;
using SSM.Core.Network;
using SSM.Core.Tests.Training;
using SSM.Core.Training;

namespace SSM.Core.Tests.Scoring;

/// <summary>A model calibrated again on other normal images (<see cref="SsmModel.Recalibrated"/>), through the real training
/// and scoring code.</summary>
public class RecalibrationTests
{
    private static readonly SyntheticDataset Data = SyntheticDataset.Generate(new SyntheticDatasetOptions
    {
        ImageSize = 32, TrainCount = 24, TestGoodCount = 8, TestDefectCount = 2, Seed = 5,
    });

    private static string Json(SsmModel model) => JsonSerializer.Serialize(model.Calibration);

    [Fact]
    public void Calibrated_again_on_its_own_held_out_images_a_model_is_calibrated_as_its_training_left_it()
    {
        var options = TinyModelFixture.TinyOptions(epochs: 2);
        using var model = SsmTrainer.Train(Data.Train, options);
        var heldOut = SsmTrainer.Split(Data.Train.Count, options.Training).HeldOut;
        using var again = model.Recalibrated(ImageCaches.For(heldOut.Select(i => Data.Train[i]), options));
        Assert.True(again.Calibration!.Recalibrated);
        Assert.Null(model.Calibration!.Recalibrated);
        Assert.Equal(Json(model), JsonSerializer.Serialize(again.Calibration with { Recalibrated = null }));
        Assert.Equal(model.TrainingSummary, again.TrainingSummary);
        // A trained model's file does not name the field at all, so it is byte for byte what it was before the field, and
        // older readers, which ignore what they do not know, read a recalibrated one.
        static string FileText(SsmModel m)
        {
            using var stream = new MemoryStream();
            m.Save(stream);
            return System.Text.Encoding.UTF8.GetString(stream.ToArray());
        }
        Assert.DoesNotContain("\"Recalibrated\"", FileText(model));
        Assert.Contains("\"Recalibrated\":true", FileText(again));
        var tests = Data.Test.Select(t => t.Image).ToList();
        Assert.Equal(model.Score(tests).Select(s => s.Score), again.Score(tests).Select(s => s.Score));
    }

    [Fact]
    public void A_tiled_model_calibrated_again_on_its_own_held_out_images_is_calibrated_as_its_training_left_it()
    {
        var options = TinyModelFixture.TinyOptions(epochs: 1) with { ImageSize = 16, Tiles = new TileGrid(2, 1) };
        using var model = SsmTrainer.Train(Data.Train, options);
        var heldOut = SsmTrainer.Split(Data.Train.Count, options.Training).HeldOut;
        using var again = model.Recalibrated(ImageCaches.For(heldOut.Select(i => Data.Train[i]), options));
        Assert.Equal(Json(model), JsonSerializer.Serialize(again.Calibration! with { Recalibrated = null }));
        Assert.Equal(heldOut.Length, again.Calibration.NormalImageScores.Count);   // images, each its highest tile
    }

    [Fact]
    public void Calibrated_on_other_images_a_copy_scores_by_them_and_the_model_keeps_its_own()
    {
        var options = TinyModelFixture.TinyOptions(epochs: 2);
        var model = SsmTrainer.Train(Data.Train, options);
        string before = Json(model);
        // Normal images under a brighter lamp, with sensor noise: the network restores them worse than its training images.
        var random = new Random(7);
        var brighter = Data.Train.Select(i => new FloatImage(i.Channels, i.Height, i.Width,
            [.. i.Pixels.Select(v => Math.Clamp(v * 1.3f + 0.05f + (float)(random.NextDouble() - 0.5) * 0.2f, 0f, 1f))])).ToList();
        using var again = model.Recalibrated(ImageCaches.For(brighter.Take(12), options));
        Assert.Equal(before, Json(model));
        Assert.Equal(12, again.Calibration!.NormalImageScores.Count);
        Assert.NotEqual(model.Calibration!.RefinementThreshold, again.Calibration.RefinementThreshold);
        // Judged by the normal scores each model stands on (3 standard deviations over their mean), the images under that
        // lamp are all flagged before and mostly pass after.
        static int Flagged(SsmModel m, IReadOnlyList<FloatImage> images) =>
            m.Score(images).Count(s => s.Score >= m.Calibration!.NormalMean + 3 * m.Calibration.NormalStd);
        var newGood = brighter.Skip(12).ToList();
        Assert.Equal(newGood.Count, Flagged(model, newGood));
        Assert.True(Flagged(again, newGood) < newGood.Count / 2, $"{Flagged(again, newGood)} of {newGood.Count} flagged");
        // The copy has its own network: it scores after the model it came from is freed.
        var scoreBefore = again.Score([brighter[20]])[0].Score;
        model.Dispose();
        Assert.Equal(scoreBefore, again.Score([brighter[20]])[0].Score);
    }

    [Fact]
    public void With_per_image_normalisation_the_contrast_of_normal_frames_is_learnt_from_the_images_given()
    {
        var options = TinyModelFixture.TinyOptions(epochs: 1) with { Normalization = InputNormalization.PerImage };
        using var model = SsmTrainer.Train(Data.Train, options);
        var dimmer = Data.Train.Take(6).Select(i => new FloatImage(i.Channels, i.Height, i.Width, [.. i.Pixels.Select(v => 0.3f + v * 0.4f)]));
        using var again = model.Recalibrated(ImageCaches.For(dimmer, options));
        // Less contrast, by the factor the pixels were scaled: log 0.4 lower.
        Assert.Equal(model.Calibration!.Contrast!.MeanLogStd + Math.Log(0.4), again.Calibration!.Contrast!.MeanLogStd, 1);
    }

    [Fact]
    public void Too_few_images_or_images_cached_for_another_model_are_refused()
    {
        var options = TinyModelFixture.TinyOptions(epochs: 1);
        using var model = SsmTrainer.Train(Data.Train, options);
        var one = Assert.Throws<ArgumentException>(() => model.Recalibrated(ImageCaches.For(Data.Train.Take(1), options)));
        Assert.Contains("at least 2 normal images", one.Message);
        var larger = Assert.Throws<ArgumentException>(() => model.Recalibrated(ImageCaches.For(Data.Train.Take(4), options with { ImageSize = 64 })));
        Assert.Contains("64 px", larger.Message);
        Assert.Throws<ArgumentException>(() => model.Recalibrated(ImageCaches.For(Data.Train.Take(4), options with { Tiles = new TileGrid(2, 1) })));
    }
}
