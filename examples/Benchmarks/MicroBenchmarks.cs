using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SSM.Core.Evaluation;
using SSM.Core.Losses;
using SSM.Core.Masks;
using SSM.Core.Scoring;
using TorchSharp;
using static TorchSharp.torch;
using SSM.Core.Torch;

namespace SSM.Benchmarks;

/// <summary>`micro`: BenchmarkDotNet over the hot parts outside the network, with a short in-process job.</summary>
internal static class MicroBenchmarks
{
    public static int Run(string[] args)
    {
        var config = ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithId("ShortRun-InProcess"))
            .WithOptions(ConfigOptions.DisableLogFile)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "ssm-benchmark-artifacts"));
        var summaries = BenchmarkSwitcher.FromTypes([typeof(HotPaths)]).Run(args.Length == 0 ? ["--filter", "*"] : args, config);
        // No summary: BenchmarkDotNet refused the arguments (it printed why) or the filter matched nothing.
        if (!summaries.Any()) Console.Error.WriteLine("error: no benchmark ran (see above; --list flat lists them).");
        return !summaries.Any() || summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}

[MemoryDiagnoser]
public class HotPaths
{
    private const int Size = 64, Batch = 8;
    private Generator generator = null!;
    private Tensor images = null!, restorations = null!, maps = null!;
    private MapSmoothing smoothing = null!;
    private float[] scores = null!;
    private bool[] labels = null!;
    private List<float[]> pixelMaps = null!;
    private List<bool[]> pixelMasks = null!;

    [GlobalSetup]
    public void Setup()
    {
        generator = new Generator(0);
        images = rand(Batch, 1, Size, Size, generator: generator);
        restorations = images.Plus(randn(Batch, 1, Size, Size, generator: generator).Times(0.05)).clamp(Scalars.Real(0), Scalars.Real(1));
        maps = rand(Batch, 1, Size, Size, generator: generator);
        smoothing = new MapSmoothing(7.0 * Size / 128);
        var rng = new Random(0);
        scores = new float[100_000];
        labels = new bool[scores.Length];
        for (int i = 0; i < scores.Length; i++)
        {
            labels[i] = rng.NextDouble() < 0.3;
            scores[i] = (float)(rng.NextDouble() + (labels[i] ? 0.3 : 0));
        }
        pixelMaps = new List<float[]>();
        pixelMasks = new List<bool[]>();
        for (int img = 0; img < 20; img++)
        {
            var map = new float[Size * Size];
            var mask = new bool[Size * Size];
            int cx = rng.Next(10, 54), cy = rng.Next(10, 54), r = rng.Next(3, 9);
            for (int y = 0; y < Size; y++)
                for (int x = 0; x < Size; x++)
                {
                    bool defect = img % 2 == 1 && (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
                    mask[y * Size + x] = defect;
                    map[y * Size + x] = (float)(rng.NextDouble() + (defect ? 0.5 : 0));
                }
            pixelMaps.Add(map);
            pixelMasks.Add(mask);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        images.Dispose(); restorations.Dispose(); maps.Dispose(); smoothing.Dispose(); generator.Dispose();
    }

    [Benchmark(Description = "ComplementaryMasks.Generate S=64 k=4 n=3")]
    public long Masks()
    {
        using var m = ComplementaryMasks.Generate(Size, 4, 3, generator);
        return m.shape[0];
    }

    [Benchmark(Description = "MsGms.Map 8x1x64x64")]
    public long MsGmsMap()
    {
        using var m = MsGms.Map(images, restorations);
        return m.shape[0];
    }

    [Benchmark(Description = "MapSmoothing.Apply 8x1x64x64 sigma 3.5")]
    public long Smoothing()
    {
        using var m = smoothing.Apply(maps);
        return m.shape[0];
    }

    [Benchmark(Description = "Roc.Auroc 1e5 scores")]
    public double Auroc() => Roc.Auroc(scores, labels);

    [Benchmark(Description = "PixelMetrics.Evaluate 20x64x64")]
    public double Pixel() => PixelMetrics.Evaluate(pixelMaps, pixelMasks, Size, Size).Aupro;
}
