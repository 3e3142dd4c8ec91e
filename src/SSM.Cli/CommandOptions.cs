using System.Reflection;
using Spectre.Console.Cli;

namespace SSM.Cli;

/// <summary>Every command's options by the names a command line spells them (<c>"--output"</c>, <c>"-o"</c>), read once
/// from the settings classes' <see cref="CommandOptionAttribute"/>s: what an error message or a check of the arguments
/// needs to know of an option before Spectre has parsed them.</summary>
internal static class CommandOptions
{
    /// <summary>An option: its long form (<c>"--output"</c>; a short one when it has none) and its value's type without
    /// Nullable (<see cref="bool"/> for a switch).</summary>
    public readonly record struct Option(string Canonical, Type ValueType);

    private static readonly Lazy<Dictionary<string, Option>> Names = new(() =>
    {
        var names = new Dictionary<string, Option>(StringComparer.Ordinal);
        foreach (var property in typeof(CommandOptions).Assembly.GetTypes().SelectMany(t => t.GetProperties()))
        {
            if (property.GetCustomAttribute<CommandOptionAttribute>() is not { } option) continue;
            var found = new Option(option.LongNames.Count > 0 ? "--" + option.LongNames[0] : "-" + option.ShortNames[0],
                Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType);
            // The first declaration of a name wins, whichever command's, as it always has for the error messages.
            foreach (string name in option.LongNames) names.TryAdd("--" + name, found);
            foreach (string name in option.ShortNames) names.TryAdd("-" + name, found);
        }
        return names;
    });

    /// <summary>The option <paramref name="name"/> names (<c>"--epochs"</c>, <c>"-o"</c>) in any command, or null.</summary>
    public static Option? Named(string name) => Names.Value.TryGetValue(name, out var option) ? option : null;

    /// <summary>The long names (<c>"--epochs"</c>) of the options <paramref name="command"/> takes (<c>"train"</c>: those of
    /// <c>TrainSettings</c> and the settings it inherits); empty for an unknown command.</summary>
    public static IEnumerable<string> LongNamesOf(string command)
    {
        if (command.Length == 0) return [];
        var settings = typeof(CommandOptions).Assembly.GetType($"SSM.Cli.Commands.{char.ToUpperInvariant(command[0])}{command[1..].ToLowerInvariant()}Settings");
        return settings?.GetProperties().Select(p => p.GetCustomAttribute<CommandOptionAttribute>()).OfType<CommandOptionAttribute>()
            .SelectMany(o => o.LongNames.Select(n => "--" + n)) ?? [];
    }
}
