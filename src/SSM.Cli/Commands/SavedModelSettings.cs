using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SSM.Cli.Commands;

/// <summary>Options of the commands that score with a saved model (evaluate, predict): the model and its thresholds.</summary>
public class SavedModelSettings : ModelSettings
{
    [CommandArgument(0, "<MODEL>")]
    [Description("model.zip written by ssm train or evaluate, or by the ML.NET API from image paths or image bytes.")]
    public string Model { get; set; } = "";

    [CommandOption("--threshold <SCORE>")]
    [Description("Decision threshold on the score (default: the model's own).")]
    public float? Threshold { get; set; }

    [CommandOption("--mask-threshold <MAP_VALUE>")]
    [Description("Anomaly-map value from which predicted masks and heat-map contours mark a pixel, in every image (default: the model's own; " +
                 "for a new model, where each image's verdict lies); 'none' goes back to the verdict's line. evaluate suggests one: its 'pixel F1-max' row.")]
    public string? MaskThresholdText { get; set; }

    /// <summary>What --mask-threshold asks for: null when not given; a value, or (for 'none') null inside, to set.</summary>
    public MaskThresholdChoice? MaskThreshold => MaskThresholdText is null ? null
        : ReadMaskThreshold(MaskThresholdText) ?? throw new InvalidOperationException($"--mask-threshold was not validated: '{MaskThresholdText}'.");

    /// <summary>'none' (any case) or a finite number; null for anything else.</summary>
    private static MaskThresholdChoice? ReadMaskThreshold(string text) =>
        text.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? new MaskThresholdChoice(null)
        : float.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float value) && float.IsFinite(value)
            ? new MaskThresholdChoice(value) : null;

    public override ValidationResult Validate()
    {
        var common = base.Validate();
        if (!common.Successful) return common;
        // A score is a float: 1e40 reads as Infinity, so the limit is said beside what was read.
        if (Threshold is { } t && !float.IsFinite(t)) return ValidationResult.Error($"--threshold must be a finite number (got {t}; a score's largest size is {float.MaxValue:G3}).");
        if (MaskThresholdText is { } m && ReadMaskThreshold(m) is null)
            return ValidationResult.Error($"--mask-threshold must be a finite number, or 'none' for the verdict's line (got '{m}').");
        return ValidationResult.Success();
    }
}

/// <param name="Value">The mask threshold to set; null for none (masks where each image's verdict lies).</param>
public readonly record struct MaskThresholdChoice(float? Value);
