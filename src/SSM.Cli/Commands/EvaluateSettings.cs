using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SSM.Cli.Commands;

/// <summary>Options of <c>ssm evaluate</c>.</summary>
public sealed class EvaluateSettings : SavedModelSettings
{
    [CommandArgument(1, "<DATA>")]
    [Description("Dataset folder in MVTec layout with a test/ folder, a labels CSV (path and label columns), or a folder of good images alone (the threshold for each false-alarm budget; no AUROC).")]
    public string Data { get; set; } = "";

    [CommandOption("--min-image-auroc <AUROC>")]
    [Description("A nightly job's gate: exit with code 3, after writing every output, when image AUROC is below this (0 to 1) " +
                 "or cannot be measured (a test set of one kind). Default: none (exit 0 whatever the figures).")]
    public double? MinImageAuroc { get; set; }

    [CommandOption("--calibrate-on <FOLDER>")]
    [Description("Calibrate the model on the good images of this folder and its subfolders before scoring, instead of the images its training held out: " +
                 "after a change of lamp or camera, or with more good images than the training had. The network is not retrained; " +
                 "the copy written keeps the new calibration. They must be images the network was not trained on, and none of the test set.")]
    public string? CalibrateOn { get; set; }

    public override ValidationResult Validate()
    {
        var common = base.Validate();
        if (!common.Successful) return common;
        if (MinImageAuroc is { } m && !(m >= 0 && m <= 1))
            return ValidationResult.Error($"--min-image-auroc must be between 0 and 1 (got {m.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
        return ValidationResult.Success();
    }
}
