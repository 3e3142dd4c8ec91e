using Microsoft.ML;
using SSM.Core.Data;

namespace SSM.MLNet.Tests;

/// <summary>Training whose calibration cannot be trusted says so in the MLContext's log, as a warning.</summary>
public sealed class CalibrationWarningTests
{
    private const int Size = TinyVectorRow.Size;

    private static List<string> Warnings(IEnumerable<float[]> images) => FitWarnings.Of(context =>
        context.Transforms.DetectAnomaliesSsm(FitWarnings.TinyVectorOptions(Size)).Fit(TinyVectorRow.Load(context, images)));

    [Fact]
    public void Copies_of_one_image_warn_that_scores_mean_nothing()
    {
        var image = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = Size, TrainCount = 1, TestGoodCount = 0, TestDefectCount = 0 }).Train[0].Pixels;
        var warnings = Warnings(Enumerable.Repeat(image, 6));
        Assert.Contains(warnings, w => w.StartsWith("SSM: the 2 held-out images all score", StringComparison.Ordinal) && w.Contains("copies of one image"));
        Assert.Contains(warnings, w => w.StartsWith("SSM: only 2 held-out images calibrate the threshold", StringComparison.Ordinal)
                                       && w.Contains(nameof(SsmAnomalyDetectionOptions.HoldoutFraction)));
    }

    [Fact]
    public void The_few_held_out_warning_says_what_few_images_turn_off()
    {
        var options = new SSM.Core.SsmOptions();
        Assert.Null(SSM.MLNet.FitWarnings.FewHeldOut(SsmAnomalyEstimator.MinCalibrationImages, 100, options));
        Assert.EndsWith("raise HoldoutFraction (the correction for the images' sizes is off below 10).", SSM.MLNet.FitWarnings.FewHeldOut(3, 30, options));
        Assert.EndsWith("(the correction for the images' sizes is off below 10, the anomaly maps' standardisation below 3).",
            SSM.MLNet.FitWarnings.FewHeldOut(2, 20, options));
        var fixedSize = options with { Scoring = options.Scoring with { SizeCorrection = false } };
        Assert.EndsWith("raise HoldoutFraction.", SSM.MLNet.FitWarnings.FewHeldOut(3, 30, fixedSize));
        Assert.EndsWith("(the anomaly maps' standardisation is off below 3).", SSM.MLNet.FitWarnings.FewHeldOut(2, 20, fixedSize));
        // 4 images at 0.8 would hold out 3, but 2 must train: raising the fraction is no advice then.
        string capped = SSM.MLNet.FitWarnings.FewHeldOut(2, 4, options with { Training = options.Training with { HoldoutFraction = 0.8 } })!;
        Assert.Contains("add normal images (HoldoutFraction 0.8 would hold out more of these 4, but at least 2 must train the network)", capped);
        Assert.DoesNotContain("raise", capped);
    }

    /// <summary>The system stops a process that runs out of memory without a word from it: a training estimated to need
    /// most of the machine is warned of before it starts, naming the options that need less.</summary>
    [Fact]
    public void A_training_near_or_over_the_machine_s_memory_is_warned_of()
    {
        var options = new SSM.Core.SsmOptions { ImageSize = 1024 };
        long estimate = SSM.Core.Training.TrainingMemory.EstimateBytes(options, bfloat16: true);
        Assert.Null(SSM.MLNet.FitWarnings.Memory(options, estimate, machine: 2 * estimate));
        string nearly = SSM.MLNet.FitWarnings.Memory(options, estimate, machine: estimate * 11 / 10)!;
        Assert.Contains("nearly all of this machine's", nearly);
        string over = SSM.MLNet.FitWarnings.Memory(options, estimate, machine: estimate / 2)!;
        Assert.StartsWith("SSM: training at 1024x1024 (network width 16, batches of 4) takes about", over);
        Assert.Contains("more than this machine's", over);
        foreach (string option in new[] { nameof(SsmAnomalyDetectionOptions.ImageSize), nameof(SsmAnomalyDetectionOptions.BatchSize), nameof(SsmAnomalyDetectionOptions.BaseWidth) })
            Assert.Contains(option, over);
    }

    [Fact]
    public void Varied_images_with_enough_held_out_give_no_warning()
    {
        var data = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = Size, TrainCount = 100, TestGoodCount = 0, TestDefectCount = 0, Seed = 4 });
        Assert.Empty(Warnings(data.Train.Select(i => i.Pixels)));   // 10 held out, each a different image
    }
}
