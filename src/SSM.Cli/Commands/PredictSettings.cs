using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SSM.Cli.Commands;

/// <summary>Options of <c>ssm predict</c>.</summary>
public sealed class PredictSettings : SavedModelSettings
{
    [CommandArgument(1, "<INPUT>")]
    [Description("An image file or a folder of images (not recursive).")]
    public string Input { get; set; } = "";

    [CommandOption("--keep-going")]
    [Description("Score every image that can be read when some cannot: those are named in a warning and listed in " +
                 "predictions.csv with the label 'unreadable'. Default: stop and list them, writing nothing.")]
    public bool KeepGoing { get; set; }

    public override ValidationResult Validate()
    {
        var common = base.Validate();
        if (!common.Successful) return common;
        // The heat maps are PNG files: written into the input folder, the next run on it would score them as images.
        if (!string.IsNullOrWhiteSpace(Input) && Directory.Exists(Input) && SameFolder(Input, Output))
            return ValidationResult.Error($"--output '{FullFolder(Output)}' is the input folder: the heat maps (*_heatmap.png) " +
                                          "would be scored as images by the next run on it. Give another --output folder.");
        return ValidationResult.Success();
    }
}
