using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace SSM.Cli.Commands;

/// <summary>Options every command shares.</summary>
public class CommonSettings : CommandSettings
{
    [CommandOption("-o|--output <FOLDER>")]
    [Description("Output folder (created; existing files of the same name are replaced).")]
    [DefaultValue("ssm-output")]
    public string Output { get; set; } = "ssm-output";

    [CommandOption("--seed <SEED>")]
    [Description("Random seed.")]
    [DefaultValue(0)]
    public int Seed { get; set; }

    [CommandOption("--device <DEVICE>")]
    [Description("cpu or cuda.")]
    [DefaultValue("cpu")]
    public string Device { get; set; } = "cpu";

    public override ValidationResult Validate()
    {
        if (Device is not ("cpu" or "cuda") && !Device.StartsWith("cuda:", StringComparison.Ordinal))
            return ValidationResult.Error($"--device must be cpu or cuda (got '{Device}').");
        if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("--output must name a folder.");
        return ValidationResult.Success();
    }

    /// <summary>The TorchSharp device string.</summary>
    public string TorchDevice => Device == "cuda" ? "cuda:0" : Device;
}
