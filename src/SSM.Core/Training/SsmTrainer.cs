using System.Diagnostics;
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
    /// <summary>Trains and calibrates a model.</summary>
    /// <param name="normalImages">Normal images of any size; all with the network's channel count.</param>
    /// <param name="options">Settings; validated first.</param>
    /// <param name="progress">Receives one report per epoch.</param>
    /// <param name="device">Device to train on; null = CPU.</param>
    /// <param name="cancellation">Stops training between steps with <see cref="OperationCanceledException"/>.</param>
    public static SsmModel Train(IEnumerable<FloatImage> normalImages, SsmOptions options,
        IProgress<TrainingProgress>? progress = null, Device? device = null, CancellationToken cancellation = default)
    {
        options.Validate();
        var cache = new ImageCache(options.ImageSize, options.Network.InputChannels);
        int index = 0;
        foreach (var image in normalImages)
        {
            cancellation.ThrowIfCancellationRequested();
            cache.Add(image, $"#{index++}");
        }
        return Train(cache, options, progress, device, cancellation);
    }

    /// <summary>Trains and calibrates a model on images already cached at the model's size.</summary>
    public static SsmModel Train(ImageCache images, SsmOptions options,
        IProgress<TrainingProgress>? progress = null, Device? device = null, CancellationToken cancellation = default)
    {
        options.Validate();
        if (images.ImageSize != options.ImageSize || images.Channels != options.Network.InputChannels)
            throw new ArgumentException("The image cache does not match the model's image size and channels.", nameof(images));
        const int minimum = 4;
        if (images.Count < minimum)
            throw new ArgumentException($"Training needs at least {minimum} normal images (some are held out for calibration); got {images.Count}.", nameof(images));

        device ??= CPU;
        var t = options.Training;
        var rng = new Random(t.Seed);
        var order = Enumerable.Range(0, images.Count).OrderBy(_ => rng.Next()).ToArray();
        int heldOutCount = Math.Clamp((int)Math.Round(images.Count * t.HoldoutFraction), 2, images.Count - 2);
        var heldOut = order[..heldOutCount];
        var train = order[heldOutCount..];

        // A private generator, not torch.manual_seed: the global one is shared with every other thread.
        using var initialisation = new Generator((ulong)t.Seed);
        var network = new InpaintingNetwork(options.Network, initialisation);
        network.to(device);
        var model = new SsmModel(network, options, calibration: null);
        try
        {
            RunEpochs(network, images, train, options, rng, progress, device, cancellation);
            model.Calibration = Scoring.Calibration.Compute(model, images.Subset(heldOut), progress: null);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static void RunEpochs(InpaintingNetwork network, ImageCache images, int[] train, SsmOptions options,
        Random rng, IProgress<TrainingProgress>? progress, Device device, CancellationToken cancellation)
    {
        var t = options.Training;
        var cellSizes = options.Masking.ResolveCellSizes(options.ImageSize);
        using var maskGenerator = new Generator((ulong)t.Seed + 1);
        using var optimizer = optim.Adam(network.parameters(), t.LearningRate, weight_decay: t.WeightDecay);
        var schedule = new StepSchedule(t.LearningRate, t.DecayAt, t.Epochs);
        var clock = Stopwatch.StartNew();
        network.train();
        for (int epoch = 0; epoch < schedule.PlannedEpochs; epoch++)
        {
            double rate = schedule.RateAt(epoch);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
            var shuffled = train.OrderBy(_ => rng.Next()).ToArray();
            var sum = new SsmLossParts();
            int steps = 0;
            foreach (var batch in shuffled.Chunk(t.BatchSize))
            {
                cancellation.ThrowIfCancellationRequested();
                if (t.TimeBudget is { } stepLimit && clock.Elapsed > stepLimit) break;
                int k = cellSizes[rng.Next(cellSizes.Length)];
                var flipH = batch.Select(_ => t.Flip && rng.Next(2) == 1).ToArray();
                var flipV = batch.Select(_ => t.Flip && rng.Next(2) == 1).ToArray();
                using var scope = NewDisposeScope();
                var x = images.Batch(batch, flipH, flipV).to(device);
                var masks = ComplementaryMasks.Generate(options.ImageSize, k, options.Masking.Groups, maskGenerator).to(device).unsqueeze(1);
                var (maskedImages, maskInputs) = MaskedRestoration.Inputs(x, masks);
                var outputs = network.forward(maskedImages, maskInputs);
                var (restoration, predictedMasks) = MaskedRestoration.Assemble(x, outputs, masks);
                var terms = SsmLoss.Compute(x, restoration, predictedMasks, masks, t.LossWeights);
                optimizer.zero_grad();
                terms.Total.backward();
                optimizer.step();
                sum += terms.ToParts();
                steps++;
            }
            var elapsed = clock.Elapsed;
            if (epoch == 0 && t.TimeBudget is { } budget)
                // Stretch the learning-rate schedule over the epochs the budget affords.
                schedule.PlannedEpochs = Math.Clamp((int)(budget / elapsed), 1, t.Epochs);
            var perEpoch = elapsed / (epoch + 1);
            progress?.Report(new TrainingProgress(epoch + 1, schedule.PlannedEpochs, sum / Math.Max(steps, 1), rate,
                elapsed, perEpoch * (schedule.PlannedEpochs - epoch - 1)));
            if (t.TimeBudget is { } limit && elapsed + perEpoch > limit) break;
        }
        network.eval();
    }
}
