// Shared by QuickStart and RealFolder: their "--name value" options, each name known and each value checked, so a typo
// or a bad value stops the example with one line instead of a stack trace (or a run on the defaults).
using System.Globalization;

/// <summary>A mistake on the command line: printed as "error: ..." with exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>The options after the positional arguments.</summary>
public sealed class ExampleArgs
{
    private readonly Dictionary<string, string> values = [];

    /// <param name="args">The command line.</param>
    /// <param name="first">Index of the first option (after the positional arguments).</param>
    /// <param name="known">The option names the example reads.</param>
    public ExampleArgs(string[] args, int first, params string[] known)
    {
        for (int i = first; i < args.Length; i += 2)
        {
            if (!known.Contains(args[i])) throw new UsageException($"unknown option '{args[i]}'; the options are {string.Join(", ", known)}.");
            if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"{args[i]} needs a value.");
            values[args[i]] = args[i + 1];
        }
    }

    public int Int(string name, int fallback) => !values.TryGetValue(name, out string? v) ? fallback
        : int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n
        : throw new UsageException($"{name} expects a whole number (got '{v}').");

    /// <summary>A whole number of at least <paramref name="least"/>: checked here, since the library's message for an option
    /// out of range offers its null default, which a command line cannot give.</summary>
    public int AtLeast(string name, int least, int fallback) => Int(name, fallback) is var n && n >= least ? n
        : throw new UsageException($"{name} must be at least {least} (got {n}).");

    /// <summary>A positive number; a point is the decimal separator, and no group separators ("5,5" is refused, not 55).</summary>
    public double Positive(string name, double fallback) => !values.TryGetValue(name, out string? v) ? fallback
        : double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x) && x > 0 ? x
        : throw new UsageException($"{name} expects a positive number such as 5 or 2.5 (got '{v}').");

    public string Text(string name, string fallback) => values.GetValueOrDefault(name, fallback);
}
