using System.Diagnostics;

namespace SSM.Cli.Tests;

/// <summary>Starts a process, captures its output, kills it (only it) on timeout.</summary>
public static class ProcessRunner
{
    public static (int Code, string Output) Run(string file, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null,
        Dictionary<string, string>? environment = null)
    {
        var (code, stdout, stderr) = RunStreams(file, args, timeout, workingDirectory, environment);
        return (code, stdout + stderr);
    }

    /// <summary>As <see cref="Run"/>, with standard output and standard error apart.</summary>
    public static (int Code, string StdOut, string StdErr) RunStreams(string file, IEnumerable<string> args, TimeSpan timeout,
        string? workingDirectory = null, Dictionary<string, string>? environment = null)
    {
        using var process = Process.Start(StartInfo(file, args, workingDirectory, environment))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeout}.");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, string? workingDirectory = null,
        Dictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        if (workingDirectory is not null) info.WorkingDirectory = workingDirectory;
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (k, v) in environment ?? []) info.Environment[k] = v;
        return info;
    }
}
