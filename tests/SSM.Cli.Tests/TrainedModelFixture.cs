namespace SSM.Cli.Tests;

/// <summary>One generated dataset and one tiny model trained through `ssm train`, shared by every test.</summary>
public sealed class TrainedModelFixture : IDisposable
{
    public static readonly string[] TinyTraining = ["--image-size", "32", "--width", "8", "--depth", "3", "--epochs", "5"];

    /// <summary><see cref="TinyTraining"/> for <paramref name="epochs"/> epochs (an option given twice stops a command).</summary>
    public static string[] TinyTrainingOf(int epochs) => [.. TinyTraining[..^1], epochs.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    /// <summary>The smallest training there is (16 px, width 4, depth 2, one epoch): for tests of what a run writes or refuses.</summary>
    public static readonly string[] OneEpoch = ["--image-size", "16", "--width", "4", "--depth", "2", "--epochs", "1"];

    public TrainedModelFixture()
    {
        Root = Cli.TempFolder("fixture");
        Data = Path.Combine(Root, "data");
        (GenerateCode, GenerateOutput) = Cli.Run("generate", "--image-size", "32", "--train-count", "24", "--test-good", "6", "--test-defect", "2", "--seed", "3", "-o", Data);
        Run = Path.Combine(Root, "run");
        (TrainCode, TrainOutput) = Cli.Run(["train", Data, .. TinyTraining, "--seed", "1", "-o", Run]);
    }

    public string Root { get; }
    public string Data { get; }
    public string Run { get; }
    public int GenerateCode { get; }
    public string GenerateOutput { get; }
    public int TrainCode { get; }
    public string TrainOutput { get; }
    public string Model => Path.Combine(Run, "model.zip");

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

[CollectionDefinition("cli")]
public sealed class CliCollection : ICollectionFixture<TrainedModelFixture>;
