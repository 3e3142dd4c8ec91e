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

    /// <summary>
    /// The enum member whose name equals <paramref name="value"/> ignoring case; null for anything else (numbers and
    /// comma lists, which <see cref="Enum.TryParse{TEnum}(string?, bool, out TEnum)"/> would accept, included).
    /// </summary>
    internal static T? ParseName<T>(string? value) where T : struct, Enum
    {
        string? name = Enum.GetNames<T>().FirstOrDefault(n => string.Equals(n, value?.Trim(), StringComparison.OrdinalIgnoreCase));
        return name is null ? null : Enum.Parse<T>(name);
    }

    /// <summary>Whether <paramref name="option"/> is among the command's <paramref name="arguments"/> (as given, not as
    /// defaulted: an option typed at its default value counts).</summary>
    internal static bool Given(IEnumerable<string> arguments, string option) =>
        arguments.Any(a => a == option || a.StartsWith(option + "=", StringComparison.Ordinal) || a.StartsWith(option + ":", StringComparison.Ordinal));

    /// <summary>"--switch must be A, B or C (any case; got 'x')."</summary>
    protected static ValidationResult Choice<T>(string option, string? value) where T : struct, Enum
    {
        string[] names = Enum.GetNames<T>();
        string list = names.Length == 1 ? names[0] : string.Join(", ", names[..^1]) + " or " + names[^1];
        return ValidationResult.Error($"{option} must be {list} (any case; got '{value}').");
    }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Output)) return ValidationResult.Error("--output must name a folder.");
        // A command writes its output beside it first (a hidden folder, then moved in place): a root has no beside.
        string full = Path.GetFullPath(Output);
        if (Path.GetPathRoot(full) == full)
            return ValidationResult.Error($"--output must name a folder below '{full}', not the root itself (got '{Output}').");
        return ValidationResult.Success();
    }
}
