using Spectre.Console;
using Spectre.Console.Cli;

namespace SSM.Cli;

/// <summary>A failure the user can fix (bad input, missing files): reported as one message, exit code 1.</summary>
public sealed class CliException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Turns any exception into one readable line (no stack trace) and an exit code.</summary>
internal static class ErrorReporter
{
    public static int ExitCode(Exception ex) => ex is CommandParseException or CommandRuntimeException ? 2 : 1;

    public static void Write(IAnsiConsole console, Exception ex)
    {
        string message = ex switch
        {
            CliException or CommandParseException or CommandRuntimeException => ex.Message,
            FileNotFoundException or DirectoryNotFoundException or InvalidDataException => ex.Message,
            _ => $"{ex.GetType().Name}: {Innermost(ex).Message}",
        };
        console.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null && ex is System.Reflection.TargetInvocationException or AggregateException) ex = ex.InnerException;
        return ex;
    }
}
