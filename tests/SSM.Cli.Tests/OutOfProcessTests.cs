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
    public void BadInput_AsAProcess_ExitsNonZero_WithoutStackTrace()
    {
        var (code, text) = ProcessRunner.Run("dotnet", [Ssm, "train", Path.Combine(fx.Root, "no-such-folder")], TimeSpan.FromMinutes(1));
        Assert.Equal(1, code);
        Assert.Contains("does not exist", text);
        Assert.False(Cli.HasStackTrace(text), text);
    }
}
