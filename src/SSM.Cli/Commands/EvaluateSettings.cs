using System.ComponentModel;
using Spectre.Console.Cli;

namespace SSM.Cli.Commands;

/// <summary>Options of <c>ssm evaluate</c>.</summary>
public sealed class EvaluateSettings : SavedModelSettings
{
    [CommandArgument(1, "<DATA>")]
    [Description("Dataset folder in MVTec layout with a test/ folder, or a labels CSV (path and label columns).")]
    public string Data { get; set; } = "";
}
