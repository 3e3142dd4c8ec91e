using System.Reflection;
using System.Text.Json;
using SSM.Cli.Outputs;

namespace SSM.Cli.Tests;

/// <summary>Scripts read metrics.json by its keys: the command line's README names every one.</summary>
public sealed class MetricsFileDocsTests
{
    [Fact]
    public void EveryKey_IsNamedInTheReadme()
    {
        // The key-by-key table itself: its rows, from its heading line to the first line after it that is not a row.
        var lines = File.ReadAllLines(Path.Combine(ConsumeModelTests.RepoRoot(), "src", "SSM.Cli", "README.md"));
        int heading = Array.FindIndex(lines, l => l.StartsWith("`metrics.json`, key by key", StringComparison.Ordinal));
        Assert.True(heading >= 0, "the README's metrics.json table is gone");
        string readme = string.Join("\n", lines.Skip(heading).SkipWhile(l => !l.StartsWith('|')).TakeWhile(l => l.StartsWith('|')));
        Type[] written = [typeof(MetricsFile), typeof(MetricsFile.FalseAlarmPoint), typeof(MetricsFile.ImageScore), typeof(SSM.Core.Evaluation.CategoryMetrics)];
        var keys = written.SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).Distinct().ToList();
        Assert.Contains("masksMarkingNothing", keys);
        var missing = keys.Where(k => !readme.Contains($"`{k}`", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "metrics.json keys the README's table does not name: " + string.Join(", ", missing));
    }
}
