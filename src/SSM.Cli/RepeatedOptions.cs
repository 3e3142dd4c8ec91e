using System.Reflection;
using Spectre.Console.Cli;

namespace SSM.Cli;

/// <summary>
/// An option given twice. Spectre keeps the last value without a word, so <c>train ... --epochs 3 ... --epochs 300</c>
/// appended by a wrapper script, or <c>-o runs/a --output runs/b</c>, would run on a value the user may not have meant.
/// </summary>
internal static class RepeatedOptions
{
    /// <summary>Each option name, long and short, of every command (<c>"--output"</c>, <c>"-o"</c>) with its long form and
    /// whether it is a switch (no value).</summary>
    private static readonly Lazy<Dictionary<string, (string Canonical, bool Switch)>> Names = new(() =>
    {
        var names = new Dictionary<string, (string, bool)>(StringComparer.Ordinal);
        foreach (var (option, type) in typeof(RepeatedOptions).Assembly.GetTypes().SelectMany(t => t.GetProperties())
                     .Select(p => (Option: p.GetCustomAttribute<CommandOptionAttribute>(), p.PropertyType)).Where(p => p.Option is not null))
        {
            string canonical = option!.LongNames.Count > 0 ? "--" + option.LongNames[0] : "-" + option.ShortNames[0];
            foreach (string name in option.LongNames) names["--" + name] = (canonical, type == typeof(bool));
            foreach (string name in option.ShortNames) names["-" + name] = (canonical, type == typeof(bool));
        }
        return names;
    });

    /// <summary>A sentence naming the first option given more than once in <paramref name="args"/>, or null.</summary>
    public static string? Find(IReadOnlyList<string> args)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);   // long form -> the spelling first given
        foreach (string arg in args.TakeWhile(a => a != "--"))
        {
            // "--epochs=3" and "--epochs:3" name the option before the separator; "-3" is a value (a negative number).
            string name = arg.Split('=', ':')[0];
            if (!name.StartsWith('-') || !Names.Value.TryGetValue(name, out var option)) continue;
            string canonical = option.Canonical;
            if (seen.TryGetValue(canonical, out string? first))
                return $"{(first == name ? name : $"{first} and {name}")} given twice: give {canonical} once" +
                       (option.Switch ? "." : " (the command would use the last value without a word).");
            seen[canonical] = name;
        }
        return null;
    }
}
