using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SSM.Cli.Commands;

/// <summary>Options of <c>ssm train</c>.</summary>
public sealed class TrainSettings : CommonSettings
{
    [CommandArgument(0, "<DATA>")]
    [Description("Dataset folder in MVTec layout (train/good, test/<class>, ground_truth/<class>) or a plain folder of good images.")]
    public string Data { get; set; } = "";

    [CommandOption("--image-size <PIXELS>")]
    [Description("Side the images are resized to (a multiple of 8).")]
    [DefaultValue(64)]
    public int ImageSize { get; set; } = 64;

    [CommandOption("--width <CHANNELS>")]
    [Description("Width of the first network level (doubles per level).")]
    [DefaultValue(16)]
    public int Width { get; set; } = 16;

    [CommandOption("--depth <LEVELS>")]
    [Description("Levels of the network.")]
    [DefaultValue(4)]
    public int Depth { get; set; } = 4;

    [CommandOption("--epochs <N>")]
    [Description("Passes over the training images.")]
    [DefaultValue(40)]
    public int Epochs { get; set; } = 40;

    [CommandOption("--time-budget <MINUTES>")]
    [Description("Stop training after this many minutes even if the epochs are not done.")]
    public double? TimeBudget { get; set; }

    [CommandOption("--channels <N>")]
    [Description("1 = grayscale (every image is converted), 3 = colour.")]
    [DefaultValue(1)]
    public int Channels { get; set; } = 1;

    public override ValidationResult Validate()
    {
        var common = base.Validate();
        if (!common.Successful) return common;
        int multiple = 1 << Math.Max(0, Depth - 1);
        if (ImageSize < 8 || ImageSize % multiple != 0)
            return ValidationResult.Error($"--image-size must be at least 8 and a multiple of {multiple} for --depth {Depth} (got {ImageSize}).");
        if (Width < 1) return ValidationResult.Error("--width must be positive.");
        if (Depth is < 2 or > 6) return ValidationResult.Error("--depth must be between 2 and 6.");
        if (Epochs < 1) return ValidationResult.Error("--epochs must be positive.");
        if (TimeBudget is <= 0) return ValidationResult.Error("--time-budget must be a positive number of minutes.");
        if (Channels is not (1 or 3)) return ValidationResult.Error("--channels must be 1 or 3.");
        return ValidationResult.Success();
    }
}
