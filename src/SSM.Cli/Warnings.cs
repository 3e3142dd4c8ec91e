using Spectre.Console;

namespace SSM.Cli;

/// <summary>
/// Where a command's warnings go, and the errors that do not stop it. On the terminal that is standard error, with the
/// error that stops a command: a warning is about the run, not one of its results, so <c>ssm predict ... &gt; log.txt</c>
/// still shows it and a script reading standard output never parses one.
/// </summary>
public sealed class Warnings(IAnsiConsole console)
{
    public void Write(string text) => console.MarkupLine($"[yellow]warning:[/] {TerminalText.Markup(text)}");

    /// <summary>An error the command goes on after (one category of a root failed), said as an error that stops one.</summary>
    public void Error(string text) => ErrorReporter.WriteLine(console, text);
}
