// SSM quick start: generate a synthetic inspection dataset (woven texture with defects) in MVTec layout, train an SSM model
// on its normal images through ML.NET, evaluate on its test split, and write report.html.
//
//   dotnet run -c Release --project examples/QuickStart [-- --size 32 --epochs 15 --seed 0 --output <folder>]
using SSM.Core.Data;

try
{
    var a = new ExampleArgs(args, 0, "--size", "--epochs", "--seed", "--output");
    int size = a.Int("--size", 32), seed = a.Int("--seed", 0);
    string defaultOutput = Path.Combine(Path.GetTempPath(), "ssm-quickstart"), output = a.Text("--output", defaultOutput);
    // The generated images all have the same lighting, so per-image normalisation (the default, for real photos) only
    // costs accuracy here. Their spots, holes and colour changes are intensity defects on a constant background, which
    // squared error sees and MS-GMS partly misses, so map and score use both errors (docs/results.md, "The main command").
    var settings = new DemoSettings(size, BaseWidth: 8, Depth: 3, a.AtLeast("--epochs", 1, 15), TimeBudgetMinutes: null, seed,
        InputNormalization: InputNormalization.None, Error: SSM.Core.RestorationError.Both, ScoreError: SSM.Core.RestorationError.Both);
    Demo.Check(settings, ("ImageSize", "--size"));
    if (size is < SyntheticDatasetOptions.MinimumImageSize or > SyntheticDatasetOptions.MaximumImageSize)
        throw new UsageException($"--size must be from {SyntheticDatasetOptions.MinimumImageSize} to {SyntheticDatasetOptions.MaximumImageSize} for the generated images (got {size}).");

    string data = Path.Combine(output, "data");
    Demo.Regenerate(data, new SyntheticDatasetOptions { ImageSize = size, TrainCount = 100, TestGoodCount = 20, TestDefectCount = 4, Seed = seed },
        ours: Path.TrimEndingDirectorySeparator(Path.GetFullPath(output)) == Path.TrimEndingDirectorySeparator(Path.GetFullPath(defaultOutput)));
    Console.WriteLine($"Generated a synthetic dataset at {size} px in {data}.");
    return Demo.Run(data, output, settings);
}
catch (UsageException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}
