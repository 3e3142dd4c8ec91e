namespace SSM.Cli;

/// <summary>
/// An option given twice. Spectre keeps the last value without a word, so <c>train ... --epochs 3 ... --epochs 300</c>
/// appended by a wrapper script, or <c>-o runs/a --output runs/b</c>, would run on a value the user may not have meant.
/// </summary>
internal static class RepeatedOptions
{
    /// <summary>A sentence naming the first option given more than once in <paramref name="args"/>, or null.</summary>
    public static string? Find(IReadOnlyList<string> args)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);   // long form -> the spelling first given
        foreach (string arg in args.TakeWhile(a => a != "--"))
        {
            // "--epochs=3" and "--epochs:3" name the option before the separator; "-3" is a value (a negative number).
            string name = arg.Split('=', ':')[0];
            // An option of several values (--add-good) is given once per value.
            if (!name.StartsWith('-') || CommandOptions.Named(name) is not { } option || option.ValueType.IsArray) continue;
            string canonical = option.Canonical;
            if (seen.TryGetValue(canonical, out string? first))
                return $"{(first == name ? name : $"{first} and {name}")} given twice: give {canonical} once" +
                       (option.ValueType == typeof(bool) ? "." : " (the command would use the last value without a word).");
            seen[canonical] = name;
        }
        return null;
    }
}
