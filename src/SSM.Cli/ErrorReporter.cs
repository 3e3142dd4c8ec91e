using Spectre.Console;
using Spectre.Console.Cli;

namespace SSM.Cli;

/// <summary>A failure the user can fix (bad input, missing files): reported as one message, exit code 1.</summary>
public sealed class CliException(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>1, or 2 for a command line that cannot work whatever the files hold (options that contradict each other),
    /// as Spectre's own usage errors.</summary>
    public int ExitCode { get; init; } = 1;
}

/// <summary>A command stopped by Ctrl+C or SIGTERM that kept something worth saying (where a training can continue from):
/// exit code 130 (143 for SIGTERM), as any stop.</summary>
public sealed class StoppedException(string message, Exception inner, bool someOutputWritten = false) : OperationCanceledException(message, inner)
{
    /// <summary>Whether parts of the command's work were finished and written before it stopped (<c>train --each-category</c>'s
    /// categories done before the stop).</summary>
    public bool SomeOutputWritten { get; } = someOutputWritten;
}

/// <summary>Turns any exception into one readable line (no stack trace) and an exit code.</summary>
internal static class ErrorReporter
{
    /// <summary>Exit code of a command stopped by Ctrl+C or by its caller's token (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;

    /// <summary>Exit code of a command stopped by SIGTERM (128 + 15), as a shell reports a process that signal ended.</summary>
    public const int Terminated = 143;

    /// <summary>Exit code of a command line that cannot run (a missing command, an unknown option), as Spectre's own.</summary>
    public const int Usage = 2;

    /// <summary>Exit code of a run that did all its work but failed the check a script asked for (<c>predict
    /// --fail-on-anomaly</c>, <c>evaluate --min-image-auroc</c>): not 1 (an error) or 2 (a mistyped command), so a script
    /// tells a flagged part or a worse model from a broken run.</summary>
    public const int CheckFailed = 3;

    /// <summary>Exit code of <c>predict --fail-on-anomaly --keep-going</c> when nothing was flagged but some files could not be
    /// read: a camera or copy to look at, not a part to reject (3, a flagged image, decides when both happen).</summary>
    public const int SomeUnreadable = 4;

    public static int ExitCode(Exception ex) => ex switch
    {
        OperationCanceledException => Cancelled,
        CommandParseException or CommandRuntimeException => Usage,
        CliException cli => cli.ExitCode,
        _ => 1,
    };

    public static void Write(IAnsiConsole console, Exception ex, IReadOnlyList<string>? args = null) => WriteLine(console, Message(ex, args));

    /// <summary>Writes <paramref name="message"/> as every error is said: "error:" and the message, shown, not obeyed.</summary>
    public static void WriteLine(IAnsiConsole console, string message) => console.MarkupLine($"[red]error:[/] {TerminalText.Markup(message)}");

    /// <summary>The one line <see cref="Write"/> prints for <paramref name="ex"/>, without "error:".</summary>
    public static string Message(Exception ex, IReadOnlyList<string>? args = null) => ex switch
    {
        StoppedException { SomeOutputWritten: true } stopped => $"stopped before it finished. {stopped.Message}",
        StoppedException stopped => $"stopped before it finished; no output was written. {stopped.Message}",
        OperationCanceledException => "stopped before it finished; no output was written.",
        CommandParseException or CommandRuntimeException when ConversionFailure(ex.Message, args) is { } named => named,
        CommandParseException or CommandRuntimeException when UnknownCommand(ex.Message) is { } suggested => suggested,
        CommandParseException or CommandRuntimeException when UnknownOption(ex.Message, args) is { } suggested => suggested,
        CliException or CommandParseException or CommandRuntimeException => ex.Message,
        FileNotFoundException or DirectoryNotFoundException or InvalidDataException => ex.Message,
        _ => $"{ex.GetType().Name}: {Innermost(ex).Message}",
    };

    /// <summary>Spectre says "Failed to convert 'abc' to Int32." without the option; name it from the arguments.</summary>
    private static string? ConversionFailure(string message, IReadOnlyList<string>? args)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, @"^Failed to convert '(.*)' to (\S+)\.$");
        if (!match.Success) return null;
        string value = match.Groups[1].Value, type = match.Groups[2].Value;
        // An option given "--" (which ends the options) as its value is converted from Spectre's name for the default command:
        // "'__default_command' is not a number" named neither.
        if (value == "__default_command") value = "--";
        int at = args is null ? -1 : Enumerable.Range(1, Math.Max(0, args.Count - 1)).FirstOrDefault(i => args[i] == value && args[i - 1].StartsWith('-'), -1);
        // An optional number (int?) is reported as "Nullable`1"; the option's own property says which number.
        if (at > 0 && type.StartsWith("Nullable", StringComparison.Ordinal) && CommandOptions.Named(args![at - 1]) is { } option) type = option.ValueType.Name;
        string expected = type is "Int32" or "Int64" ? "a whole number" : "a number";
        // A whole number too large for its type is a whole number all the same: say the limit, not the kind.
        if (type == "Int32" && System.Numerics.BigInteger.TryParse(value, out var big))
            expected = big > int.MaxValue ? $"a whole number up to {int.MaxValue}" : $"a whole number from {int.MinValue}";
        return at > 0 ? $"{args![at - 1]} expects {expected} (got '{value}')." : $"'{value}' is not {expected}.";
    }

    /// <summary>The commands, for "did you mean" after a slip ("trian").</summary>
    private static readonly string[] Commands = ["generate", "train", "evaluate", "predict", "info"];

    /// <summary>Spectre's "Unknown command 'trian'." with the nearest command, when one is a slip of the keyboard away.</summary>
    private static string? UnknownCommand(string message)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, @"^Unknown command '(.+)'\.$");
        if (!match.Success) return null;
        return Inputs.NearMatch.Nearest(match.Groups[1].Value.ToLowerInvariant(), Commands) is { } nearest ? $"{message} Did you mean '{nearest}'?" : null;
    }

    /// <summary>Spectre's "Unknown option 'epoch'." with the command's nearest option, when one is a slip away ("--epochs").</summary>
    private static string? UnknownOption(string message, IReadOnlyList<string>? args)
    {
        var match = System.Text.RegularExpressions.Regex.Match(message, @"^Unknown option '(.+)'\.$");
        if (!match.Success || args is not [var command, ..]) return null;
        // Spectre drops the dashes: the names are compared without them.
        return Inputs.NearMatch.Nearest(match.Groups[1].Value.ToLowerInvariant(), CommandOptions.LongNamesOf(command).Order(StringComparer.Ordinal), o => o[2..])
            is { } nearest ? $"{message} Did you mean '{nearest}'?" : null;
    }

    /// <summary>The cause inside reflection and task wrappers (ML.NET's loader calls constructors by reflection).</summary>
    internal static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null && ex is System.Reflection.TargetInvocationException or AggregateException) ex = ex.InnerException;
        return ex;
    }
}
