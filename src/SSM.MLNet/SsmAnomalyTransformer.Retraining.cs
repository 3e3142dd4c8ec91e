using Microsoft.ML;
using Microsoft.ML.Runtime;
using SSM.Core;
using SSM.Core.Training;

namespace SSM.MLNet;

// Calibrated again or fine-tuned on other normal images: a new transformer owning its own copy of the network.
public sealed partial class SsmAnomalyTransformer
{
    /// <summary>
    /// A transformer identical to this one but calibrated on the normal images of <paramref name="normalImages"/> (this
    /// model's input column, as for <see cref="Transform"/>) instead of the training's held-out images: the normal scores the
    /// Score and the threshold stand on, the anomaly maps' standardisation, the size correction, the refinement threshold
    /// and the contrast of normal frames are learnt again from them (<see cref="SsmModel.Recalibrated"/>); the network is
    /// not trained. For normal images taken after a change of lamp, camera or part, or more of them than the training held
    /// out; the network must not have trained on them, or their scores are lower than a new image's. The result owns a copy
    /// of the network: dispose it as well as this one. Saving it saves the new calibration.
    /// </summary>
    /// <param name="normalImages">Rows of normal images only; every row is read, and those that cannot be are an error naming
    /// each, as in <c>Fit</c>.</param>
    /// <param name="threshold">The decision threshold in Score units; null (the default): 3 standard deviations over the new
    /// normal scores. A threshold set on this transformer is not kept, nor is a <see cref="MaskThreshold"/>: both were chosen
    /// against the old calibration's scores and maps.</param>
    /// <param name="cancellation">Stops the reading between rows and the scoring between batches
    /// (<see cref="OperationCanceledException"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or of another type, or the threshold is not finite.</exception>
    /// <exception cref="InvalidOperationException">Images that cannot be read (each named), or fewer than
    /// <see cref="SsmModel.MinimumCalibrationImages"/>.</exception>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer Recalibrate(IDataView normalImages, float? threshold = null, CancellationToken cancellation = default)
    {
        Host.CheckValue(normalImages, nameof(normalImages));
        if (threshold is { } t && !float.IsFinite(t))
            throw Host.ExceptParam(nameof(threshold), $"The threshold must be a finite number, or null for the default; got {t}.");
        ThrowIfDisposed();
        var options = Model.Options;
        using var ch = Host.Start("Calibrating SSM");
        var rows = ReadNormalRows(ch, normalImages, "calibration", "Calibrating", SsmModel.MinimumCalibrationImages, cancellation);
        int count = rows.Images.ImageCount;
        if (rows.Anomalous > 0) ch.Warning(AnomalousTrainingRows.CalibrationWarning(rows.Anomalous, count));
        if (FitWarnings.FewCalibrationImages(count, options) is { } few) ch.Warning(few);
        // Followed as a training's calibration is: minutes on large or tiled images.
        var progress = TrainingLog.Calibration(ch, count, "");
        return Around(UseModel(() => Model.Recalibrated(rows.Images, progress, cancellation: cancellation)), threshold, result =>
        {
            var calibration = result.Calibration;
            ch.Info("SSM: calibrated on {0} normal images: raw score mean {1:G4} (before: {2:G4}), std {3:G4} (before: {4:G4}); decision threshold {5:G4} ({6}).",
                count, calibration.NormalMean, Calibration.NormalMean, calibration.NormalStd, Calibration.NormalStd, result.Threshold, ThresholdUnits(ScoreNormalization, "calibration"));
            if (FitWarnings.NoSpread(calibration, recalibrated: true) is { } flat) ch.Warning(flat);
        });
    }

    /// <summary>Reads the normal images of <paramref name="rows"/> from this model's input column, as <c>Fit</c> does, and
    /// refuses fewer than <paramref name="minimum"/>; <paramref name="what"/> and <paramref name="doing"/> name them in messages.</summary>
    private NormalImageRows ReadNormalRows(IChannel ch, IDataView rows, string what, string doing, int minimum, CancellationToken cancellation)
    {
        int col = input.CheckColumn(Host, rows.Schema);
        var read = NormalImageRows.Read(Host, ch, rows, input, col, Model.Options, what, cancellation);
        int count = read.Images.ImageCount;
        if (count < minimum)
            throw new InvalidOperationException($"{doing} needs at least {minimum} normal images in column '{InputColumnName}'; got {count}.");
        return read;
    }

    /// <summary>A transformer like this one (columns, score scaling, batch size) around <paramref name="made"/>, a model of its
    /// own, with <paramref name="threshold"/> (null: its default); <paramref name="said"/> logs it. <paramref name="made"/> is
    /// disposed when either fails.</summary>
    private SsmAnomalyTransformer Around(SsmModel made, float? threshold, Action<SsmAnomalyTransformer> said)
    {
        try
        {
            var result = new SsmAnomalyTransformer(Host, made, input, ScoreColumnName, PredictedLabelColumnName, AnomalyMapColumnName,
                ScoreNormalization, threshold, ScoringBatchSize);
            said(result);
            return result;
        }
        catch
        {
            made.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A transformer whose network is this one's trained further on the normal images of <paramref name="normalImages"/> (this
    /// model's input column, as for <see cref="Transform"/>), and calibrated on a held-out share of them
    /// (<see cref="SsmTrainer.FineTune"/>): for normal images the network restores worse than its training images (a moved
    /// part or camera, a new batch or variant of the product), in a fraction of a training's time. Where the network still
    /// restores them and only the scores moved, <see cref="Recalibrate"/> is enough and takes seconds. The network is trained
    /// on these rows alone: give the old normal images with the new ones when both must stay normal. The network's shape, its
    /// input and its scoring are this model's; <paramref name="options"/> set the schedule. Progress goes to the log as in
    /// <c>Fit</c>. The result owns its own network: dispose it as well as this one. Saving it saves the fine-tuned network,
    /// with the fine-tuning recorded (<see cref="SsmModel.FineTunings"/>).
    /// </summary>
    /// <param name="normalImages">Rows of normal images only (at least <see cref="SsmTrainer.MinimumImages"/>); every row is read,
    /// and those that cannot be are an error naming each, as in <c>Fit</c>.</param>
    /// <param name="options">Epochs, learning rate, threshold and the rest; null: the defaults of <see cref="SsmFineTuningOptions"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or of another type, or an option is out of range
    /// (the message names it).</exception>
    /// <exception cref="InvalidOperationException">Images that cannot be read (each named), or fewer than <see cref="SsmTrainer.MinimumImages"/>.</exception>
    /// <exception cref="OperationCanceledException"><see cref="SsmFineTuningOptions.Cancellation"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">This transformer was disposed.</exception>
    public SsmAnomalyTransformer FineTune(IDataView normalImages, SsmFineTuningOptions? options = null)
    {
        Host.CheckValue(normalImages, nameof(normalImages));
        var o = options?.Copy() ?? new SsmFineTuningOptions();
        ThrowIfDisposed();
        var model = Model;
        var training = o.ToTraining(Host, model);
        var device = string.IsNullOrWhiteSpace(o.Device) ? model.Device
            : SsmDevice.Resolve(Host, o.Device, $"{nameof(SsmFineTuningOptions)}.{nameof(SsmFineTuningOptions.Device)}", "keep the model's");
        using var ch = Host.Start("Fine-tuning SSM");
        var rows = ReadNormalRows(ch, normalImages, "fine-tuning", "Fine-tuning", SsmTrainer.MinimumImages, o.Cancellation);
        int count = rows.Images.ImageCount;
        var tuningOptions = model.Options with { Training = training };
        var (heldOut, networkEntries, memory) = TrainingLog.Plan(tuningOptions, device, count);
        ch.Info("SSM: fine-tuning on {0} images ({1} for the network, {2} held out to calibrate), {3}{4} from learning rate {5:G3}, device {6}{7}.",
            count, count - heldOut, heldOut, training.Epochs is 1 ? "1 epoch" : $"{training.Epochs} epochs",
            TrainingLog.OrBudget(training.TimeBudget), training.LearningRate, device, TrainingLog.AtPeak(memory));
        TrainingLog.WarnBeforeRun(ch, rows, input, tuningOptions, memory, heldOut, fineTuning: true);
        var tuned = UseModel(() => TrainingLog.Run(Host, ch, tuningOptions, device, networkEntries, heldOut, o.Cancellation, fineTuning: true,
            (progress, steps, calibrating, cancellation) => SsmTrainer.FineTune(model, rows.Images, training, progress, device, cancellation, steps, calibrating)));
        return Around(tuned, o.Threshold, result =>
        {
            TrainingLog.Calibrated(ch, tuned);
            TrainingLog.Threshold(ch, result);
        });
    }
}
