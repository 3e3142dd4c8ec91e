using System.Globalization;
using SSM.Core;

namespace SSM.Cli.Running;

/// <summary>
/// The <c>settings</c> of metrics.json and the report, from the engine's options: <c>train</c> lists those it trains with,
/// <c>evaluate</c> those its model was trained with (saved in the model), under the same names.
/// </summary>
internal static class SettingsRows
{
    /// <param name="epochs">The epochs planned (train) or run (a saved model's options hold the number its training resolved).</param>
    /// <param name="machine">What only the training command knows, listed after the seed: device, time budget.</param>
    /// <param name="precisionUsed">What <see cref="NetworkPrecision.Auto"/> chose where the training ran; unknown for a saved model.</param>
    public static Dictionary<string, string> Of(SsmOptions o, int? epochs, (string Key, string Value)[] machine, string? precisionUsed)
    {
        var rows = new Dictionary<string, string>
        {
            ["imageSize"] = o.ImageSize.ToString(CultureInfo.InvariantCulture), ["width"] = o.Network.BaseWidth.ToString(CultureInfo.InvariantCulture),
            ["depth"] = o.Network.Depth.ToString(CultureInfo.InvariantCulture),
        };
        if (epochs is { } e) rows["epochs"] = e.ToString(CultureInfo.InvariantCulture);
        rows["learningRate"] = o.Training.LearningRate.ToString("R", CultureInfo.InvariantCulture);
        rows["batchSize"] = o.Training.BatchSize.ToString(CultureInfo.InvariantCulture);
        rows["holdout"] = o.Training.HoldoutFraction.ToString("R", CultureInfo.InvariantCulture);
        rows["channels"] = o.Network.InputChannels.ToString(CultureInfo.InvariantCulture);
        rows["seed"] = o.Training.Seed.ToString(CultureInfo.InvariantCulture);
        foreach (var (key, value) in machine) rows[key] = value;
        rows["normalization"] = o.Normalization.ToString();
        rows["error"] = o.Scoring.Error.ToString();
        rows["scoreError"] = o.Scoring.ImageScoreError.ToString();
        rows["standardizeMaps"] = o.Scoring.StandardizeMaps ? "true" : "false";
        rows["rounds"] = o.Scoring.RefinementRounds.ToString(CultureInfo.InvariantCulture);
        rows["sigma"] = o.Scoring.ResolveSigma(o.ImageSize).ToString("R", CultureInfo.InvariantCulture);
        rows["precision"] = o.Scoring.Precision.ToString();
        if (precisionUsed is not null) rows["precisionUsed"] = precisionUsed;
        rows["flip"] = o.Training.Flip ? "true" : "false";
        return rows;
    }
}
