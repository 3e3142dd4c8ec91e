using Spectre.Console;

namespace SSM.Cli;

/// <summary>
/// Where a command's warnings go. On the terminal that is standard error, with the errors: a warning is about the run,
/// not one of its results, so <c>ssm predict ... &gt; log.txt</c> still shows it and a script reading standard output
/// never parses one.
/// </summary>
public sealed class Warnings(IAnsiConsole console)
{
    public void Write(string text) => console.MarkupLine($"[yellow]warning:[/] {TerminalText.Markup(text)}");
}
