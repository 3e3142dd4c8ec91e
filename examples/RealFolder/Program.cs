// SSM on a real dataset folder in MVTec layout (train/good, test/<class>, ground_truth/<class>/<name>_mask.png):
//
//   dotnet run -c Release --project examples/RealFolder [-- <folder>] [--size 64 --epochs 30 --minutes 5 --output <folder>]
//
// Without a folder argument it uses ../shared/datasets/mtd relative to the repository root (Magnetic Tile Defects) when present.
string? folder = args.Length > 0 && !args[0].StartsWith("--") ? args[0] : DefaultFolder();
if (folder is null)
{
    Console.Error.WriteLine("No dataset folder given, and the default ../shared/datasets/mtd (next to the repository) is not present.");
    Console.Error.WriteLine("Usage: dotnet run -c Release --project examples/RealFolder -- <folder in MVTec layout>");
    return 2;
}
if (!Directory.Exists(folder))
{
    Console.Error.WriteLine($"Dataset folder '{Path.GetFullPath(folder)}' does not exist.");
    return 2;
}
// Both halves: without test/ the report would score nothing and say "0 of 0".
if (!Directory.Exists(Path.Combine(folder, "train", "good")) || !Directory.Exists(Path.Combine(folder, "test")))
{
    Console.Error.WriteLine($"'{Path.GetFullPath(folder)}' is not in MVTec layout: expected train/good, test/<class> and ground_truth/<class>.");
    return 2;
}
try
{
    var a = new ExampleArgs(args, args.Length > 0 && !args[0].StartsWith("--") ? 1 : 0, "--size", "--epochs", "--minutes", "--seed", "--output");
    var settings = new DemoSettings(a.Int("--size", 64), BaseWidth: 16, Depth: 4, a.AtLeast("--epochs", 1, 30), a.Positive("--minutes", 5), a.Int("--seed", 0));
    Demo.Check(settings, ("ImageSize", "--size"), ("TrainingTime", "--minutes"));
    return Demo.Run(folder, a.Text("--output", Path.Combine(Path.GetTempPath(), "ssm-realfolder")), settings, title: $"SSM on {Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)))}");
}
catch (UsageException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 2;
}
catch (Exception ex) when (ex is InvalidDataException or DirectoryNotFoundException or FileNotFoundException or InvalidOperationException)
{
    // ML.NET reports a file it cannot read as an InvalidOperationException that names the file and the row.
    Console.Error.WriteLine("error: " + ex.Message);
    return 1;
}

static string? DefaultFolder()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "SSM.MLNet.sln")))
        {
            string mtd = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "datasets", "mtd"));
            return Directory.Exists(mtd) ? mtd : null;
        }
    return null;
}
