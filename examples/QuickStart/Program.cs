// SSM quick start: generate a synthetic inspection dataset (woven texture with defects) in MVTec layout, train an SSM model
// on its normal images through ML.NET, evaluate on its test split, and write report.html.
//
//   dotnet run -c Release --project examples/QuickStart [-- --size 32 --epochs 15 --output <folder>]
using SSM.Core.Data;

int size = Arg("--size", 32), epochs = Arg("--epochs", 15), seed = Arg("--seed", 0);
string output = ArgS("--output", Path.Combine(Path.GetTempPath(), "ssm-quickstart"));
string data = Path.Combine(output, "data");
if (Directory.Exists(data)) Directory.Delete(data, recursive: true);
Console.WriteLine($"Generating a synthetic dataset at {size} px in {data}...");
SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = size, TrainCount = 100, TestGoodCount = 20, TestDefectCount = 4, Seed = seed })
    .WriteMvtec(data);
// The generated images all have the same lighting, so per-image normalisation (the default, for real photos) only
// costs accuracy here. Their spots, holes and colour changes are intensity defects on a constant background, which
// squared error sees and MS-GMS partly misses, so map and score use both errors (docs/results.md, "The main command").
return Demo.Run(data, output, new DemoSettings(size, BaseWidth: 8, Depth: 3, epochs, TimeBudgetMinutes: null, seed,
    InputNormalization: SSM.Core.Data.InputNormalization.None, Error: SSM.Core.RestorationError.Both, ScoreError: SSM.Core.RestorationError.Both));

int Arg(string name, int fallback) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
string ArgS(string name, string fallback) => Array.IndexOf(args, name) is int i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
