using System.Diagnostics;
using System.Text.RegularExpressions;

namespace SSM.Core.Tests;

/// <summary>Runs one of TrainingChild's scenarios in a process of its own (where the library's process-wide state starts
/// fresh and nothing else computes) and reads the one line it prints.</summary>
internal static class TrainingChildProcess
{
    /// <summary>The scenario's output line matched by <paramref name="pattern"/>; fails the test, with what the child printed,
    /// when nothing matches.</summary>
    public static Match Run(string scenario, string pattern, string? nativeHeap = null)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "TrainingChild.dll"), scenario])
        { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment.Remove("SSM_NATIVE_HEAP");
        if (nativeHeap is not null) start.Environment["SSM_NATIVE_HEAP"] = nativeHeap;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var m = Regex.Match(output, pattern);
        Assert.True(m.Success, $"TrainingChild {scenario} printed: {output}{error.Result}");
        return m;
    }
}
