using SSM.Core.Data;
using SSM.Core.Evaluation;
using SSM.Core.Network;
using SSM.Core.Scoring;
using SSM.Core.Training;
using SSM.Core.Tests.Data;

namespace SSM.Core.Tests.Training;

public class SsmTrainerTests : IClassFixture<TinyModelFixture>
{
    private readonly TinyModelFixture fixture;

    public SsmTrainerTests(TinyModelFixture fixture) => this.fixture = fixture;

    [Theory]
    [InlineData(4, 0.1)]      // at least 2 each way
    [InlineData(100, 0.1)]
    [InlineData(761, 0.3)]
    [InlineData(27, 0.1)]     // 2.7 rounds to 3, not down to 2
    public void SplitHoldsOutAShuffledShareAndTrainsOnEveryOtherImage(int count, double fraction)
    {
        // Calibration on images the network trained on would make every normal score too low: the two parts must be
        // disjoint and cover every image, whatever the seed.
        var options = new TrainingOptions { HoldoutFraction = fraction, Seed = 1 };
        var (heldOut, train) = SsmTrainer.Split(count, options);
        Assert.Equal(Math.Clamp((int)Math.Round(count * fraction), 2, count - 2), heldOut.Length);
        Assert.Empty(heldOut.Intersect(train));
        Assert.Equal(Enumerable.Range(0, count), heldOut.Concat(train).Order());
        Assert.Equal(heldOut, SsmTrainer.Split(count, options).HeldOut);
        if (count >= 100)   // a shuffle by the seed, not the first images
        {
            Assert.NotEqual(heldOut, SsmTrainer.Split(count, options with { Seed = 2 }).HeldOut);
            Assert.NotEqual(Enumerable.Range(0, heldOut.Length), heldOut.Order());
        }
    }

    [Fact]
    public void TinyModelLearnsToDetectSyntheticDefects()
    {
        var test = fixture.Data.Test;
        var scores = fixture.Model.Score(test.Select(t => t.Image).ToList());
        double auroc = Roc.Auroc(scores.Select(s => s.Score).ToArray(), test.Select(t => t.IsAnomalous).ToArray());
        Assert.True(auroc >= 0.9, $"image AUROC {auroc:F3} < 0.9");
        var masks = test.Select(t => t.Mask?.Pixels.Select(v => v > 0.5f).ToArray() ?? new bool[32 * 32]).ToList();
        double pixel = PixelMetrics.Auroc(scores.Select(s => s.Map).ToList(), masks);
        Assert.True(pixel >= 0.8, $"pixel AUROC {pixel:F3} < 0.8");
    }

    /// <summary>The fixture trains in the default precision (Auto: bfloat16 where the CPU computes it faster, float32
    /// elsewhere); the other format must learn the same defects, and leave the weights float32.</summary>
    [Fact]
    public void TheOtherTrainingPrecisionLearnsToo()
    {
        var options = TinyModelFixture.TinyOptions();
        var other = NativeBFloat16.Resolve(options.Training.Precision, TorchSharp.torch.CPU) == NetworkPrecision.BFloat16
            ? NetworkPrecision.Float32 : NetworkPrecision.BFloat16;
        using var model = SsmTrainer.Train(fixture.Data.Train, options with { Training = options.Training with { Precision = other } });
        Assert.All(model.Network.parameters(), p => Assert.Equal(TorchSharp.torch.ScalarType.Float32, p.dtype));
        Assert.NotEqual(ModelWeights.Of(fixture.Model), ModelWeights.Of(model));
        var test = fixture.Data.Test;
        var scores = model.Score(test.Select(t => t.Image).ToList());
        double auroc = Roc.Auroc(scores.Select(s => s.Score).ToArray(), test.Select(t => t.IsAnomalous).ToArray());
        Assert.True(auroc >= 0.9, $"image AUROC {auroc:F3} < 0.9 in {other}");
    }

    [Fact]
    public void RejectsUnknownTrainingPrecision()
    {
        var options = TinyModelFixture.TinyOptions();
        options = options with { Training = options.Training with { Precision = (NetworkPrecision)7 } };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate());
        Assert.Equal("Precision", e.ParamName);
    }

    [Fact]
    public void ReportsEveryEpochWithFallingLoss()
    {
        var p = fixture.Progress;
        Assert.Equal(Enumerable.Range(1, 20), p.Select(x => x.Epoch));
        Assert.All(p, x => Assert.Equal(20, x.PlannedEpochs));
        Assert.True(p[^1].Loss.Total < p[0].Loss.Total * 0.8, $"loss {p[0].Loss.Total} -> {p[^1].Loss.Total}");
        Assert.True(p[^1].LearningRate < p[0].LearningRate);
    }

    /// <summary>An epoch's loss is the mean of its steps' losses, not their sum: it does not grow with the number of batches.</summary>
    [Fact]
    public void AnEpochsLossIsTheMeanOfItsStepsNotTheirSum()
    {
        var images = fixture.Data.Train.Take(8).ToList();   // 2 held out, 6 trained
        var options = TinyModelFixture.TinyOptions(epochs: 1) with { ImageSize = 16 };
        double Loss(int batchSize)
        {
            using var model = SsmTrainer.Train(images, options with { Training = options.Training with { BatchSize = batchSize } });
            return model.TrainingSummary!.FinalLoss!.Value;
        }
        double oneStep = Loss(6), threeSteps = Loss(2);
        Assert.InRange(threeSteps / oneStep, 0.5, 1.5);
    }

    /// <summary>Under per-image normalisation (the default) the network trains on each image standardised, with the MSE term
    /// weighed by <see cref="SSM.Core.Losses.SsmLossWeights.PerImageMse"/>. The tiny models here train without normalisation,
    /// which left both unchecked: a trainer that fed raw images, or kept the MSE weight at 1, passed every other test.</summary>
    [Fact]
    public void UnderPerImageNormalisationTheNetworkTrainsOnStandardisedImagesWithTheMseWeighedByEight()
    {
        // Each image on even 16-bit levels, and the same image at half the contrast on half the levels: the cache holds
        // exactly half of each level, which standardises to the same bits. At the images' own size, which no resize blurs.
        FloatImage OnLevels(FloatImage image, float step) =>
            new(image.Channels, image.Height, image.Width, [.. image.Pixels.Select(v => MathF.Round(v * 32767f) * step / 65535f)]);
        var images = fixture.Data.Train.Take(8).Select(i => OnLevels(i, 2)).ToList();
        var options = TinyModelFixture.TinyOptions(epochs: 2, seed: 3) with { Normalization = InputNormalization.PerImage };
        SsmModel Train(IEnumerable<FloatImage> trained, SSM.Core.Losses.SsmLossWeights weights) =>
            SsmTrainer.Train(trained.ToList(), options with { Training = options.Training with { LossWeights = weights } });
        using var model = Train(images, new());
        using var dim = Train(fixture.Data.Train.Take(8).Select(i => OnLevels(i, 1)), new());
        Assert.Equal(ModelWeights.Of(model), ModelWeights.Of(dim));

        using var eight = Train(images, new() { Mse = SSM.Core.Losses.SsmLossWeights.PerImageMse });
        using var one = Train(images, new() { Mse = 1 });
        Assert.Equal(ModelWeights.Of(eight), ModelWeights.Of(model));
        Assert.NotEqual(ModelWeights.Of(one), ModelWeights.Of(model));
    }

    [Fact]
    public void ReportsEveryStepWithinTheEpochs_WithoutChangingTheModel()
    {
        var images = fixture.Data.Train.Take(15).ToList();
        var options = TinyModelFixture.TinyOptions(epochs: 2, seed: 3) with { ImageSize = 16 };
        var steps = new List<TrainingStep>();
        using var model = SsmTrainer.Train(images, options, steps: new SynchronousProgress<TrainingStep>(steps.Add));
        Assert.Equal(13, images.Count - SsmTrainer.Split(images.Count, options.Training).HeldOut.Length);
        // 13 images in batches of 4: the short last batch is a step too.
        const int perEpoch = 4;
        Assert.Equal(perEpoch, SsmTrainer.StepsPerEpoch(13, options.Training));
        Assert.Equal([.. from e in new[] { 1, 2 } from k in Enumerable.Range(1, perEpoch) select new TrainingStep(e, 2, k, perEpoch)], steps);
        using var quiet = SsmTrainer.Train(images, options);
        Assert.Equal(quiet.Calibration!.NormalImageScores, model.Calibration!.NormalImageScores);
    }

    [Fact]
    public void CalibratesOnTheHeldOutShare()
    {
        var c = fixture.Model.Calibration!;
        Assert.Equal(4, c.NormalImageScores.Count);      // 10 % of 40
        Assert.Equal(c.NormalImageScores.OrderBy(v => v), c.NormalImageScores);
        // Every score the model gives is normalised by them: no caller may change them (a reviewer's += 1000 moved every score).
        Assert.Throws<NotSupportedException>(() => ((IList<float>)c.NormalImageScores)[0] = 1000);
        float[] given = [3, 1, 2];
        var copied = c with { NormalImageScores = given };
        given[0] = 1000;
        Assert.Equal(2f, copied.NormalMean);
        Assert.Equal(1f, copied.NormalStd, 6);   // the sample deviation (n - 1): the population's would be 0.816
        // The refinement threshold is the configured quantile of the held-out images' first-round (raw) map pixels.
        var model = fixture.Model;
        using var scorer = new AnomalyScorer(model.Network, model.Options, refinementThreshold: null);
        var heldOut = HeldOut();
        var pixels = new List<float>();
        foreach (var chunk in Enumerable.Range(0, heldOut.Count).Chunk(8))   // the trainer's batches
        {
            using var batch = heldOut.Batch(chunk);
            using var raw = scorer.RawMaps(batch, rounds: 1);
            using var map = AnomalyScorer.MeanOf(raw, model.Options.Scoring.PlanesOf(model.Options.Scoring.Error));
            pixels.AddRange(map.data<float>().ToArray());
        }
        pixels.Sort();
        double at = model.Options.Scoring.RefinementQuantile * (pixels.Count - 1);
        int below = (int)at;
        Assert.Equal(pixels[below] + (at - below) * (pixels[below + 1] - pixels[below]), c.RefinementThreshold, 5);
    }

    /// <summary>What a training leaves beside the weights: the contrast of every training image, not of the held-out share
    /// that calibration fits it on when given none; and its network in evaluation mode, as a loaded model's, so a caller that
    /// runs it directly gets BatchNorm's running statistics, not the batch's.</summary>
    [Fact]
    public void ATrainingKeepsTheContrastOfAllItsImagesAndLeavesItsNetworkInEvaluationMode()
    {
        var options = TinyModelFixture.TinyOptions(epochs: 1) with { ImageSize = 16, Normalization = InputNormalization.PerImage };
        var images = ImageCaches.For(fixture.Data.Train.Take(12), options);
        using var model = SsmTrainer.Train(images, options);
        Assert.False(model.Network.training);
        var all = ContrastRange.Fit(images, options.NormalizationStdFloor);
        Assert.Equal(all, model.Calibration!.Contrast);
        var heldOut = images.Subset(SsmTrainer.Split(images.Count, options.Training).HeldOut);
        Assert.NotEqual(ContrastRange.Fit(heldOut, options.NormalizationStdFloor), all);
    }

    /// <summary>The fixture's training images the trainer held out for calibration.</summary>
    private ImageCache HeldOut()
    {
        var images = new ImageCache(fixture.Model.Options.ImageSize, 1);
        foreach (var (image, i) in fixture.Data.Train.Select((x, i) => (x, i))) images.Add(image, $"train {i}");
        return images.Subset(SsmTrainer.Split(images.Count, fixture.Model.Options.Training).HeldOut);
    }

    [Fact]
    public void CalibratingUnderOtherScoringSettingsReproducesTrainingsOwnAndFollowsTheRounds()
    {
        var model = fixture.Model;
        var heldOut = HeldOut();

        var same = Calibration.Compute(model.Network, model.Options, heldOut, progress: null);
        Assert.Equal(model.Calibration!.RefinementThreshold, same.RefinementThreshold);
        Assert.Equal(model.Calibration.NormalImageScores, same.NormalImageScores);
        Assert.Equal(model.Calibration.MapStatistics!.Mean, same.MapStatistics!.Mean);

        // Two rounds: the same first-round threshold, but statistics of the refined maps, not of the first round's.
        var twoRounds = model.Options with { Scoring = model.Options.Scoring with { RefinementRounds = 2 } };
        var refined = Calibration.Compute(model.Network, twoRounds, heldOut, progress: null);
        Assert.Equal(same.RefinementThreshold, refined.RefinementThreshold);
        Assert.NotEqual(same.MapStatistics.Mean, refined.MapStatistics!.Mean);
        // Each refined pixel's scale is at least the first round's: the cells a refined round leaves visible are about 0
        // on every held-out image, and 3 held-out images standardised by that spread alone scored 1e8 (and flagged nothing).
        Assert.All(refined.MapStatistics.Scale.Zip(same.MapStatistics.Scale), p => Assert.True(p.First >= p.Second));
        var three = Calibration.Compute(model.Network, twoRounds, heldOut.Subset([0, 1, 2]), progress: null);
        Assert.All(three.NormalImageScores, score => Assert.InRange(score, -100f, 100f));
    }

    /// <summary>Calibration after the last epoch takes minutes on large images: it says when it starts, then follows each
    /// batch to the last held-out image, through both passes when refinement needs a second.</summary>
    [Fact]
    public void CalibrationReportsItsStartAndEveryBatch()
    {
        int heldOut = SsmTrainer.Split(fixture.Data.Train.Count, fixture.Model.Options.Training).HeldOut.Length;
        int batches = (heldOut + 7) / 8;   // the trainer calibrates in batches of 8
        Assert.Equal([0, .. Enumerable.Range(1, batches).Select(b => Math.Min(8 * b, heldOut))], fixture.Calibrating.Select(c => c.ImagesScored));
        Assert.All(fixture.Calibrating, c => Assert.Equal(heldOut, c.TotalImages));

        var twoRounds = fixture.Model.Options with { Scoring = fixture.Model.Options.Scoring with { RefinementRounds = 2 } };
        var reports = new List<CalibrationProgress>();
        Calibration.Compute(fixture.Model.Network, twoRounds, HeldOut(), new SynchronousProgress<CalibrationProgress>(reports.Add), batchSize: heldOut);
        Assert.Equal([(0, 2 * heldOut), (heldOut, 2 * heldOut), (2 * heldOut, 2 * heldOut)], reports.Select(c => (c.ImagesScored, c.TotalImages)));

        // A stop asked for while it runs ends it at the next batch, as training ends at the next step.
        using var stop = new CancellationTokenSource();
        var seen = new List<int>();
        Assert.ThrowsAny<OperationCanceledException>(() => Calibration.Compute(fixture.Model.Network, twoRounds, HeldOut(),
            new SynchronousProgress<CalibrationProgress>(c => { seen.Add(c.ImagesScored); if (c.ImagesScored > 0) stop.Cancel(); }), batchSize: 1, stop.Token));
        Assert.Equal([0, 1], seen);
    }

    /// <summary>Calibration and the contrast fit free every tensor they make, on every batch: MeanOf's views were left to the
    /// finaliser, each holding its batch's raw maps alive, and LogContrast's intermediates with them.</summary>
    [Fact]
    public void CalibrationAndTheContrastFitLeaveNoTensorAlive()
    {
        var heldOut = HeldOut();
        var twoRounds = fixture.Model.Options with { Scoring = fixture.Model.Options.Scoring with { RefinementRounds = 2 } };
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Calibration.Compute(fixture.Model.Network, twoRounds, heldOut, progress: null, batchSize: 1);
        ContrastRange.Fit(heldOut, fixture.Model.Options.NormalizationStdFloor);
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void CalibrationScoresFollowTheImageScoreErrorAndItsThresholdTheMap()
    {
        var model = fixture.Model;
        var heldOut = HeldOut();
        Calibration Of(RestorationError map, RestorationError score) => Calibration.Compute(model.Network,
            model.Options with { Scoring = model.Options.Scoring with { Error = map, ImageScoreError = score } }, heldOut, progress: null);

        var split = Of(RestorationError.Both, RestorationError.MsGms);
        var msGms = Of(RestorationError.MsGms, RestorationError.MsGms);
        var both = Of(RestorationError.Both, RestorationError.Both);
        Assert.Equal(msGms.NormalImageScores, split.NormalImageScores, (a, b) => Math.Abs(a - b) < 1e-4);
        Assert.NotEqual(both.NormalImageScores, split.NormalImageScores);
        Assert.Equal(both.RefinementThreshold, split.RefinementThreshold);   // refinement reads the map
        Assert.Equal(both.MapStatistics!.Mean, split.MapStatistics!.Mean);

        // Without the maps' standardisation the scores are the raw maps' maxima: they follow the image score's error too.
        Calibration Raw(RestorationError map, RestorationError score) => Calibration.Compute(model.Network, model.Options with
        {
            Scoring = model.Options.Scoring with { Error = map, ImageScoreError = score, StandardizeMaps = false },
        }, heldOut, progress: null);
        var rawSplit = Raw(RestorationError.Both, RestorationError.MsGms);
        Assert.Null(rawSplit.MapStatistics);
        Assert.Equal(Raw(RestorationError.MsGms, RestorationError.MsGms).NormalImageScores, rawSplit.NormalImageScores, (a, b) => Math.Abs(a - b) < 1e-4);
        Assert.NotEqual(Raw(RestorationError.Both, RestorationError.Both).NormalImageScores, rawSplit.NormalImageScores);
    }

    /// <summary>Training steps under continuous garbage collection on another thread (see <c>Torch.Scalars</c>):
    /// no failure, and the same weights as undisturbed.</summary>
    [Fact]
    public void TrainingSurvivesGarbageCollectionsOnAnotherThread()
    {
        var images = fixture.Data.Train.Take(8).ToList();
        var options = TinyModelFixture.TinyOptions(epochs: 2, seed: 3) with { ImageSize = 16 };
        using var undisturbed = SsmTrainer.Train(images, options);
        var expected = ModelWeights.Of(undisturbed);
        GcPressure.Repeat(TimeSpan.FromSeconds(3), () =>
        {
            using var model = SsmTrainer.Train(images, options);
            Assert.Equal(expected, ModelWeights.Of(model));
        });
    }

    [Fact]
    public void SameSeedGivesTheSameModelAndScores()
    {
        var images = fixture.Data.Train.Take(8).ToList();
        var options = TinyModelFixture.TinyOptions(epochs: 2, seed: 3) with { ImageSize = 16 };
        using var a = SsmTrainer.Train(images, options);
        using var b = SsmTrainer.Train(images, options);
        using var c = SsmTrainer.Train(images, options with { Training = options.Training with { Seed = 4 } });
        var wa = a.Network.parameters().Select(p => p.data<float>().ToArray()).SelectMany(x => x).ToArray();
        var wb = b.Network.parameters().Select(p => p.data<float>().ToArray()).SelectMany(x => x).ToArray();
        var wc = c.Network.parameters().Select(p => p.data<float>().ToArray()).SelectMany(x => x).ToArray();
        Assert.Equal(wa, wb);
        Assert.NotEqual(wa, wc);
        var probe = fixture.Data.Test.Take(3).Select(t => t.Image).ToList();
        Assert.Equal(a.Score(probe).Select(s => s.Score), b.Score(probe).Select(s => s.Score));
    }

    /// <summary>With no epoch count a run trains the default of the precision it runs in, and the model records that number.</summary>
    [Theory]
    [InlineData(NetworkPrecision.Float32, TrainingOptions.Float32Epochs)]
    [InlineData(NetworkPrecision.BFloat16, TrainingOptions.BFloat16Epochs)]
    public void WithoutAnEpochCountTrainsThePrecisionsDefaultAndRecordsIt(NetworkPrecision precision, int expected)
    {
        var images = fixture.Data.Train.Take(6).ToList();
        var options = TinyModelFixture.TinyOptions() with { ImageSize = 16, Network = new InpaintingNetworkOptions { BaseWidth = 4, Depth = 2 } };
        options = options with { Training = options.Training with { Epochs = null, Precision = precision } };
        var reports = new List<TrainingProgress>();
        using var model = SsmTrainer.Train(images, options, new SynchronousProgress<TrainingProgress>(reports.Add));
        Assert.Equal(expected, reports.Count);
        Assert.All(reports, r => Assert.Equal(expected, r.PlannedEpochs));
        Assert.Equal(expected, model.Options.Training.Epochs);
    }

    [Fact]
    public void AutoPrecisionsDefaultEpochsFollowTheCpu()
    {
        var resolved = NativeBFloat16.FasterOnCpu ? NetworkPrecision.BFloat16 : NetworkPrecision.Float32;
        Assert.Equal(TrainingOptions.DefaultEpochs(resolved), new TrainingOptions().EpochsOn(TorchSharp.torch.CPU));
        Assert.Equal(3, new TrainingOptions { Epochs = 3 }.EpochsOn(TorchSharp.torch.CPU));
        // GPUs stay in float32 (NativeBFloat16), so they get float32's number.
        Assert.Equal(TrainingOptions.Float32Epochs, new TrainingOptions().EpochsOn(new TorchSharp.torch.Device("cuda:0")));
    }

    [Fact]
    public void TimeBudgetStopsTrainingEarly()
    {
        var images = fixture.Data.Train.Take(8).ToList();
        var options = TinyModelFixture.TinyOptions(epochs: 100_000) with { ImageSize = 16 };
        options = options with { Training = options.Training with { TimeBudget = TimeSpan.FromSeconds(2) } };
        var reports = new List<TrainingProgress>();
        using var model = SsmTrainer.Train(images, options, new SynchronousProgress<TrainingProgress>(reports.Add));
        Assert.NotEmpty(reports);
        Assert.True(reports[^1].Epoch < 100_000);
        Assert.True(reports[^1].PlannedEpochs < 100_000); // the schedule was stretched over what the budget affords

        // The options keep the cap; the model says how far the training got, also after a round trip through its file.
        Assert.Equal(100_000, model.Options.Training.Epochs);
        Assert.Equal(new TrainingSummary(reports[^1].Epoch, reports[^1].Loss.Total, NetworkImages: 6, HeldOutImages: 2), model.TrainingSummary);
        Assert.Equal(8, model.TrainingSummary!.TrainingImages);
        using var file = new MemoryStream();
        model.Save(file);
        file.Position = 0;
        using var loaded = SsmModel.Load(file);
        Assert.Equal(model.TrainingSummary, loaded.TrainingSummary);
    }

    [Fact]
    public void ABudgetSpentBeforeTheFirstStepStillTrainsOneStep()
    {
        var images = fixture.Data.Train.Take(8).ToList();
        var options = TinyModelFixture.TinyOptions(epochs: 3) with { ImageSize = 16 };
        using var model = SsmTrainer.Train(images, options with { Training = options.Training with { TimeBudget = TimeSpan.FromTicks(1) } });
        // Before: one "epoch" of no step, loss 0, and the untrained network returned as a model.
        Assert.Equal(1, model.TrainingSummary!.EpochsRun);
        Assert.True(model.TrainingSummary.FinalLoss > 0, model.TrainingSummary.ToString());
    }

    [Fact]
    public void NullArgumentsAreNamed()
    {
        var options = TinyModelFixture.TinyOptions(epochs: 1) with { ImageSize = 16 };
        Assert.Equal("normalImages", Assert.Throws<ArgumentNullException>(() => SsmTrainer.Train((IEnumerable<SSM.Core.Data.FloatImage>)null!, options)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => SsmTrainer.Train(fixture.Data.Train.Take(8), null!)).ParamName);
        var withNull = fixture.Data.Train.Take(5).Append(null!);
        Assert.StartsWith("Image #5 is null.", Assert.Throws<ArgumentNullException>(() => SsmTrainer.Train(withNull, options)).Message);
    }

    /// <summary>A boundary sweep's trainings of width 1, or with a 1 x 1 bottleneck (64 px at Depth 7), diverged (one ended
    /// its epoch at loss 4.66 with every weight NaN, and Fit returned a model that scored every image NaN): both are refused
    /// before training, while saved models of such settings still load.</summary>
    [Fact]
    public void SettingsWhoseTrainingsDivergeAreRefusedBeforeTraining()
    {
        var images = fixture.Data.Train.Take(5).ToList();
        var narrow = new SsmOptions { ImageSize = 16, Network = new SSM.Core.Network.InpaintingNetworkOptions { BaseWidth = 1, Depth = 2 } };
        Assert.Contains("Base width must be at least 2 to train", Assert.Throws<ArgumentOutOfRangeException>(() => SsmTrainer.Train(images, narrow)).Message);
        var bottleneck = new SsmOptions { ImageSize = 64, Network = new SSM.Core.Network.InpaintingNetworkOptions { BaseWidth = 2, Depth = 7 } };
        Assert.Contains("Image size must be at least 128 (2^Depth) to train a network of depth 7",
            Assert.Throws<ArgumentOutOfRangeException>(() => SsmTrainer.Train(images, bottleneck)).Message);
        narrow.Validate();        // what a saved model's settings must pass to load
        bottleneck.Validate();
    }

    /// <summary>The epoch's loss is measured before each step, so a last step that leaves the weights NaN has a finite one:
    /// the weights are checked after each epoch too.</summary>
    [Fact]
    public void WeightsThatAreNotNumbersAreFound()
    {
        using var network = new SSM.Core.Network.InpaintingNetwork(new SSM.Core.Network.InpaintingNetworkOptions { BaseWidth = 2, Depth = 2 });
        Assert.True(SsmTrainer.WeightsFinite(network));
        using (TorchSharp.torch.no_grad()) network.parameters().Last().fill_(float.NaN);
        Assert.False(SsmTrainer.WeightsFinite(network));
    }

    [Fact]
    public void ADivergingTrainingStopsWithTheReason()
    {
        var images = fixture.Data.Train.Take(8).ToList();
        var options = TinyModelFixture.TinyOptions(epochs: 2) with { ImageSize = 16 };
        var epochs = new List<int>();
        var e = Assert.Throws<TrainingDivergedException>(() => SsmTrainer.Train(images,
            options with { Training = options.Training with { LearningRate = 1e30 } }, new SynchronousProgress<TrainingProgress>(p => epochs.Add(p.Epoch))));
        Assert.Equal("The training diverged in epoch 1: its loss is NaN, and the network's weights are no longer numbers. " +
                     "A lower learning rate (it is 1E+30) trains; so does another seed, when the rate is the default.", e.Message);
        Assert.Equal((1, double.NaN, 1e30), (e.Epoch, e.Loss, e.LearningRate));
        Assert.Equal("The training diverged in epoch 1: its loss is NaN, and the network's weights are no longer numbers. " +
                     "A lower --learning-rate (it is 1E+30) trains; so does another --seed, when the rate is the default.", e.MessageNaming("--learning-rate", "--seed"));
        Assert.Empty(epochs);
    }

    /// <summary>A loss still finite when the last step broke the weights: another seed is what trains such a network.</summary>
    [Fact]
    public void A_training_diverged_in_its_last_step_says_to_try_another_seed()
    {
        var e = new TrainingDivergedException(3, 0.25, 0.001);
        Assert.Equal("The training diverged in epoch 3: its last step left the network's weights not numbers (NaN). " +
                     "Another seed may train it (the learning rate is 0.001).", e.Message);
        Assert.Equal("The training diverged in epoch 3: its last step left the network's weights not numbers (NaN). " +
                     "Another --seed may train it (the --learning-rate is 0.001).", e.MessageNaming("--learning-rate", "--seed"));
    }

    /// <summary>Adam's first step is 10 times the rate, in float: a rate past a tenth of float's range failed inside libtorch
    /// ("value cannot be converted to type float without overflow"). It is refused before training; the largest accepted
    /// rate diverges with the reason.</summary>
    [Fact]
    public void ALearningRateTheFirstStepCannotHoldIsRefusedBeforeTraining()
    {
        var images = fixture.Data.Train.Take(8).ToList();
        var options = TinyModelFixture.TinyOptions(epochs: 2) with { ImageSize = 16 };
        SsmOptions At(double rate) => options with { Training = options.Training with { LearningRate = rate } };
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => SsmTrainer.Train(images, At(1e38)));
        Assert.Equal("LearningRate", refused.ParamName);
        Assert.StartsWith("Learning rate must be a positive number, at most 1E+37.", refused.Message);
        var diverged = Assert.Throws<TrainingDivergedException>(() => SsmTrainer.Train(images, At(TrainingOptions.MaxLearningRate)));
        Assert.StartsWith("The training diverged in epoch 1: its loss is NaN", diverged.Message);
    }

    [Fact]
    public void CancellationStopsTraining()
    {
        var images = fixture.Data.Train.Take(8).ToList();
        using var cts = new CancellationTokenSource();
        var options = TinyModelFixture.TinyOptions(epochs: 100_000) with { ImageSize = 16 };
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.ThrowsAny<OperationCanceledException>(() =>
            SsmTrainer.Train(images, options, new SynchronousProgress<TrainingProgress>(p => { if (p.Epoch == 2) cts.Cancel(); }), cancellation: cts.Token));
        // The network of the stopped training is freed, not left to the garbage collector.
        Assert.Equal(before, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void RejectsTooFewImages()
    {
        var e = Assert.Throws<ArgumentException>(() => SsmTrainer.Train(fixture.Data.Train.Take(3), TinyModelFixture.TinyOptions()));
        Assert.Contains("at least 4", e.Message);
    }

    [Fact]
    public void RejectsMixedChannelCountsNamingTheImage()
    {
        var images = fixture.Data.Train.Take(5).Append(new FloatImage(3, 32, 32)).ToList();
        var e = Assert.Throws<ArgumentException>(() => SsmTrainer.Train(images, TinyModelFixture.TinyOptions()));
        Assert.Contains("#5", e.Message);
        Assert.Contains("3 channel", e.Message);
    }

    [Fact]
    public void RejectsNonFinitePixels()
    {
        var bad = new FloatImage(1, 32, 32);
        bad.Pixels[7] = float.NaN;
        var e = Assert.Throws<ArgumentException>(() => SsmTrainer.Train(fixture.Data.Train.Take(5).Prepend(bad), TinyModelFixture.TinyOptions()));
        Assert.Contains("#0", e.Message);
    }

    [Fact]
    public void RejectsImageSizeTheNetworkCannotTake()
    {
        var options = TinyModelFixture.TinyOptions() with { ImageSize = 30 };
        Assert.Throws<ArgumentOutOfRangeException>(() => SsmTrainer.Train(fixture.Data.Train, options));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void RejectsDecayPointsOutsideTheRun(double fraction)
    {
        var options = TinyModelFixture.TinyOptions();
        options = options with { Training = options.Training with { DecayAt = [0.5, fraction] } };
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => options.Validate());
        Assert.Equal("DecayAt", e.ParamName);
    }

    [Fact]
    public void ColourImagesTrainAndScore()
    {
        var data = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = 16, Channels = 3, TrainCount = 6, TestGoodCount = 1, TestDefectCount = 1 });
        var options = TinyModelFixture.TinyOptions(epochs: 1) with { ImageSize = 16, Network = new InpaintingNetworkOptions { InputChannels = 3, BaseWidth = 4, Depth = 3 } };
        using var model = SsmTrainer.Train(data.Train, options);
        var scores = model.Score(data.Test.Select(t => t.Image).ToList());
        Assert.All(scores, s => Assert.Equal(16 * 16, s.Map.Length));
        Assert.All(scores, s => Assert.True(float.IsFinite(s.Score)));
    }

    /// <summary>Strips of two texture squares, read as 2 x 1 tiles of 32: the model trains on the squares, scores each
    /// strip by its worse tile, and its map (64 wide, 32 high) lights up in the half that holds the defect.</summary>
    [Fact]
    public void ATiledModelLearnsDefectsInStrips_AndMapsThemToTheirTile()
    {
        var data = fixture.Data;
        var normal = data.Test.Where(t => !t.IsAnomalous).ToList();
        var defects = data.Test.Where(t => t.IsAnomalous).ToList();
        var train = data.Train.Select((image, i) => Strips.SideBySide(image, data.Train[(i + 7) % data.Train.Count])).ToList();
        var blank = new FloatImage(1, 32, 32);
        var test = new List<(FloatImage Strip, FloatImage Mask, bool Anomalous)>();
        for (int i = 0; i < normal.Count; i++)
            test.Add((Strips.SideBySide(normal[i].Image, normal[(i + 1) % normal.Count].Image), Strips.SideBySide(blank, blank), false));
        for (int i = 0; i < defects.Count; i++)
        {
            bool right = i % 2 == 0;
            var good = normal[i % normal.Count].Image;
            test.Add(right ? (Strips.SideBySide(good, defects[i].Image), Strips.SideBySide(blank, defects[i].Mask!), true)
                           : (Strips.SideBySide(defects[i].Image, good), Strips.SideBySide(defects[i].Mask!, blank), true));
        }
        var options = TinyModelFixture.TinyOptions() with { Tiles = new TileGrid(2, 1) };
        using var model = SsmTrainer.Train(train, options);
        Assert.Equal(new TrainingSummary(20, model.TrainingSummary!.FinalLoss, 36, 4), model.TrainingSummary);   // strips, not tiles

        var scores = model.Score([.. test.Select(t => t.Strip)]);
        Assert.All(scores, s => Assert.Equal(64 * 32, s.Map.Length));
        double auroc = Roc.Auroc([.. scores.Select(s => s.Score)], [.. test.Select(t => t.Anomalous)]);
        Assert.True(auroc >= 0.9, $"image AUROC {auroc:F3} < 0.9");
        double pixel = PixelMetrics.Auroc([.. scores.Select(s => s.Map)], [.. test.Select(t => t.Mask.Pixels.Select(v => v > 0.5f).ToArray())]);
        Assert.True(pixel >= 0.8, $"pixel AUROC {pixel:F3} < 0.8");
        // Each defective strip's peak in the half that holds the defect: the tiles' maps are stitched in their places.
        for (int i = normal.Count; i < test.Count; i++)
        {
            int peak = Array.IndexOf(scores[i].Map, scores[i].Map.Max());
            bool inRight = peak % 64 >= 32, defectRight = test[i].Mask.Pixels.Select((v, p) => (v, p)).Where(q => q.v > 0.5f).All(q => q.p % 64 >= 32);
            Assert.Equal(defectRight, inRight);
        }
        // The map's highest value is the strip's score, so a contour at the threshold is drawn exactly on flagged strips: a
        // tile that scored from near its own edge, shown there by the overlapping tile, flagged strips with empty masks.
        Assert.Null(model.Calibration!.SizeEffect);   // strips of one size: no offset between map and score
        Assert.All(scores, s => Assert.Equal(s.Score, s.Map.Max()));
        // Calibrated per strip: the held-out strips' scores are each their worse tile's, one per strip.
        Assert.Equal(4, model.Calibration!.NormalImageScores.Count);
        // A strip's score is its highest tile's (of 3: the middle one overlaps both halves): the same scorer on the tiles alone.
        var tiles = new ImageCache(32, 1);
        foreach (var (strip, _, _) in test.Take(3).Concat(test.TakeLast(3)))
            foreach (var tile in options.Grid.Cut(strip, 32)) tiles.Add(tile, null);
        using var batch = tiles.Batch([.. Enumerable.Range(0, tiles.Count)]);
        using var scoredTiles = model.Scorer.Score(batch, [.. Enumerable.Range(0, tiles.Count).Select(tiles.LogArea)]);
        var tileScores = scoredTiles.Scores.data<float>().ToArray();
        var strips = scores.Take(3).Concat(scores.TakeLast(3)).Select(s => s.Score).ToArray();
        int n = options.Grid.Count;
        Assert.Equal(3, n);
        for (int i = 0; i < strips.Length; i++)
            Assert.Equal(tileScores.Skip(n * i).Take(n).Max(), strips[i], 4);
        Assert.Throws<ArgumentException>(() => Calibration.Compute(model, tiles, null));   // whole tiles for a tiled model: refused

        // Calibration leaves an image's tiles out together: each held-out strip's score is its highest tile's, standardised
        // by the other strips' maps alone (its own other tiles share its lighting and, overlapping, its pixels).
        var plain = options with { Scoring = options.Scoring with { SizeCorrection = false, RefinementRounds = 1 } };
        var heldOut = new ImageCache(32, 1, options.Tiles);
        foreach (var (strip, _, _) in test.Take(4)) heldOut.Add(strip, null);
        var calibration = Calibration.Compute(model.Network, plain, heldOut, null, batchSize: heldOut.Count);
        using var scorer = new AnomalyScorer(model.Network, plain, null);
        using var all = heldOut.Batch([.. Enumerable.Range(0, heldOut.Count)]);
        using var raw = scorer.RawMaps(all, 1);
        int length = plain.Scoring.ErrorKinds * 32 * 32;
        var rawValues = raw.data<float>().ToArray();
        var maps = Enumerable.Range(0, heldOut.Count).Select(i => rawValues[(i * length)..((i + 1) * length)]).ToList();
        var expected = options.Grid.ImageScores(NormalMapStatistics.LeaveOneOutScores(maps, plain.Scoring.ErrorKinds,
            plain.Scoring.PlanesOf(plain.Scoring.ImageScoreError), group: n)).Order().ToArray();
        Assert.Equal(4, calibration.NormalImageScores.Count);
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], calibration.NormalImageScores[i], 3);

        // Standardisation and the size correction need 3 images, not 3 tiles: 2 strips of 3 tiles, of two sizes, get neither.
        var two = new ImageCache(32, 1, options.Tiles);
        foreach (var (strip, width) in new[] { (test[0].Strip, 64), (test[1].Strip, 256) })
            two.Add(new FloatImage(1, 32, 64, strip.Pixels) { SourceSize = (width, width / 2) }, null);
        var sized = options with { Scoring = options.Scoring with { SizeCorrection = true, StandardizeMaps = true, RefinementRounds = 1 } };
        var fromTwo = Calibration.Compute(model.Network, sized, two, null);
        Assert.Equal((6, 2), (two.Count, two.ImageCount));
        Assert.Null(fromTwo.MapStatistics);
        Assert.Null(fromTwo.SizeEffect);
        Assert.Equal(2, fromTwo.NormalImageScores.Count);
        // From 3 images the maps are standardised; the size line needs 10 images, not 10 tiles: 4 strips of 4 sizes (12 tiles)
        // get none. It was fitted through their 4 sizes.
        var four = new ImageCache(32, 1, options.Tiles);
        foreach (var (strip, width) in test.Take(4).Select((t, i) => (t.Strip, 64 + 64 * i)))
            four.Add(new FloatImage(1, 32, 64, strip.Pixels) { SourceSize = (width, width / 2) }, null);
        var fromFour = Calibration.Compute(model.Network, sized, four, null);
        Assert.Equal((12, 4), (four.Count, four.ImageCount));
        Assert.NotNull(fromFour.MapStatistics);
        Assert.Null(fromFour.SizeEffect);
    }
}
