using Microsoft.ML;
using Microsoft.ML.Data;
using SSM.Core.Data;
using SSM.Core.Tests.Data;
using SSM.Core.Training;

namespace SSM.MLNet.Tests;

/// <summary>A trained model calibrated on other normal images (<see cref="SsmAnomalyTransformer.Recalibrate"/>,
/// <see cref="SsmCatalog.RecalibrateSsm"/>), through LoadImages and the fixture's real network.</summary>
[Collection(TrainedModelCollection.Name)]
public sealed class RecalibrationTests(TrainedModelFixture fixture) : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    private sealed class OtherRow
    {
        public float Other { get; set; }
    }

    private IDataView Rows(IEnumerable<ImageRow> rows) => fixture.Context.Data.LoadFromEnumerable(rows);

    private List<ImageRow> GoodTests => fixture.Test.Where(r => !r.Label).ToList();

    /// <summary>The images at <paramref name="paths"/> under a dimmer lamp (a third of the contrast) with a little sensor noise,
    /// written as new files.</summary>
    private List<ImageRow> UnderNewLamp(IEnumerable<string> paths, int seed = 3)
    {
        var random = new Random(seed);
        return paths.Select((path, i) =>
        {
            var image = ImageFile.Load(path);
            var lit = new FloatImage(image.Channels, image.Height, image.Width,
                [.. image.Pixels.Select(v => Math.Clamp(0.4f + (v - 0.5f) / 3 + (float)(random.NextDouble() - 0.5) * 0.02f, 0f, 1f))]);
            string file = Path.Combine(temp.Path, $"lit-{seed}-{i}.png");
            ImageFile.Save(lit, file);
            return new ImageRow { ImagePath = file };
        }).ToList();
    }

    [Fact]
    public void Calibrated_again_on_the_training_s_held_out_rows_the_chain_scores_as_before()
    {
        var heldOut = SsmTrainer.Split(fixture.Train.Count, fixture.Ssm.Model.Options.Training).HeldOut;
        var again = (TransformerChain<ITransformer>)fixture.Context.AnomalyDetection.RecalibrateSsm(fixture.Model, Rows(heldOut.Select(i => fixture.Train[i])));
        var ssm = SsmAnomalyTransformer.From(again);
        try
        {
            Assert.NotSame(fixture.Ssm, ssm);
            Assert.Equal(fixture.Ssm.Calibration.NormalImageScores, ssm.Calibration.NormalImageScores);
            Assert.Equal(fixture.Ssm.Calibration.RefinementThreshold, ssm.Calibration.RefinementThreshold);
            Assert.Equal(Scored.Read(fixture.Model.Transform(fixture.TestData)).Select(r => r.Score), Scored.Read(again.Transform(fixture.TestData)).Select(r => r.Score));
        }
        finally { ssm.Dispose(); }   // its network; the LoadImages step is the fixture's
    }

    [Fact]
    public void Calibrated_under_a_new_lamp_the_model_passes_that_lamp_s_good_images_and_saves_so()
    {
        var lit = UnderNewLamp(fixture.Train.Take(16).Select(r => r.ImagePath));
        var newGood = UnderNewLamp(GoodTests.Select(r => r.ImagePath), seed: 4);
        int FlaggedBy(ITransformer model) => Scored.Read(model.Transform(Rows(newGood))).Count(r => r.Predicted);
        var before = fixture.Ssm.Calibration;
        int logged = fixture.Log.Count;
        var again = fixture.Context.AnomalyDetection.RecalibrateSsm(fixture.Model, Rows(lit));
        try
        {
            var ssm = SsmAnomalyTransformer.From(again);
            Assert.Same(before, fixture.Ssm.Calibration);
            Assert.Equal(16, ssm.Calibration.NormalImageScores.Count);
            Assert.Equal(GoodTests.Count, FlaggedBy(fixture.Model));   // the old calibration flags every good image under the dimmer lamp (its contrast floor)
            Assert.True(FlaggedBy(again) < GoodTests.Count / 2, $"{FlaggedBy(again)} of {GoodTests.Count} good images flagged");
            Assert.Contains(fixture.Log.Skip(logged), m => m.Contains("SSM: calibrating on 16 normal images."));
            string file = Path.Combine(temp.Path, "relit.zip");
            fixture.Context.Model.Save(again, Rows([]).Schema, file);
            var loaded = fixture.Context.Model.Load(file, out _);
            try
            {
                Assert.Equal(ssm.Calibration.NormalImageScores, SsmAnomalyTransformer.From(loaded).Calibration.NormalImageScores);
                Assert.True(SsmAnomalyTransformer.From(loaded).Calibration.Recalibrated);
            }
            finally { (loaded as IDisposable)?.Dispose(); }
        }
        finally { SsmAnomalyTransformer.From(again).Dispose(); }
        // The fixture's network is its own: it scores after the copy is freed.
        Assert.Equal(GoodTests.Count, Scored.Read(fixture.Model.Transform(Rows(newGood))).Count(r => r.Predicted));
    }

    [Fact]
    public void Thresholds_chosen_against_the_old_scores_are_not_kept_and_one_may_be_given()
    {
        var rows = Rows(fixture.Train.Take(12));
        using var strict = fixture.Ssm.WithThreshold(1.5f).WithMaskThreshold(2f);
        var images = fixture.Model.Take(1).Single().Transform(rows);   // LoadImages' pictures, which the SSM step reads
        using var again = strict.Recalibrate(images);
        Assert.Equal(3f, again.Threshold);
        Assert.Null(again.MaskThreshold);
        using var given = strict.Recalibrate(images, threshold: 2.5f);
        Assert.Equal(2.5f, given.Threshold);
        Assert.Contains("got NaN", Assert.Throws<ArgumentOutOfRangeException>(() => strict.Recalibrate(images, threshold: float.NaN)).Message);
    }

    [Fact]
    public void Unreadable_files_too_few_rows_and_a_wrong_column_are_refused_naming_them()
    {
        string broken = Path.Combine(temp.Path, "broken.png");
        File.WriteAllText(broken, "not an image");
        var ssm = fixture.Ssm.WithThreshold(3f);
        try
        {
            var unreadable = Assert.Throws<InvalidOperationException>(() => fixture.Context.AnomalyDetection.RecalibrateSsm(fixture.Model,
                Rows([.. fixture.Train.Take(4), new ImageRow { ImagePath = broken }])));
            Assert.Contains("1 of 5 calibration images could not be read", unreadable.Message);
            Assert.Contains(broken, unreadable.Message);
            var one = Assert.Throws<InvalidOperationException>(() => fixture.Context.AnomalyDetection.RecalibrateSsm(fixture.Model, Rows(fixture.Train.Take(1))));
            Assert.Contains("at least 2 normal images in column 'Image'; got 1", one.Message);
            var wrong = Assert.Throws<ArgumentOutOfRangeException>(() => ssm.Recalibrate(fixture.Context.Data.LoadFromEnumerable(new[] { new OtherRow() })));
            Assert.Contains("'Image'", wrong.Message);
            // Through a chain, the rows reach LoadImages first, which cannot find its path column.
            var chained = Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Context.AnomalyDetection.RecalibrateSsm(fixture.Model,
                fixture.Context.Data.LoadFromEnumerable(new[] { new OtherRow() })));
            Assert.Contains("The model's steps before its SSM step cannot read these rows", chained.Message);
            Assert.Contains("ImagePath", chained.Message);
            var disposed = fixture.Ssm.WithThreshold(3f);
            disposed.Dispose();
            Assert.Throws<ObjectDisposedException>(() => disposed.Recalibrate(fixture.Model.Take(1).Single().Transform(Rows(fixture.Train.Take(4)))));
            using var stop = new CancellationTokenSource();
            stop.Cancel();
            Assert.ThrowsAny<OperationCanceledException>(() => fixture.Context.AnomalyDetection.RecalibrateSsm(fixture.Model, Rows(fixture.Train.Take(4)), cancellation: stop.Token));
        }
        finally { ssm.Dispose(); }
    }

    [Fact]
    public void Rows_labelled_anomalous_or_too_few_rows_are_warned_of()
    {
        int logged = fixture.Log.Count;
        var rows = GoodTests.Take(2).Concat(fixture.Test.Where(r => r.Label).Take(1)).ToList();
        SsmAnomalyTransformer.From(fixture.Context.AnomalyDetection.RecalibrateSsm(fixture.Model, Rows(rows))).Dispose();
        var log = fixture.Log.Skip(logged).ToList();
        Assert.Contains(log, m => m.Contains("SSM: 1 of 3 calibration rows are labelled anomalous in column 'Label'"));
        Assert.Contains(log, m => m.Contains("SSM: only 3 images calibrate the threshold"));
    }

    [Fact]
    public void Copies_of_one_image_are_warned_of()
    {
        int logged = fixture.Log.Count;
        SsmAnomalyTransformer.From(fixture.Context.AnomalyDetection.RecalibrateSsm(fixture.Model, Rows([.. Enumerable.Repeat(GoodTests[0], 3)]))).Dispose();
        Assert.Contains(fixture.Log.Skip(logged), m => m.Contains("SSM: the 3 calibration images all score") && m.Contains("Calibrate on varied normal images"));
    }
}
