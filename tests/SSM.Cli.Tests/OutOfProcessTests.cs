namespace SSM.Cli.Tests;

/// <summary>The real executable, as a user runs it: redirected output, exit codes, no stack traces.</summary>
[Collection("cli")]
public sealed class OutOfProcessTests(TrainedModelFixture fx)
{
    private static string Ssm => Path.Combine(AppContext.BaseDirectory, "ssm.dll");

    [Fact]
    public void Predict_AsAProcess()
    {
        string output = Path.Combine(fx.Root, "oop-predict");
        var (code, text) = ProcessRunner.Run("dotnet", [Ssm, "predict", fx.Model, Path.Combine(fx.Data, "test", "good"), "-o", output], TimeSpan.FromMinutes(2));
        Assert.True(code == 0, text);
        Assert.True(File.Exists(Path.Combine(output, "predictions.csv")));
        Assert.Contains("predictions.csv", text);
    }

    [Fact]
    public void BadInput_AsAProcess_ExitsNonZero_WithoutStackTrace_OnStandardError()
    {
        var (code, stdout, stderr) = ProcessRunner.RunStreams("dotnet", [Ssm, "train", Path.Combine(fx.Root, "no-such-folder")], TimeSpan.FromMinutes(1));
        Assert.Equal(1, code);
        Assert.Contains("does not exist", stderr);
        Assert.DoesNotContain("does not exist", stdout);   // scripts read results from stdout and errors from stderr
        Assert.False(Cli.HasStackTrace(stdout + stderr), stdout + stderr);
    }

    [Fact]
    public void NoCommand_PrintsTheHelp_AndExitsAsAUsageError()
    {
        // A script's `ssm $command` with an empty variable must not pass as a success.
        var (code, stdout, stderr) = ProcessRunner.RunStreams("dotnet", [Ssm], TimeSpan.FromMinutes(1));
        Assert.Equal(2, code);
        Assert.Contains("USAGE:", stdout);
        Assert.Contains("no command given", stderr);
    }

    [Fact]
    // SIGTERM, handled like Ctrl+C's SIGINT: a job started in the background (as CI runners may start this test) inherits an
    // ignored SIGINT, which .NET keeps ignoring, so SIGINT could not reach the command here.
    public async Task StopSignal_DuringTraining_StopsCleanly_AndLeavesNothing()
    {
        string root = Path.Combine(fx.Root, "sigint");
        string output = Path.Combine(root, "out");
        Directory.CreateDirectory(root);
        var info = ProcessRunner.StartInfo("dotnet", [Ssm, "train", fx.Data, "--image-size", "32", "--width", "8", "--depth", "3", "--epochs", "500", "-o", output]);
        using var process = System.Diagnostics.Process.Start(info)!;
        var firstEpoch = new TaskCompletionSource();
        var stdout = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            lock (stdout) stdout.AppendLine(e.Data);
            if (e.Data?.StartsWith("epoch 1/", StringComparison.Ordinal) == true) firstEpoch.TrySetResult();
        };
        var stderr = process.StandardError.ReadToEndAsync();
        process.BeginOutputReadLine();
        try
        {
            await firstEpoch.Task.WaitAsync(TimeSpan.FromMinutes(2));   // TimeoutException: no epoch within 2 minutes
            using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString()])!) await kill.WaitForExitAsync();
            using var oneMinute = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await process.WaitForExitAsync(oneMinute.Token);   // cancelled: still running a minute after SIGTERM
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        await process.WaitForExitAsync();
        string errors = await stderr;
        string text = stdout + errors;
        Assert.Equal(143, process.ExitCode);   // 128 + SIGTERM, as a shell reports it: the supervisor sees its own stop
        Assert.Contains("no output was written", errors);
        Assert.Contains("Stopping on SIGTERM", errors);   // not "press Ctrl+C": a supervisor sent it
        Assert.False(Cli.HasStackTrace(text), text);
        Assert.DoesNotContain("epoch 500/", text);
        Assert.False(Directory.Exists(output));
        Assert.Empty(Directory.GetDirectories(root, ".out.tmp-*"));
    }
}
