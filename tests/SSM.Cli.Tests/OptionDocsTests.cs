using System.Reflection;
using Spectre.Console.Cli;

namespace SSM.Cli.Tests;

/// <summary>Every option of every command is named in the command line's README (beside `--help`'s one line), so that a
/// new option cannot land undocumented.</summary>
public sealed class OptionDocsTests
{
    [Fact]
    public void EveryOption_IsNamedInTheReadme()
    {
        string readme = File.ReadAllText(Path.Combine(ConsumeModelTests.RepoRoot(), "src", "SSM.Cli", "README.md"));
        var settings = typeof(CliApp).Assembly.GetTypes().Where(t => typeof(CommandSettings).IsAssignableFrom(t) && !t.IsAbstract).ToList();
        var options = settings.SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            .SelectMany(p => p.GetCustomAttributes<CommandOptionAttribute>()).SelectMany(a => a.LongNames).Distinct().ToList();
        Assert.Contains("anomalous-heatmaps", options);   // the reflection finds them
        var missing = options.Where(o => !readme.Contains($"--{o}", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "options the command line's README does not name: " + string.Join(", ", missing.Select(o => "--" + o)));
    }
}
