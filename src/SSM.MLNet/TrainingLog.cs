using Microsoft.ML.Runtime;
using SSM.Core;
using SSM.Core.Scoring;
using SSM.Core.Torch;
using SSM.Core.Training;

namespace SSM.MLNet;

/// <summary>
/// How a training (<c>Fit</c>) or a fine-tuning (<see cref="SsmAnomalyTransformer.FineTune"/>) is followed in the MLContext's log:
/// a line an epoch, steps and calibration as Trace messages at most once a second, the warnings of a short time budget or
/// a stalled training, and ML.NET's own cancellation passed on to the engine.
/// </summary>
internal static class TrainingLog
{
    /// <summary>Runs <paramref name="train"/> with the log's progress reporters and a token that also stops when ML.NET
    /// cancels the environment.</summary>
    /// <param name="env">The environment whose cancellation stops the run.</param>
    /// <param name="ch">The channel the messages go to.</param>
    /// <param name="options">The settings the run trains with (epochs, time budget, batch size).</param>
    /// <param name="device">The device it trains on (the default number of epochs depends on it).</param>
    /// <param name="networkEntries">The images' tiles the network trains on.</param>
    /// <param name="heldOut">The images the calibration after it scores.</param>
    /// <param name="userCancellation">The caller's token.</param>
    /// <param name="fineTuning">Whether the run fine-tunes a model: the warnings' advice is then what a fine-tuning can change.</param>
    /// <param name="train">The training, given the reporters and the token.</param>
    public static SsmModel Run(IHostEnvironment env, IChannel ch, SsmOptions options, TorchSharp.torch.Device device, int networkEntries, int heldOut,
        CancellationToken userCancellation, bool fineTuning,
        Func<IProgress<TrainingProgress>, IProgress<TrainingStep>, IProgress<CalibrationProgress>, CancellationToken, SsmModel> train)
    {
        bool stallSaid = false;
        int epochsToJudgeBy = EpochsToJudgeBy(options, device, fineTuning);
        int stepsPerEpoch = SsmTrainer.StepsPerEpoch(networkEntries, options.Training);
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            ch.Info("SSM: epoch {0}/{1} loss {2:F4} (mse {3:F4}, ms-gms {4:F4}, ssim {5:F4}) lr {6:G3} elapsed {7} remaining {8}",
                p.Epoch, p.PlannedEpochs, p.Loss.Total, p.Loss.Mse, p.Loss.MsGms, p.Loss.Ssim, p.LearningRate,
                TrainingProgress.Clock(p.Elapsed), TrainingProgress.Clock(p.Remaining));
            if (ShortTimeBudget.Warning(options, epochsToJudgeBy, p, fineTuning) is { } shortBudget) ch.Warning(shortBudget);
            if (!stallSaid && StalledTraining.Warning(options, p, stepsPerEpoch, fineTuning) is { } stalled)
            {
                ch.Warning(stalled);
                stallSaid = true;
            }
        });
        // ML.NET's own cancellation (internal in ML.NET 5) marks the environment cancelled; the engine polls a token between steps.
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(userCancellation);
        using var watch = new Timer(_ =>
        {
            // Disposing a timer does not wait for a callback already running: it may find the source disposed after the run.
            try { if ((env as ICancelable)?.IsCanceled == true) cancellation.Cancel(); }
            catch (ObjectDisposedException) { }
        }, null, 100, 100);
        // Steps within an epoch at most once a second, as Trace messages with their own prefix: a log handler that prints
        // "SSM:" lines stays one line per epoch, and the command line's live bar moves during a long first epoch.
        var stepClock = new OncePerSecond();
        var steps = new SynchronousProgress<TrainingStep>(s =>
        {
            if (s.Step == s.Steps || !stepClock.Due()) return;
            ch.Trace("SSM step: epoch {0}/{1} step {2}/{3}", s.Epoch, s.PlannedEpochs, s.Step, s.Steps);
        });
        // Calibration scores the held-out images after the last epoch: minutes on large images, so it is said and followed
        // like the steps (the command line's bar says "calibrating").
        try
        {
            return train(progress, steps, Calibration(ch, heldOut, "held-out "), cancellation.Token);
        }
        catch (TrainingDivergedException diverged)
        {
            // The engine says "learning rate" and "seed"; here they are the options' properties.
            string settings = fineTuning ? nameof(SsmFineTuningOptions) : nameof(SsmAnomalyDetectionOptions);
            throw diverged.Naming($"{settings}.{nameof(SsmAnomalyDetectionOptions.LearningRate)}", $"{settings}.{nameof(SsmAnomalyDetectionOptions.Seed)}");
        }
    }

    /// <summary>The epochs a time budget is judged against (<see cref="ShortTimeBudget"/>): those asked, at most the default
    /// (<see cref="SsmOptions.EpochsOn"/>; a fine-tuning's, <see cref="SsmTrainer.FineTuningEpochs"/> per tile), the
    /// measured amount that trains well. A run asked for int.MaxValue epochs, to be ended by its budget, was warned that 105
    /// epochs were "about 105 of 2147483647" and "trained this briefly".</summary>
    internal static int EpochsToJudgeBy(SsmOptions options, TorchSharp.torch.Device device, bool fineTuning) =>
        Math.Min(options.EpochsOn(device), fineTuning ? options.PerTile(SsmTrainer.FineTuningEpochs)
            : (options with { Training = options.Training with { Epochs = null } }).EpochsOn(device));

    /// <summary>Trainings estimated to take more memory than this say how much in their first log line.</summary>
    internal const long LargeTrainingBytes = 2_000_000_000;

    /// <summary>What a training or a fine-tuning of <paramref name="imageCount"/> images will do: how many it holds out to
    /// calibrate, the images' tiles the network trains on, and its estimated peak memory (<see cref="PeakMemory"/>).</summary>
    /// <param name="options">The settings the run trains with.</param>
    /// <param name="device">The device it trains on.</param>
    /// <param name="imageCount">The normal images it was given.</param>
    public static (int HeldOut, int NetworkEntries, long? Memory) Plan(SsmOptions options, TorchSharp.torch.Device device, int imageCount)
    {
        int heldOut = SsmTrainer.Split(imageCount, options.Training).HeldOut.Length;
        int networkEntries = (imageCount - heldOut) * options.Grid.Count;
        return (heldOut, networkEntries, PeakMemory(options, device, networkEntries));
    }

    /// <summary>The run's estimated peak memory (<see cref="TrainingMemory.EstimateBytes"/>); null on a GPU, whose memory the
    /// CPU measurements behind the estimate do not tell.</summary>
    /// <param name="options">The settings the run trains with.</param>
    /// <param name="device">The device it trains on.</param>
    /// <param name="networkEntries">The images' tiles the network trains on.</param>
    public static long? PeakMemory(SsmOptions options, TorchSharp.torch.Device device, int networkEntries) =>
        device.type == TorchSharp.DeviceType.CPU
            ? TrainingMemory.EstimateBytes(options, NativeBFloat16.Resolve(options.Training.Precision, device) == NetworkPrecision.BFloat16, networkEntries)
            : null;

    /// <summary>The warnings said after a training's or a fine-tuning's first line and before its first epoch, so that a long run
    /// can still be stopped: an estimated peak <paramref name="memory"/> near the machine's (<see cref="FitWarnings.Memory"/>),
    /// the rows' own (<see cref="NormalImageRows.WarnOfTraining"/>), and libtorch's convolutions mended (<see cref="OneDnnCheck"/>).</summary>
    /// <param name="ch">The channel the warnings go to.</param>
    /// <param name="rows">The rows the run trains on.</param>
    /// <param name="input">The input column they were read from.</param>
    /// <param name="options">The settings the run trains with.</param>
    /// <param name="memory">The run's estimated peak (<see cref="PeakMemory"/>).</param>
    /// <param name="heldOut">How many images calibrate.</param>
    /// <param name="fineTuning">Whether the run fine-tunes a model (the warnings' advice).</param>
    public static void WarnBeforeRun(IChannel ch, NormalImageRows rows, SsmInput input, SsmOptions options, long? memory, int heldOut, bool fineTuning)
    {
        if (memory is { } peak && FitWarnings.Memory(options, peak, TrainingMemory.MachineBytes, fineTuning) is { } tooLarge) ch.Warning(tooLarge);
        rows.WarnOfTraining(ch, input, options, heldOut, fineTuning);
        if (OneDnnCheck.Finding is { } mended) ch.Warning("SSM: " + mended);
    }

    /// <summary>The estimated peak as the run's first line says it, from <see cref="LargeTrainingBytes"/> on:
    /// ", about 3.9 GB of memory at its peak"; empty below.</summary>
    public static string AtPeak(long? memory) =>
        memory >= LargeTrainingBytes ? $", about {TrainingMemory.Describe(memory.Value)} of memory at its peak" : "";

    /// <summary>The time budget as the run's first line says it: " or 30 min", " or 1.2 s"; empty for none.</summary>
    public static string OrBudget(TimeSpan? budget) => budget is { } t ? $" or {Duration(t)}" : "";

    /// <summary>A time budget as the log says it, the same in each line: "30 min", "1.2 s". A TimeSpan's own text said
    /// "00:00:01.2000000", and a budget of years "6944.10:40:00".</summary>
    public static string Duration(TimeSpan t) => t < TimeSpan.FromMinutes(1) ? $"{t.TotalSeconds:0.#} s" : $"{t.TotalMinutes:0.##} min";

    /// <summary>Says how the held-out images calibrated <paramref name="model"/>, and warns when their scores do not spread.</summary>
    public static void Calibrated(IChannel ch, SsmModel model)
    {
        var calibration = model.Calibration ?? throw new InvalidOperationException("The engine returned an uncalibrated model.");
        // Size-corrected scores have a mean of 0 up to rounding: say 0, not -4.371E-07.
        double mean = Math.Abs(calibration.NormalMean) < 1e-4 * Math.Max(calibration.NormalStd, 1e-12f) ? 0 : calibration.NormalMean;
        // "mean 0" alone puzzled a walkthrough: the size correction centres the scores by construction.
        // The refinement threshold decides nothing in one round (the default): said only when the model refines.
        string refinement = model.Options.Scoring.RefinementRounds > 1 ? ", refinement threshold {4:G4}" : "";
        ch.Info("SSM: calibrated on {0} held-out normal images: raw score mean {1:G4}{2}, std {3:G4}" + refinement + ".",
            calibration.NormalImageScores.Count, mean, calibration.SizeEffect is null ? "" : " (after the size correction)",
            calibration.NormalStd, calibration.RefinementThreshold);
        if (FitWarnings.NoSpread(calibration) is { } flat) ch.Warning(flat);
    }

    /// <summary>Says the decision threshold of a trained or fine-tuned <paramref name="transformer"/>, the run's last line.</summary>
    public static void Threshold(IChannel ch, SsmAnomalyTransformer transformer) =>
        ch.Info("SSM: decision threshold {0:G4} ({1}).", transformer.Threshold,
            SsmAnomalyTransformer.ThresholdUnits(transformer.ScoreNormalization, "held-out normal"));

    /// <summary>A calibration's progress in the log: "SSM: calibrating on 76 held-out normal images." when it starts, then at
    /// most once a second Trace messages "SSM calibration: 40/76", which the command line's bar follows.</summary>
    /// <param name="ch">The channel the messages go to.</param>
    /// <param name="images">How many images the calibration scores.</param>
    /// <param name="kind">What the images are, before "normal images": "held-out " after a training, empty for others.</param>
    public static IProgress<CalibrationProgress> Calibration(IChannel ch, int images, string kind)
    {
        var clock = new OncePerSecond();
        return new SynchronousProgress<CalibrationProgress>(c =>
        {
            if (c.ImagesScored == 0)
            {
                ch.Info("SSM: calibrating on {0} {1}normal images.", images, kind);
                return;
            }
            if (c.ImagesScored == c.TotalImages || !clock.Due()) return;
            ch.Trace("SSM calibration: {0}/{1}", c.ImagesScored, c.TotalImages);
        });
    }
}
