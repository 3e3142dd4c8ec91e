using System.ComponentModel;
using Spectre.Console.Cli;

namespace SSM.Cli.Commands;

/// <summary>Options of <c>ssm info</c>: it only reads, so it has no output folder.</summary>
public sealed class InfoSettings : CommandSettings
{
    [CommandArgument(0, "<MODEL>")]
    [Description("model.zip written by ssm train or evaluate.")]
    public string Model { get; set; } = "";

    [CommandOption("--json")]
    [Description("Write the facts as one JSON object (under the key names metrics.json uses) instead of a table, for a script.")]
    public bool Json { get; set; }
}
