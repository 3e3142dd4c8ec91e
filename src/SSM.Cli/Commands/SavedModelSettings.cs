using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SSM.Cli.Commands;

/// <summary>Options of the commands that score with a saved model (evaluate, predict): the model and its thresholds.</summary>
public class SavedModelSettings : ModelSettings
{
    [CommandArgument(0, "<MODEL>")]
    [Description("model.zip written by ssm train.")]
    public string Model { get; set; } = "";

    [CommandOption("--threshold <SCORE>")]
    [Description("Decision threshold on the score (default: the model's own).")]
    public float? Threshold { get; set; }

    [CommandOption("--mask-threshold <MAP_VALUE>")]
    [Description("Anomaly-map value from which predicted masks and heat-map contours mark a pixel, in every image (default: the model's own; " +
                 "for a new model, where each image's verdict lies). evaluate suggests one: its 'pixel F1-max' row.")]
    public float? MaskThreshold { get; set; }

    public override ValidationResult Validate()
    {
        var common = base.Validate();
        if (!common.Successful) return common;
        if (Threshold is { } t && !float.IsFinite(t)) return ValidationResult.Error($"--threshold must be a finite number (got {t}).");
        if (MaskThreshold is { } m && !float.IsFinite(m)) return ValidationResult.Error($"--mask-threshold must be a finite number (got {m}).");
        return ValidationResult.Success();
    }
}
