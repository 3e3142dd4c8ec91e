using SSM.Core;
using SSM.Core.Scoring;
using SSM.Core.Training;

namespace SSM.MLNet;

/// <summary>Fit's warnings about the training as a whole (too few held-out images, too little memory, held-out scores
/// without spread), each a message or null; the pictures' and the progress's own live beside them (<see cref="DarkPictures"/>,
/// <see cref="StalledTraining"/>, <see cref="ShortTimeBudget"/>).</summary>
internal static class FitWarnings
{
    /// <summary>The warning a small calibration set deserves, or null: the model would otherwise look as sure as any other.</summary>
    public static string? FewHeldOut(int heldOut, int images, SsmOptions options)
    {
        if (heldOut >= SsmAnomalyEstimator.MinCalibrationImages) return null;
        // The engine keeps 2 images for the network whatever the fraction: a fraction above that is no remedy.
        bool capped = SsmTrainer.RequestedHeldOut(images, options.Training) > heldOut;
        string warning = $"SSM: only {heldOut} held-out images calibrate the threshold; its false-alarm rate is a rough guess: " +
                         (capped ? $"add normal images ({nameof(SsmAnomalyDetectionOptions.HoldoutFraction)} {options.Training.HoldoutFraction.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} " +
                                   $"would hold out more of these {images}, but at least 2 must train the network)"
                                 : $"add normal images or raise {nameof(SsmAnomalyDetectionOptions.HoldoutFraction)}");
        return warning + OffWithFew(heldOut, options) + ".";
    }

    /// <summary>What the engine leaves off, although the options are on, when few images calibrate: it fits the size
    /// correction from <see cref="SizeEffect.MinimumImages"/> on and standardises maps from 3 on.</summary>
    private static string OffWithFew(int images, SsmOptions options)
    {
        var off = new List<string>();
        if (images < SizeEffect.MinimumImages && options.Scoring.SizeCorrection)
            off.Add($"the correction for the images' sizes is off below {SizeEffect.MinimumImages}");
        if (images < 3 && options.Scoring.StandardizeMaps)
            off.Add(off.Count > 0 ? "the anomaly maps' standardisation below 3" : "the anomaly maps' standardisation is off below 3");
        return off.Count == 0 ? "" : $" ({string.Join(", ", off)})";
    }

    /// <summary>The warning for a model calibrated again on fewer than <see cref="SsmAnomalyEstimator.MinCalibrationImages"/>
    /// images (<see cref="SsmAnomalyTransformer.Recalibrate"/>), or null.</summary>
    public static string? FewCalibrationImages(int images, SsmOptions options)
    {
        if (images >= SsmAnomalyEstimator.MinCalibrationImages) return null;
        return $"SSM: only {images} images calibrate the threshold; its false-alarm rate is a rough guess: give more normal images" +
               OffWithFew(images, options) + ".";
    }

    /// <summary>The warning a training estimated to take <paramref name="estimate"/> bytes on a machine of
    /// <paramref name="machine"/> deserves, or null: above 80 % of it the system may stop the process for lack of memory, a
    /// death no program can report, so it is said before.</summary>
    /// <param name="options">The settings the run trains with.</param>
    /// <param name="estimate">The run's estimated peak (<see cref="TrainingMemory.EstimateBytes"/>).</param>
    /// <param name="machine">The machine's memory.</param>
    /// <param name="fineTuning">Whether the run fine-tunes a model, whose image size and width are its training's.</param>
    public static string? Memory(SsmOptions options, long estimate, long machine, bool fineTuning = false)
    {
        if (estimate <= 0.8 * machine) return null;
        return $"SSM: {(fineTuning ? "fine-tuning" : "training")} at {options.ImageSize}x{options.ImageSize} (network width {options.Network.BaseWidth}, batches of {options.Training.BatchSize}) " +
               $"takes about {TrainingMemory.Describe(estimate)} of memory, {(estimate > machine ? "more than" : "nearly all of")} this machine's " +
               $"{TrainingMemory.Describe(machine)}: the system may stop it for lack of memory. " +
               (fineTuning
                   ? $"A smaller {nameof(SsmFineTuningOptions.BatchSize)} needs less: memory grows with the batch size (and with the image's pixels " +
                     "and the width, which are the model's)."
                   : $"A smaller {nameof(SsmAnomalyDetectionOptions.ImageSize)}, {nameof(SsmAnomalyDetectionOptions.BatchSize)} or " +
                     $"{nameof(SsmAnomalyDetectionOptions.BaseWidth)} needs less: memory grows with the image's pixels, the width and the batch size.");
    }

    /// <summary>The warning for held-out images that all score the same (copies of one image), or null. The ZScore divides by
    /// their spread, which is then only the floor of <see cref="Calibration.NormalStd"/>: every score and the threshold lose their meaning.</summary>
    /// <param name="calibration">The calibration to judge.</param>
    /// <param name="recalibrated">Whether it comes from images given after training (<see cref="SsmAnomalyTransformer.Recalibrate"/>),
    /// not from a training's held-out images.</param>
    public static string? NoSpread(Calibration calibration, bool recalibrated = false)
    {
        float mean = calibration.NormalMean, std = calibration.NormalStd;
        if (calibration.NormalImageScores.Count < 2 || std > 1e-4f * Math.Max(1f, Math.Abs(mean))) return null;
        var (images, task) = recalibrated ? ("calibration images", "Calibrate") : ("held-out images", "Train");
        return $"SSM: the {calibration.NormalImageScores.Count} {images} all score {mean:G4} (standard deviation {std:G2}), so " +
               $"ZScore scores and the threshold, which are counted in that deviation, mean nothing. Are the {(recalibrated ? "calibration" : "training")} " +
               $"images copies of one image? {task} on varied normal images.";
    }
}
