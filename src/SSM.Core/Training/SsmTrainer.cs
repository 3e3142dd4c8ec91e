using SSM.Core.Torch;
using SSM.Core.Data;
using SSM.Core.Losses;
using SSM.Core.Masks;
using SSM.Core.Network;
using SSM.Core.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace SSM.Core.Training;

/// <summary>
/// Trains the inpainting network on normal images (paper, section 4) and calibrates the result on a
/// held-out share of them. The n masked variants of a batch run as one forward pass of n x B images.
/// </summary>
public static class SsmTrainer
{
    /// <summary>Fewest normal images training accepts (2 are held out for calibration).</summary>
    public const int MinimumImages = 4;

    /// <summary>Trains and calibrates a model.</summary>
    /// <param name="normalImages">Normal images of any size; all with the network's channel count.</param>
    /// <param name="options">Settings; validated first.</param>
    /// <param name="progress">Receives one report per epoch.</param>
    /// <param name="device">Device to train on; null = CPU.</param>
    /// <param name="cancellation">Stops training between steps, and calibration between batches, with <see cref="OperationCanceledException"/>.</param>
    /// <param name="steps">Receives one report per training step (a batch), for progress within an epoch.</param>
    /// <param name="calibration">Receives a report when calibration starts and after each batch of held-out images it scores:
    /// on large images or many held-out ones it takes minutes after the last epoch.</param>
    /// <exception cref="TrainingDivergedException">The network's weights stopped being numbers; its message says what to change.</exception>
    /// <exception cref="CheckpointMismatchException"><see cref="TrainingOptions.CheckpointFolder"/> holds the checkpoint of a
    /// training with other settings or images.</exception>
    public static SsmModel Train(IEnumerable<FloatImage> normalImages, SsmOptions options,
        IProgress<TrainingProgress>? progress = null, Device? device = null, CancellationToken cancellation = default,
        IProgress<TrainingStep>? steps = null, IProgress<CalibrationProgress>? calibration = null)
    {
        ArgumentNullException.ThrowIfNull(normalImages);
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateForTraining();
        var cache = new ImageCache(options.ImageSize, options.Network.InputChannels, options.Tiles);
        int index = 0;
        foreach (var image in normalImages)
        {
            cancellation.ThrowIfCancellationRequested();
            cache.Add(image, $"#{index++}");
        }
        return Train(cache, options, progress, device, cancellation, steps, calibration);
    }

    /// <summary>Trains and calibrates a model on images already cached at the model's size.</summary>
    /// <inheritdoc cref="Train(IEnumerable{FloatImage}, SsmOptions, IProgress{TrainingProgress}?, Device?, CancellationToken, IProgress{TrainingStep}?, IProgress{CalibrationProgress}?)" path="/param"/>
    /// <exception cref="TrainingDivergedException">The network's weights stopped being numbers; its message says what to change.</exception>
    /// <exception cref="CheckpointMismatchException"><see cref="TrainingOptions.CheckpointFolder"/> holds the checkpoint of a
    /// training with other settings or images.</exception>
    public static SsmModel Train(ImageCache images, SsmOptions options,
        IProgress<TrainingProgress>? progress = null, Device? device = null, CancellationToken cancellation = default,
        IProgress<TrainingStep>? steps = null, IProgress<CalibrationProgress>? calibration = null) =>
        TrainTimedBy(TimeProvider.System, images, options, progress, device, cancellation, steps, calibration);

    /// <summary><see cref="Train(ImageCache, SsmOptions, IProgress{TrainingProgress}?, Device?, CancellationToken, IProgress{TrainingStep}?, IProgress{CalibrationProgress}?)"/>
    /// with the time budget spent by <paramref name="clock"/>: a test's clock advances by the steps it reports, so the plan
    /// the budget makes is the same on a busy machine as on an idle one.</summary>
    internal static SsmModel TrainTimedBy(TimeProvider clock, ImageCache images, SsmOptions options,
        IProgress<TrainingProgress>? progress = null, Device? device = null, CancellationToken cancellation = default,
        IProgress<TrainingStep>? steps = null, IProgress<CalibrationProgress>? calibration = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateForTraining();
        images.RequireCachedFor(options, nameof(images));
        if (images.ImageCount < MinimumImages)
            throw new ArgumentException($"Training needs at least {MinimumImages} normal images (some are held out for calibration); got {images.ImageCount}.", nameof(images));
        TorchNative.EnsureLoaded();

        device ??= CPU;
        options = WithEpochsResolved(options, device);
        var t = options.Training;
        // A private generator, not torch.manual_seed: the global one is shared with every other thread.
        using var initialisation = new Generator((ulong)(uint)t.Seed);
        var network = new InpaintingNetwork(options.Network, initialisation);
        network.to(device);
        // Where and how often checkpoints go is this run's business, not the model's: a saved model neither keeps a local
        // path nor changes with the folder it was trained into, and a training stopped and continued with checkpoints every
        // 2 epochs saves the same file as one run in one go.
        var model = new SsmModel(network, options with { Training = WithoutCheckpoints(t) }, calibration: null);
        model.TrainingSummary = TrainAndCalibrate(model, images, options, progress, steps, calibration, device, clock, cancellation);
        return model;
    }

    // A model keeps no checkpoint settings: see Train.
    private static TrainingOptions WithoutCheckpoints(TrainingOptions t) =>
        t with { CheckpointFolder = null, CheckpointEvery = new TrainingOptions().CheckpointEvery };

    /// <summary>
    /// Trains <paramref name="model"/>'s network on the training share of <paramref name="images"/> with
    /// <paramref name="options"/>, and calibrates the model on the held-out share: what a training and a fine-tuning both do
    /// once they have a network. Disposes the model when either fails.
    /// </summary>
    private static TrainingSummary TrainAndCalibrate(SsmModel model, ImageCache images, SsmOptions options, IProgress<TrainingProgress>? progress,
        IProgress<TrainingStep>? steps, IProgress<CalibrationProgress>? calibration, Device device, TimeProvider clock, CancellationToken cancellation)
    {
        // Whole images are held out, all their tiles: calibration must judge images the network has not seen a tile of.
        var (heldOutImages, trainImages) = Split(images.ImageCount, options.Training);
        var (heldOut, train) = (images.EntriesOf(heldOutImages), images.EntriesOf(trainImages));
        try
        {
            var (epochsRun, finalLoss) = RunEpochs(model.Network, images, train, options, progress, steps, device, clock, cancellation);
            // The contrast from every training image: it is not learnt by the network, and more images describe it better.
            var contrast = options.Normalization == InputNormalization.PerImage ? ContrastRange.Fit(images, options.NormalizationStdFloor) : null;
            model.Calibration = Scoring.Calibration.Compute(model, images.Subset(heldOut), calibration, cancellation: cancellation, contrast: contrast);
            return new TrainingSummary(epochsRun, finalLoss, trainImages.Length, heldOutImages.Length);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        finally
        {
            // Training's step-sized tensors are done with: what the heap kept for them goes back (NativeHeap).
            NativeHeap.ReturnFreeMemory();
            // So are this thread's OpenMP helpers, which would make another thread's scoring sleep (OpenMpPool).
            OpenMpPool.ReleaseCallersPool();
        }
    }

    /// <summary>Default <see cref="TrainingOptions.Epochs"/> of a fine-tuning of a model trained on whole images; a tiled model's
    /// is divided by its tiles per image (<see cref="FineTuningEpochsFor"/>).</summary>
    public const int FineTuningEpochs = 10;

    /// <summary>The default epochs of a fine-tuning of <paramref name="model"/>: <see cref="FineTuningEpochs"/> divided by its
    /// tiles per image, at least 1, as training's default is (<see cref="SsmOptions.EpochsOn"/>): an epoch passes over every
    /// tile, so 10 epochs of a 16 x 2-tile model are three times its whole training (105 / 32 = 3 epochs).</summary>
    public static int FineTuningEpochsFor(SsmModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Options.PerTile(FineTuningEpochs);
    }

    /// <summary>The settings <see cref="FineTune"/> trains <paramref name="model"/> with by default: its training's, with
    /// <see cref="FineTuningEpochsFor"/> epochs from its learning rate, decaying as in training (on MTD after a camera moved
    /// closer, 10 epochs from a tenth of it gave image AUROC 0.795, from the rate itself 0.872; docs/reliability.md), and
    /// neither time budget nor checkpoints.</summary>
    public static TrainingOptions FineTuningDefaults(SsmModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var t = model.Options.Training;
        return WithoutCheckpoints(t) with { Epochs = FineTuningEpochsFor(model), TimeBudget = null };
    }

    /// <summary>
    /// Trains a copy of <paramref name="model"/>'s network further on <paramref name="normalImages"/> and calibrates it on a
    /// held-out share of them, as a training does: for normal images the network restores worse than its training images
    /// (a moved part or camera, a new batch or variant of the product), in a fraction of a training's time. The settings
    /// that shape the network and its input (image size, tiles, channels, widths, normalisation, masks, loss) and the scoring
    /// settings are the model's; <paramref name="training"/> gives the rest. The copy records the fine-tuning
    /// (<see cref="SsmModel.FineTunings"/>); <paramref name="model"/> is not changed. Give the old normal images with the new
    /// ones to keep both normal: the network is trained on these alone.
    /// </summary>
    /// <param name="model">A trained model.</param>
    /// <param name="normalImages">Normal images cached with the model's image size, channels and tiles; at least <see cref="MinimumImages"/>.</param>
    /// <param name="training">Epochs, learning rate, seed, batch size, held-out share and augmentation; null:
    /// <see cref="FineTuningDefaults"/>. A null <see cref="TrainingOptions.Epochs"/> is <see cref="FineTuningEpochsFor"/>. No checkpoints.</param>
    /// <param name="progress">Receives one report per epoch.</param>
    /// <param name="device">Device to train on; null = CPU.</param>
    /// <param name="cancellation">Stops training between steps, and calibration between batches, with <see cref="OperationCanceledException"/>.</param>
    /// <param name="steps">Receives one report per training step.</param>
    /// <param name="calibration">Receives a report when calibration starts and after each batch of held-out images it scores.</param>
    /// <exception cref="ArgumentException">Fewer than <see cref="MinimumImages"/> images, images cached for another size,
    /// channels or tiles than the model's, invalid settings, or a checkpoint folder.</exception>
    /// <exception cref="ObjectDisposedException">The model was disposed before the call.</exception>
    /// <exception cref="TrainingDivergedException">The network's weights stopped being numbers; its message says what to change.</exception>
    public static SsmModel FineTune(SsmModel model, ImageCache normalImages, TrainingOptions? training = null,
        IProgress<TrainingProgress>? progress = null, Device? device = null, CancellationToken cancellation = default,
        IProgress<TrainingStep>? steps = null, IProgress<CalibrationProgress>? calibration = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(normalImages);
        training ??= FineTuningDefaults(model);
        training.Validate();
        if (training.CheckpointFolder is not null)
            throw new ArgumentException("A fine-tuning keeps no checkpoints: its training is short. Leave CheckpointFolder null.", nameof(training));
        var options = model.Options;
        normalImages.RequireCachedFor(options, nameof(normalImages));
        if (normalImages.ImageCount < MinimumImages)
            throw new ArgumentException($"Fine-tuning needs at least {MinimumImages} normal images (some are held out for calibration); got {normalImages.ImageCount}.", nameof(normalImages));
        TorchNative.EnsureLoaded();
        device ??= CPU;
        training = training with { Epochs = training.Epochs ?? FineTuningEpochsFor(model) };
        var network = model.CopyNetwork(device);
        var tuned = new SsmModel(network, options, calibration: null) { TrainingSummary = model.TrainingSummary };
        var summary = TrainAndCalibrate(tuned, normalImages, options with { Training = training }, progress, steps, calibration, device, TimeProvider.System, cancellation);
        tuned.FineTunings = [.. model.FineTunings ?? [], new FineTuning(training, summary)];
        return tuned;
    }

    // The model records the epochs it trains for, the default resolved for this device's precision.
    private static SsmOptions WithEpochsResolved(SsmOptions options, Device device) =>
        options with { Training = options.Training with { Epochs = options.EpochsOn(device) } };

    /// <summary>
    /// The checkpoint in <see cref="TrainingOptions.CheckpointFolder"/> that <see cref="Train(ImageCache, SsmOptions, IProgress{TrainingProgress}?, Device?, CancellationToken, IProgress{TrainingStep}?, IProgress{CalibrationProgress}?)"/>
    /// with these images, settings and device would continue: its epochs done and planned; null when there is no folder or
    /// no checkpoint in it. Lets a caller say so before training.
    /// </summary>
    /// <exception cref="CheckpointMismatchException">The checkpoint belongs to a training with other settings or images, which Train refuses.</exception>
    /// <exception cref="InvalidDataException">The checkpoint is damaged, foreign, or of another format version.</exception>
    public static (int EpochsDone, int PlannedEpochs)? CheckpointToContinue(ImageCache images, SsmOptions options, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Training.CheckpointFolder is not { } folder || TrainingCheckpoint.Read(folder, toContinue: true) is not { } kept) return null;
        var run = TrainingCheckpoint.Run.Of(WithEpochsResolved(options, device ?? CPU), images);
        if (kept.Fingerprint != run.Fingerprint) throw TrainingCheckpoint.OtherRun(folder, run, kept);
        return (kept.EpochsDone, kept.PlannedEpochs);
    }

    /// <summary>
    /// A hash of the settings a checkpoint must match (besides the images) for training to continue from it:
    /// every setting that shapes the weights, with this version's defaults. For a caller that keeps the checkpoints of
    /// different runs apart (the command line names its checkpoint folders by it): it changes with any such setting, and
    /// with a new version whose defaults or settings differ, whose training would refuse the old checkpoint. A null
    /// <see cref="TrainingOptions.Epochs"/> is hashed as null: to tell apart versions whose default number differs, pass
    /// it resolved (<see cref="TrainingOptions.EpochsOn"/>) or keep it beside the fingerprint, as the command line does.
    /// </summary>
    public static string CheckpointSettingsFingerprint(SsmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return TrainingCheckpoint.SettingsFingerprint(options);
    }

    /// <summary>The epochs done and the epochs planned of the checkpoint in <paramref name="folder"/>
    /// (<see cref="TrainingOptions.CheckpointFolder"/>), which a training of the same settings and images continues from;
    /// null when the folder holds none.</summary>
    /// <exception cref="InvalidDataException">The checkpoint is damaged, foreign, or of another format version: the message
    /// says why, and leaves what to do to the caller (training's own refusal adds "Delete it, or choose another checkpoint folder").</exception>
    public static (int EpochsDone, int PlannedEpochs)? ReadCheckpoint(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return TrainingCheckpoint.Read(folder, toContinue: false) is { } progress ? (progress.EpochsDone, progress.PlannedEpochs) : null;
    }

    /// <summary>
    /// Which of <paramref name="count"/> images training holds out for calibration and which it trains on: a shuffle by
    /// the seed, <see cref="TrainingOptions.HoldoutFraction"/> of them (at least 2 each way) held out.
    /// </summary>
    public static (int[] HeldOut, int[] Train) Split(int count, TrainingOptions t)
    {
        var random = new Random(t.Seed);
        var order = Enumerable.Range(0, count).OrderBy(_ => random.Next()).ToArray();
        int heldOutCount = Math.Clamp(RequestedHeldOut(count, t), 2, count - 2);
        return (order[..heldOutCount], order[heldOutCount..]);
    }

    /// <summary>The held-out count <see cref="TrainingOptions.HoldoutFraction"/> asks of <paramref name="count"/> images,
    /// before <see cref="Split"/> keeps at least 2 each way.</summary>
    public static int RequestedHeldOut(int count, TrainingOptions t) => (int)Math.Round(count * t.HoldoutFraction);

    /// <summary>Training steps (batches) in an epoch over <paramref name="trainImages"/> images: the last batch may be short.</summary>
    public static int StepsPerEpoch(int trainImages, TrainingOptions t) => (trainImages + t.BatchSize - 1) / t.BatchSize;

    /// <returns>The number of the last epoch run and its loss.</returns>
    private static (int EpochsRun, double? FinalLoss) RunEpochs(InpaintingNetwork network, ImageCache images, int[] train, SsmOptions options,
        IProgress<TrainingProgress>? progress, IProgress<TrainingStep>? steps, Device device, TimeProvider clock, CancellationToken cancellation)
    {
        var t = options.Training;
        using var optimizer = new Adam(network.parameters(), t.LearningRate, t.WeightDecay);
        int epochs = t.EpochsOn(device);
        var schedule = new StepSchedule(t.LearningRate, t.DecayAt, epochs);
        var run = t.CheckpointFolder is null ? null : TrainingCheckpoint.Run.Of(options, images);
        // A folder that cannot be written would otherwise fail at the first checkpoint, epochs into the training.
        if (t.CheckpointFolder is not null) TrainingCheckpoint.CheckWritable(t.CheckpointFolder);
        int first = 0, epochsRun = 0;
        double? lastLoss = null;
        var before = TimeSpan.Zero;   // training time of the run this one resumes
        if (t.CheckpointFolder is not null && TrainingCheckpoint.TryResume(t.CheckpointFolder, run!, network, optimizer) is { } resumed)
        {
            first = epochsRun = resumed.EpochsDone;
            lastLoss = resumed.Loss;
            schedule.PlannedEpochs = resumed.PlannedEpochs;
            before = TimeSpan.FromSeconds(resumed.ElapsedSeconds);
        }
        long start = clock.GetTimestamp();
        TimeSpan Elapsed() => before + clock.GetElapsedTime(start);
        TimeSpan? firstEpochEnd = null;
        network.train();
        double rate = double.MaxValue;
        for (int epoch = first; epoch < schedule.PlannedEpochs; epoch++)
        {
            // Never back up: a re-planned (longer) schedule must not raise a rate that has already decayed.
            rate = Math.Min(rate, schedule.RateAt(epoch));
            optimizer.LearningRate = rate;
            int planned = schedule.PlannedEpochs, current = epoch + 1;
            var loss = RunEpoch(network, optimizer, images, train, options, epoch, device, () => t.TimeBudget is { } b && Elapsed() > b, cancellation,
                steps is null ? null : (step, total) => steps.Report(new TrainingStep(current, planned, step, total)));
            // Diverged weights score every image NaN: stopped here, before a checkpoint keeps them or a model is made of them.
            // The loss is measured before each step, so a last step that leaves weights NaN has a finite one: the weights are
            // checked too (a boundary sweep's network of width 1 with a 1 x 1 bottleneck, refused since, reached Save with NaN scores).
            if (!double.IsFinite(loss.Total) || !WeightsFinite(network)) throw new TrainingDivergedException(current, loss.Total, t.LearningRate);
            var elapsed = Elapsed();
            firstEpochEnd ??= elapsed;
            // A run's first epoch also warms libtorch up: a third longer than the next at 64 px (3.2 s, then 2.4 s), and a
            // plan counting it said 9 epochs where 11 ran. It is counted until a second epoch has run, and then left out.
            var perEpoch = epoch > first ? (elapsed - firstEpochEnd.Value) / (epoch - first) : elapsed - before;
            if (t.TimeBudget is { } budget)
            {
                // Stretch the learning-rate schedule over the epochs the budget affords, re-planned after every
                // epoch from the mean epoch time so far: one slow epoch (a busy machine) does not fix the plan.
                // Bounded as a double: a budget of years (TimeSpan.MaxValue for "no limit") affords more epochs than an
                // int holds, and the sum overflowed to a plan of this epoch alone. Epochs that took no time afford every
                // epoch asked; NaN (0 / 0: no time taken and none left) affords none.
                double affordable = Math.Floor((budget - elapsed) / perEpoch);
                schedule.PlannedEpochs = epoch + 1 + (int)Math.Clamp(double.IsNaN(affordable) ? 0 : affordable, 0, epochs - epoch - 1);
            }
            // With a budget, training runs until it is spent (the last epoch may be partial), not until one
            // more whole epoch would no longer fit: under load that rule left much of the budget unused.
            bool last = epoch + 1 >= schedule.PlannedEpochs || (t.TimeBudget is { } limit && elapsed >= limit);
            if (t.CheckpointFolder is not null && (last || (epoch + 1) % t.CheckpointEvery == 0))
                TrainingCheckpoint.Save(t.CheckpointFolder, run!.Progress(epoch + 1, schedule.PlannedEpochs, elapsed.TotalSeconds, loss.Total), network, optimizer);
            epochsRun = epoch + 1;
            lastLoss = loss.Total;
            progress?.Report(new TrainingProgress(epoch + 1, schedule.PlannedEpochs, loss, rate, elapsed,
                last ? TimeSpan.Zero : Times(perEpoch, schedule.PlannedEpochs - epoch - 1), perEpoch));
            if (last) break;
        }
        network.eval();
        return (epochsRun, lastLoss);
    }

    /// <summary><paramref name="count"/> times <paramref name="each"/>, at most the longest TimeSpan: the time left of a run
    /// asked for int.MaxValue epochs (to be stopped by hand) overflowed after a first epoch of over 430 s, and threw.</summary>
    private static TimeSpan Times(TimeSpan each, int count) =>
        count > 0 && each.Ticks > TimeSpan.MaxValue.Ticks / count ? TimeSpan.MaxValue : each * count;

    /// <summary>Whether every weight of <paramref name="network"/> is a number.</summary>
    internal static bool WeightsFinite(InpaintingNetwork network)
    {
        using var scope = NewDisposeScope();
        return network.parameters().All(p => p.isfinite().all().item<bool>());
    }

    /// <summary>One pass over the training images; randomness comes from (seed, epoch) alone.</summary>
    private static SsmLossParts RunEpoch(InpaintingNetwork network, Adam optimizer, ImageCache images, int[] train,
        SsmOptions options, int epoch, Device device, Func<bool> outOfTime, CancellationToken cancellation, Action<int, int>? stepDone)
    {
        var t = options.Training;
        int epochSeed = unchecked(t.Seed * 1_000_003 + epoch * 7_919 + 17);
        var rng = new Random(epochSeed);
        using var maskGenerator = new Generator((ulong)(uint)epochSeed);
        var cellSizes = options.Masking.ResolveCellSizes(options.ImageSize);
        var format = NativeBFloat16.Format(t.Precision, device);
        var lossWeights = t.LossWeights.For(options.Normalization);
        var sum = new SsmLossParts();
        int steps = 0, total = StepsPerEpoch(train.Length, t);
        foreach (var batch in train.OrderBy(_ => rng.Next()).ToArray().Chunk(t.BatchSize))
        {
            cancellation.ThrowIfCancellationRequested();
            // At least one step an epoch: a budget spent before the first would return the untrained network as a model.
            if (steps > 0 && outOfTime()) break;
            int k = cellSizes[rng.Next(cellSizes.Length)];
            var augmentation = Augmentation.Draw(rng, batch.Length, t);
            using var scope = NewDisposeScope();
            var x = InputNormalizer.Apply(images.Batch(batch, augmentation.FlipH, augmentation.FlipV).to(device), options);
            x = QuarterTurns.Apply(x, augmentation.Turn);
            var masks = ComplementaryMasks.Generate(options.ImageSize, k, options.Masking.Groups, maskGenerator).to(device).unsqueeze(1);
            var (maskedImages, maskInputs) = MaskedRestoration.Inputs(x, masks);
            var outputs = network.ForwardIn(format, maskedImages, maskInputs);
            var (restoration, predictedMasks) = MaskedRestoration.Assemble(x, outputs, masks);
            var terms = SsmLoss.Compute(x, restoration, predictedMasks, masks, lossWeights);
            optimizer.ZeroGrad();
            terms.Total.backward();
            optimizer.Step();
            sum += terms.ToParts();
            steps++;
            stepDone?.Invoke(steps, total);
        }
        return sum / Math.Max(steps, 1);
    }
}
