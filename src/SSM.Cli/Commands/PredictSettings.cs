using System.ComponentModel;
using Spectre.Console.Cli;

namespace SSM.Cli.Commands;

/// <summary>Options of <c>ssm predict</c>.</summary>
public sealed class PredictSettings : SavedModelSettings
{
    [CommandArgument(1, "<INPUT>")]
    [Description("An image file or a folder of images (not recursive).")]
    public string Input { get; set; } = "";
}
