using System.Diagnostics;
using System.Globalization;
using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Torch;
using SSM.Core.Training;

namespace SSM.Benchmarks;

/// <summary>
/// What happens when two programs compute with libtorch at once on the same cores, as when a line runs two inspection
/// services, or scores beside a training: each program alone, then two copies at once, under libtorch's defaults, with
/// OpenMP's passive wait policy, and with one thread per program; and two scoring threads inside one program, with
/// libtorch's threads and with one. Each
/// measurement runs in child processes (the wait policy is read when libtorch loads, so it cannot change in-process).
/// </summary>
internal static class Contention
{
    private const int Size = 64;

    public static int Run(string[] args)
    {
        if (args.Length > 0 && args[0] == "--worker") return Worker(args[1..]);
        var a = Arguments.Parse(args);
        int images = a.Int("images") ?? 24;
        int epochs = a.Int("epochs") ?? 2;
        a.RejectUnknown();

        string model = Path.Combine(Path.GetTempPath(), $"ssm-contention-{Environment.ProcessId}.bin");
        try
        {
            Console.WriteLine($"load average at start: {Machine.LoadAverage()}");
            // The weights do not matter for speed; the network, the image size and the scoring masks are the defaults'.
            var data = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = Size, TrainCount = 24, TestGoodCount = 0, TestDefectCount = 0 });
            using (var trained = SsmTrainer.Train(data.Train, new SsmOptions { ImageSize = Size, Training = new TrainingOptions { Epochs = 1 } }))
                trained.Save(model);

            var settings = new (string Name, string? WaitPolicy, int? Threads)[]
            {
                ("libtorch's defaults (all cores each)", null, null),
                ("OMP_WAIT_POLICY=PASSIVE (all cores each)", "PASSIVE", null),
                ("1 thread each (ssm --threads 1)", null, 1),
            };
            var table = new MarkdownTable("setting", "scoring alone, ms / image", "two at once, ms / image (each)", "two at once, images / s (both)",
                "training alone, s", "two at once, s (each)");
            foreach (var (name, policy, threads) in settings)
            {
                var scoreAlone = Measure(1, "score", model, images, policy, threads, callers: 1);
                var scoreTwo = Measure(2, "score", model, images, policy, threads, callers: 1);
                var trainAlone = Measure(1, "train", model, epochs, policy, threads, callers: 1);
                var trainTwo = Measure(2, "train", model, epochs, policy, threads, callers: 1);
                table.Add(name, Format.F1(scoreAlone.Average()), Format.F1(scoreTwo.Average()), Format.F1(scoreTwo.Sum(ms => 1000 / ms)),
                    Format.F1(trainAlone.Average()), Format.F1(trainTwo.Average()));
            }
            foreach (var (name, threads) in new[] { ("libtorch's defaults", (int?)null), ("1 libtorch thread", 1) })
            {
                var inProcess = Measure(1, "score", model, images, null, threads, callers: 2);
                table.Add($"two scoring threads in one program ({name})", "", Format.F1(inProcess[0]), Format.F1(2 * 1000 / inProcess[0]), "", "");
            }
            Console.WriteLine();
            Console.WriteLine(table);
            Console.WriteLine($"- Scoring: {images} images of {Size}x{Size}, one per call, after one warm-up call, the default network and scoring " +
                              $"(3 cell sizes x 6 masks). Training: {epochs} epochs of 24 synthetic images, batches of 4, then the calibration. " +
                              "Each program is its own process; \"two at once\" starts both together and gives each one's time. Two threads " +
                              "in one program: each scores half the images on its own; the time given is per image of each thread.");
            Console.WriteLine($"load average at end: {Machine.LoadAverage()}");
            return 0;
        }
        finally
        {
            File.Delete(model);
        }
    }

    /// <summary>Starts <paramref name="copies"/> workers together; returns each one's figure.</summary>
    private static double[] Measure(int copies, string task, string model, int count, string? waitPolicy, int? threads, int callers)
    {
        var children = Enumerable.Range(0, copies).Select(_ =>
        {
            var start = Machine.Self("contention", "--worker", task, model, count.ToString(CultureInfo.InvariantCulture),
                (threads ?? 0).ToString(CultureInfo.InvariantCulture), callers.ToString(CultureInfo.InvariantCulture));
            if (waitPolicy is not null) start.Environment["OMP_WAIT_POLICY"] = waitPolicy;
            return Process.Start(start)!;
        }).ToList();
        var figures = children.Select(child =>
        {
            string output = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            if (child.ExitCode != 0) throw new InvalidOperationException($"A contention worker failed (exit {child.ExitCode}): {output}");
            return double.Parse(output.Trim().Split('\n')[^1], CultureInfo.InvariantCulture);
        }).ToArray();
        children.ForEach(c => c.Dispose());
        return figures;
    }

    /// <summary>One program: "score" prints milliseconds per image (per thread), "train" the seconds of a training.</summary>
    private static int Worker(string[] args)
    {
        string task = args[0], model = args[1];
        int count = int.Parse(args[2], CultureInfo.InvariantCulture), threads = int.Parse(args[3], CultureInfo.InvariantCulture);
        int callers = int.Parse(args[4], CultureInfo.InvariantCulture);
        using var _ = TorchThreads.Use(threads > 0 ? threads : null);
        if (task == "train")
        {
            var data = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = Size, TrainCount = 24, TestGoodCount = 0, TestDefectCount = 0, Seed = 1 });
            var clock = Stopwatch.StartNew();
            using var trained = SsmTrainer.Train(data.Train, new SsmOptions { ImageSize = Size, Training = new TrainingOptions { Epochs = count } });
            Console.WriteLine(clock.Elapsed.TotalSeconds.ToString("R", CultureInfo.InvariantCulture));
            return 0;
        }
        using var ssm = SsmModel.Load(model);
        var rng = new Random(0);
        var images = Enumerable.Range(0, count).Select(_ =>
        {
            var image = new FloatImage(1, Size, Size);
            for (int i = 0; i < image.Pixels.Length; i++) image.Pixels[i] = (float)rng.NextDouble();
            return image;
        }).ToList();
        ssm.Score([images[0]], 1);
        var watch = Stopwatch.StartNew();
        Parallel.For(0, callers, new ParallelOptions { MaxDegreeOfParallelism = callers }, caller =>
        {
            for (int i = caller; i < count; i += callers) ssm.Score([images[i]], 1);
        });
        Console.WriteLine((watch.Elapsed.TotalMilliseconds / count * callers).ToString("R", CultureInfo.InvariantCulture));
        return 0;
    }
}
