using System.Diagnostics;
using SSM.Core.Data;
using SSM.Core.Training;
using SSM.Core.Tests.Data;

namespace SSM.Core.Tests.Training;

public class CheckpointTests : IDisposable
{
    private readonly TempFolder temp = new();
    private string folder => temp.File("checkpoints");

    public void Dispose() => temp.Dispose();

    private static SsmModel Uninterrupted(int epochs)
    {
        var (images, options) = CheckpointScenario.Create(epochs, checkpointFolder: null);
        return SsmTrainer.Train(images, options);
    }

    [Fact]
    public void CancelledRunResumesToTheSameModelAsAnUninterruptedOne()
    {
        var (images, options) = CheckpointScenario.Create(5, folder);
        using var cts = new CancellationTokenSource();
        var stopped = TimeSpan.Zero;
        Assert.ThrowsAny<OperationCanceledException>(() => SsmTrainer.Train(images, options,
            new SynchronousProgress<TrainingProgress>(p => { if (p.Epoch == 2) { stopped = p.Elapsed; cts.Cancel(); } }), cancellation: cts.Token));
        Assert.True(File.Exists(Path.Combine(folder, TrainingCheckpoint.FileName)));

        var seen = new List<TrainingProgress>();
        using var resumed = SsmTrainer.Train(images, options, new SynchronousProgress<TrainingProgress>(seen.Add));
        Assert.Equal(new[] { 3, 4, 5 }, seen.Select(p => p.Epoch));
        // The training time counts on from the stopped run's (a time budget is the whole training's).
        Assert.True(seen[0].Elapsed > stopped, $"epoch 3 at {seen[0].Elapsed}, epoch 2 of the stopped run at {stopped}");
        using var straight = Uninterrupted(5);
        Assert.Equal(ModelWeights.Of(straight), ModelWeights.Of(resumed));
        // The model does not keep where its checkpoints went: saved, it is the uninterrupted run's, byte for byte.
        Assert.Null(resumed.Options.Training.CheckpointFolder);
        using MemoryStream a = new(), b = new();
        straight.Save(a);
        resumed.Save(b);
        Assert.Equal(a.ToArray(), b.ToArray());
    }

    [Fact]
    public void KilledTrainingProcessResumesFromItsLastCheckpoint()
    {
        const int epochs = 40;
        var child = Path.Combine(AppContext.BaseDirectory, "TrainingChild.dll");
        using (var process = Process.Start(new ProcessStartInfo("dotnet", [child, folder, epochs.ToString()])
               { RedirectStandardOutput = true, UseShellExecute = false })!)
        {
            string? line;
            while ((line = process.StandardOutput.ReadLine()) is not null && line != "epoch 2") { }
            Assert.Equal("epoch 2", line);
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        var epochsSeen = new List<int>();
        var (images, options) = CheckpointScenario.Create(epochs, folder);
        using var resumed = SsmTrainer.Train(images, options, new SynchronousProgress<TrainingProgress>(p => epochsSeen.Add(p.Epoch)));
        Assert.True(epochsSeen[0] > 2, "resumed after the killed run's checkpoints");
        Assert.True(epochsSeen[0] <= epochs, "the kill came before the end of training");
        Assert.Equal(epochs, epochsSeen[^1]);
        using var straight = Uninterrupted(epochs);
        Assert.Equal(ModelWeights.Of(straight), ModelWeights.Of(resumed));
    }

    [Fact]
    public void SettingsFingerprintFollowsWhatShapesTheWeightsOnly()
    {
        var options = new SsmOptions();
        string fingerprint = SsmTrainer.CheckpointSettingsFingerprint(options);
        // Where checkpoints go and how long training may run do not shape the weights: a resumed run may change them.
        Assert.Equal(fingerprint, SsmTrainer.CheckpointSettingsFingerprint(options with
        {
            Training = options.Training with { CheckpointFolder = folder, CheckpointEvery = 3, TimeBudget = TimeSpan.FromMinutes(5) },
        }));
        // The cell sizes a null setting resolves to: a version with other default cells must not continue this one's run.
        Assert.Equal(fingerprint, SsmTrainer.CheckpointSettingsFingerprint(options with
        {
            Masking = options.Masking with { CellSizes = options.Masking.ResolveCellSizes(options.ImageSize) },
        }));
        // Nor does scoring: a finished training is calibrated afresh under other scoring settings instead of refused.
        Assert.Equal(fingerprint, SsmTrainer.CheckpointSettingsFingerprint(options with
        {
            Scoring = options.Scoring with { SmoothingSigma = 1, RefinementRounds = 3, Error = RestorationError.MsGms, Precision = NetworkPrecision.Float32 },
            Masking = options.Masking with { ScoringGroups = 2 },
        }));
        Assert.NotEqual(fingerprint, SsmTrainer.CheckpointSettingsFingerprint(options with { Masking = options.Masking with { Groups = 2 } }));
        Assert.NotEqual(fingerprint, SsmTrainer.CheckpointSettingsFingerprint(options with { NormalizationStdFloor = SSM.Core.Data.InputNormalizer.EightBitStdFloor }));
        Assert.NotEqual(fingerprint, SsmTrainer.CheckpointSettingsFingerprint(options with { Training = options.Training with { Seed = 1 } }));
    }

    [Fact]
    public void AFolderThatCannotBeWrittenStopsTheTrainingBeforeItsFirstEpoch()
    {
        string file = temp.File("not-a-folder");
        File.WriteAllText(file, "");
        var (images, options) = CheckpointScenario.Create(2, Path.Combine(file, "checkpoints"));
        var epochs = new List<int>();
        var e = Assert.Throws<IOException>(() => SsmTrainer.Train(images, options, new SynchronousProgress<TrainingProgress>(p => epochs.Add(p.Epoch))));
        Assert.StartsWith($"Cannot write training checkpoints to '{Path.Combine(file, "checkpoints")}'", e.Message);
        Assert.Empty(epochs);

        Assert.Throws<ArgumentOutOfRangeException>(() => SsmTrainer.Train(images, options with { Training = options.Training with { CheckpointFolder = " " } }));
        // The probe leaves nothing behind.
        var (_, writable) = CheckpointScenario.Create(2, folder);
        TrainingCheckpoint.CheckWritable(writable.Training.CheckpointFolder!);
        Assert.Empty(Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public void AFinishedTrainingIsCalibratedAfreshUnderOtherScoringSettingsWithoutTraining()
    {
        var (images, options) = CheckpointScenario.Create(2, folder);
        using var first = SsmTrainer.Train(images, options);
        var rescored = options with { Scoring = options.Scoring with { SmoothingSigma = 0.5, RefinementRounds = 2 } };
        var epochs = new List<int>();
        using var second = SsmTrainer.Train(images, rescored, new SynchronousProgress<TrainingProgress>(p => epochs.Add(p.Epoch)));
        Assert.Empty(epochs);
        Assert.Equal(ModelWeights.Of(first), ModelWeights.Of(second));
        // The summary is the training's, its last epoch's loss read back from the checkpoint.
        Assert.Equal(first.TrainingSummary, second.TrainingSummary);
        Assert.Equal(2, second.Options.Scoring.RefinementRounds);
        Assert.NotEqual(first.Calibration!.NormalImageScores, second.Calibration!.NormalImageScores);
    }

    [Fact]
    public void CheckpointOfOtherSettingsIsRefused()
    {
        var (images, options) = CheckpointScenario.Create(2, folder);
        using (SsmTrainer.Train(images, options)) { }
        var other = options with { Training = options.Training with { Seed = 10 } };
        var e = Assert.Throws<CheckpointMismatchException>(() => SsmTrainer.Train(images, other));
        Assert.Contains("other settings or images (Training.Seed 9, now 10).", e.Message);
        Assert.Equal(new CheckpointDifference("Training.Seed", "9", "10"), Assert.Single(e.Settings));
        Assert.False(e.ImagesDiffer);
        Assert.Equal(Path.Combine(folder, TrainingCheckpoint.FileName), e.Path);
        // An enum by its name, not the number its JSON holds.
        var otherKind = options.Normalization == SSM.Core.Data.InputNormalization.None ? SSM.Core.Data.InputNormalization.PerImage : SSM.Core.Data.InputNormalization.None;
        var refused = Assert.Throws<CheckpointMismatchException>(() => SsmTrainer.Train(images, options with { Normalization = otherKind }));
        Assert.Contains($"(Normalization {options.Normalization}, now {otherKind})", refused.Message);
        // A tile grid as one setting, described as it is set (its JSON is an object of three, and none recorded is whole images).
        var tiled = Assert.Throws<CheckpointMismatchException>(() => SsmTrainer.Train(images, options with { Tiles = new SSM.Core.Data.TileGrid(2, 1) }));
        Assert.Contains("(Tiles whole images, now 2x1 overlapping tiles; the training images (or their order))", tiled.Message);
        // Depth alone, not the size multiple the JSON records beside it, which follows from it.
        var shallower = Assert.Throws<CheckpointMismatchException>(() => SsmTrainer.Train(images, options with { Network = options.Network with { Depth = 2 } }));
        Assert.Equal(new CheckpointDifference("Network.Depth", "3", "2"), Assert.Single(shallower.Settings));

        // A checkpoint written before the floor was a setting trained with one 8-bit level: it must not be continued with another.
        var otherFloor = options with { NormalizationStdFloor = SSM.Core.Data.InputNormalizer.EightBitStdFloor };
        Assert.Contains("other settings or images (NormalizationStdFloor ", Assert.Throws<CheckpointMismatchException>(() => SsmTrainer.Train(images, otherFloor)).Message);
    }

    [Fact]
    public void CheckpointOfOtherImagesIsRefused()
    {
        // The same settings on other images must start afresh, not continue weights learned elsewhere: one pixel changed,
        // and one image left out.
        var (images, options) = CheckpointScenario.Create(2, folder);
        using (SsmTrainer.Train(images, options)) { }
        var first = images[0];
        var changed = new FloatImage(first.Channels, first.Height, first.Width, (float[])first.Pixels.Clone());
        changed.Pixels[0] = changed.Pixels[0] > 0.5f ? 0f : 1f;
        IReadOnlyList<FloatImage>[] others = [[changed, .. images.Skip(1)], [.. images.Skip(1)]];
        foreach (var other in others)
        {
            // The settings are the same, so the images are named as what differs.
            Assert.Contains("other settings or images (the training images (or their order))",
                Assert.Throws<CheckpointMismatchException>(() => SsmTrainer.Train(other, options)).Message);
            var cache = ImageCaches.For(other, options);
            Assert.True(Assert.Throws<CheckpointMismatchException>(() => SsmTrainer.CheckpointToContinue(cache, options)).ImagesDiffer);
        }
        var same = ImageCaches.For(images, options);
        Assert.Equal((2, 2), SsmTrainer.CheckpointToContinue(same, options));
    }

    [Fact]
    public void CheckpointOfTheNextFormatIsRefusedAsNewer()
    {
        var (images, options) = CheckpointScenario.Create(2, folder);
        using (SsmTrainer.Train(images, options)) { }
        var path = Path.Combine(folder, TrainingCheckpoint.FileName);
        var bytes = File.ReadAllBytes(path);
        int version = BitConverter.ToInt32(bytes, 8);
        BitConverter.GetBytes(version + 1).CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => SsmTrainer.Train(images, options));
        Assert.Contains($"format version {version + 1}", e.Message);
        Assert.True(SSM.Core.IO.NewerFormat.Is(e));
    }

    [Fact]
    public void CheckpointOfAnEarlierFormatIsRefusedBeforeTrainingSaysItContinues()
    {
        var (images, options) = CheckpointScenario.Create(2, folder);
        using (SsmTrainer.Train(images, options)) { }
        var path = Path.Combine(folder, TrainingCheckpoint.FileName);
        byte[][] sections;
        using (var file = File.OpenRead(path))
            (_, sections) = SSM.Core.IO.SignedFile.Read(file, TrainingCheckpoint.Signature, TrainingCheckpoint.FormatVersion, 3, "checkpoint");
        using (var file = File.Create(path))
            SSM.Core.IO.SignedFile.Write(file, TrainingCheckpoint.Signature, TrainingCheckpoint.FormatVersion - 1, sections);

        // Format 1 held TorchSharp's optimizer state, which this version cannot read: refused by what reads the progress
        // alone (Fit's "continuing" line) as by training, in the same words. What only looks (the command line, which then
        // starts afresh and deletes it) is told why, not to delete it.
        string why = $"The checkpoint '{path}' was written by an earlier version of SSM.MLNet, whose optimizer state this one cannot read.";
        const string advice = " Delete it, or choose another checkpoint folder.";
        Assert.Equal(why + advice, Assert.Throws<InvalidDataException>(() => SsmTrainer.CheckpointToContinue(ImageCaches.For(images, options), options)).Message);
        Assert.Equal(why + advice, Assert.Throws<InvalidDataException>(() => SsmTrainer.Train(images, options)).Message);
        Assert.Equal(why, Assert.Throws<InvalidDataException>(() => SsmTrainer.ReadCheckpoint(folder)).Message);
        Assert.True(File.Exists(path));   // refused, not deleted
    }

    [Fact]
    public void DamagedCheckpointIsRefused()
    {
        var (images, options) = CheckpointScenario.Create(2, folder);
        using (SsmTrainer.Train(images, options)) { }
        var path = Path.Combine(folder, TrainingCheckpoint.FileName);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 100)]);
        var e = Assert.Throws<InvalidDataException>(() => SsmTrainer.Train(images, options));
        Assert.Contains("integrity", e.Message);
        Assert.EndsWith("failed. Delete it, or choose another checkpoint folder.", e.Message);
        Assert.DoesNotContain("Delete it", Assert.Throws<InvalidDataException>(() => SsmTrainer.ReadCheckpoint(folder)).Message);
    }
}
