using System.Diagnostics;
using Microsoft.ML;
using SSM.Core.Data;
using SSM.MLNet;

namespace SSM.Benchmarks;

/// <summary>
/// Peak memory of Fit as the training set grows: the same pipeline (LoadImages -> DetectAnomaliesSsm) on
/// 100 and on 1000 images of 256 x 256, each count in its own process so the peaks do not mix.
/// </summary>
internal static class MemoryBenchmark
{
    private record Row(string ImagePath);

    public static int Run(string[] args)
    {
        if (args.Length == 2 && args[0] == "--one") return RunOne(int.Parse(args[1]));
        if (args.Length == 2 && args[0] == "--large") return LargeImageMemory.Run(int.Parse(args[1]));
        if (args.Length > 2 && args[0] is "--large-write" or "--large-score") return LargeImageMemory.Child(args);
        var counts = args.Length > 0 ? args.Select(int.Parse).ToArray() : [100, 1000];
        Console.WriteLine("| training images (256x256 PNG) | Fit time | peak working set | model input cache |");
        Console.WriteLine("|---:|---:|---:|---:|");
        foreach (int n in counts)
        {
            using var child = Process.Start(Machine.Self("memory", "--one", n.ToString()))!;
            string line = child.StandardOutput.ReadToEnd().Trim().Split('\n').Last();
            child.WaitForExit();
            Console.WriteLine(child.ExitCode == 0 ? line : $"| {n} | failed (exit {child.ExitCode}) | | |");
        }
        Console.WriteLine("Peak working set = Process.PeakWorkingSet64 of the child process (includes the .NET runtime and libtorch).");
        return 0;
    }

    private static int RunOne(int count)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"ssm-memory-{count}-{Guid.NewGuid():N}");
        try
        {
            // Written in chunks of 50 so generating the files does not set the peak being measured.
            var paths = new List<Row>();
            for (int chunk = 0; paths.Count < count; chunk++)
            {
                var data = SyntheticDataset.Generate(new SyntheticDatasetOptions
                    { ImageSize = 256, TrainCount = Math.Min(50, count - paths.Count), TestGoodCount = 0, TestDefectCount = 0, Seed = chunk });
                foreach (var image in data.Train)
                {
                    string path = Path.Combine(folder, $"{paths.Count:D5}.png");
                    ImageFile.Save(image, path);
                    paths.Add(new Row(path));
                }
            }
            GC.Collect();
            var context = new MLContext(seed: 1);
            var pipeline = context.Transforms.LoadImages("Image", "", nameof(Row.ImagePath))
                .Append(context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions { ImageSize = 64, BaseWidth = 8, Depth = 3, Epochs = 1 }));
            var clock = Stopwatch.StartNew();
            using var model = pipeline.Fit(context.Data.LoadFromEnumerable(paths));
            double seconds = clock.Elapsed.TotalSeconds;
            double peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
            double cache = count * 64.0 * 64 * sizeof(ushort) / 1048576.0;   // ImageCache: 16-bit levels at S x S
            Console.WriteLine($"| {count} | {seconds:F0} s | {peak:F0} MB | {cache:F1} MB |");
            return 0;
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
