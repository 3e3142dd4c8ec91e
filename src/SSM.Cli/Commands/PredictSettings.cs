using System.ComponentModel;
using Spectre.Console.Cli;

namespace SSM.Cli.Commands;

/// <summary>Options of <c>ssm predict</c>.</summary>
public sealed class PredictSettings : SavedModelSettings
{
    [CommandArgument(1, "<INPUT>")]
    [Description("An image file or a folder of images (its subfolders too with --recursive).")]
    public string Input { get; set; } = "";

    [CommandOption("-r|--recursive")]
    [Description("Also score the images of every subfolder, at any depth (hidden folders and links to folders are not " +
                 "searched); their heat maps go to the same subfolders of the output.")]
    public bool Recursive { get; set; }

    [CommandOption("--keep-going")]
    [Description("Score every image that can be read when some cannot: those are named in a warning and listed in " +
                 "predictions.csv with the label 'unreadable'. Default: stop and list them, writing nothing.")]
    public bool KeepGoing { get; set; }

    [CommandOption("--no-heatmaps")]
    [Description("Write predictions.csv only, without a heat-map picture per image (its heatmap column is left empty): " +
                 "drawing them takes about as long as scoring on a folder of photos.")]
    public bool NoHeatMaps { get; set; }

    [CommandOption("--anomalous-heatmaps")]
    [Description("Draw heat maps of the images flagged anomalous only (the others' heatmap column is left empty): a day's " +
                 "photos of a line that is mostly good take a fraction of the disk (a walkthrough: 128 MB of heat maps for 35 MB of images).")]
    public bool AnomalousHeatMapsOnly { get; set; }

    [CommandOption("--masks")]
    [Description("Also write <name>_mask.png per image: the predicted defect region at the image's own size, white where " +
                 "the anomaly map reaches the model's threshold, or its mask threshold when it has one (--mask-threshold), inside the heat " +
                 "map's white contour, and black elsewhere, " +
                 "as MVTec's ground-truth masks; predictions.csv gains a mask column. Default: no masks.")]
    public bool Masks { get; set; }

    [CommandOption("--heatmap-max-side <PIXELS>")]
    [Description("The longest side of a heat map, in pixels: larger images are drawn smaller, never enlarged. 0 = the image's " +
                 "own size (a 3-pixel pinhole in a 2048 px strip is invisible at 512). Default: 512.")]
    [DefaultValue(SSM.MLNet.SsmHeatMap.DefaultMaxSide)]
    public int HeatMapMaxSide { get; set; } = SSM.MLNet.SsmHeatMap.DefaultMaxSide;

    public override Spectre.Console.ValidationResult Validate()
    {
        var common = base.Validate();
        if (!common.Successful) return common;
        if (HeatMapMaxSide is < 0 or (> 0 and < 8))
            return Spectre.Console.ValidationResult.Error($"--heatmap-max-side must be 0 (the image's own size) or at least 8 pixels (got {HeatMapMaxSide}).");
        return NoHeatMaps && AnomalousHeatMapsOnly
            ? Spectre.Console.ValidationResult.Error("--no-heatmaps and --anomalous-heatmaps contradict each other: give one.")
            : Spectre.Console.ValidationResult.Success();
    }

    [CommandOption("--fail-on-anomaly")]
    [Description("Exit with code 3 when any image is flagged, after writing every output as usual " +
                 "(with --keep-going: 4 when none is flagged but some could not be read): a line script's pass/fail without " +
                 "reading the CSV. Default: exit 0 whatever was flagged.")]
    public bool FailOnAnomaly { get; set; }
}
