using System.Diagnostics;

namespace SSM.Cli.Tests;

/// <summary>Starts a process, captures its output, kills it (only it) on timeout.</summary>
public static class ProcessRunner
{
    public static (int Code, string Output) Run(string file, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null,
        Dictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in environment ?? []) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout}.");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
