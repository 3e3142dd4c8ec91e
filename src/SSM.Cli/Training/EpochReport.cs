using System.Globalization;
using System.Text.RegularExpressions;

namespace SSM.Cli.Training;

/// <summary>One training epoch, parsed from the estimator's progress message on <c>MLContext.Log</c>.</summary>
public sealed partial record EpochReport(int Epoch, int Planned, double Loss, double Mse, double MsGms, double Ssim, TimeSpan Elapsed, TimeSpan Remaining)
{
    [GeneratedRegex(@"epoch (\d+)/(\d+) loss ([-\d.,eE+]+) \(mse ([-\d.,eE+]+), ms-gms ([-\d.,eE+]+), ssim ([-\d.,eE+]+)\).*elapsed (?:(\d+):)?(\d+):(\d+) remaining (?:(\d+):)?(\d+):(\d+)")]
    private static partial Regex Pattern();

    [GeneratedRegex(@"^SSM step: epoch (\d+)/(\d+) step (\d+)/(\d+)$")]
    private static partial Regex StepPattern();

    [GeneratedRegex(@"^SSM calibration: (\d+)/(\d+)$")]
    private static partial Regex CalibrationPattern();

    /// <summary>Parses "SSM calibration: 40/76" (held-out images scored by the calibration after training, a Trace message); null otherwise.</summary>
    public static (int Scored, int Total)? TryParseCalibration(string message)
    {
        var m = CalibrationPattern().Match(message);
        return m.Success ? (int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)) : null;
    }

    /// <summary>Parses "SSM step: epoch 1/105 step 40/190" (the model's progress within an epoch, a Trace message); null otherwise.</summary>
    public static (int Epoch, int Planned, int Step, int Steps)? TryParseStep(string message)
    {
        var m = StepPattern().Match(message);
        if (!m.Success) return null;
        int At(int group) => int.Parse(m.Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture);
        return At(4) > 0 ? (At(1), At(2), At(3), At(4)) : null;
    }

    /// <summary>
    /// Parses "SSM: epoch 3/20 loss 0.1234 (mse ..., ms-gms ..., ssim ...) lr ... elapsed 00:04 remaining 1:00:21" (times as
    /// <see cref="SSM.Core.Training.TrainingProgress.Clock"/> writes them); null otherwise.
    /// </summary>
    public static EpochReport? TryParse(string message)
    {
        var m = Pattern().Match(message);
        if (!m.Success) return null;
        double D(int i) => double.Parse(m.Groups[i].Value.Replace(',', '.'), CultureInfo.InvariantCulture);
        int I(int i) => m.Groups[i].Success ? int.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
        TimeSpan Clock(int i) => new(I(i), I(i + 1), I(i + 2));
        return new EpochReport(I(1), I(2), D(3), D(4), D(5), D(6), Clock(7), Clock(10));
    }
}
