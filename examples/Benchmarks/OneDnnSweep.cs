using System.Diagnostics;
using SSM.Core.Torch;
using static TorchSharp.torch;

namespace SSM.Benchmarks;

/// <summary>
/// `onednn`: which convolutions libtorch computes right on this machine. Each case runs forward and backward in float32
/// and bfloat16, channels-last and in the default layout, against a float64 reference (which libtorch never hands to
/// oneDNN): the output, the input's gradient and the weights' gradient. The cases are the network's convolutions at
/// batches of 1, 4 and 12, and every pair of 1-16 channels in and 1-16 out (--pairs). Wrong values here are what
/// OneDnnCheck looks for; its probe checks the kinds the library runs.
/// </summary>
internal static class OneDnnSweep
{
    private readonly record struct Case(int In, int Out, int Kernel, int Stride, int Padding, int Side, int Batch);

    public static int Run(Arguments a)
    {
        bool forceOn = a.Flag("force-on"), pairs = a.Flag("pairs");
        int repeats = a.Int("repeats") ?? 1;
        if (a.Int("threads") is int threads) set_num_threads(threads);
        a.RejectUnknown();

        TorchNative.EnsureLoaded();
        Console.WriteLine($"OneDnnCheck: {OneDnnCheck.Finding ?? "the library's convolutions are right, oneDNN on"}");
        if (forceOn && !OneDnnCheck.TrySetEnabled(true)) throw new ArgumentException("--force-on: libtorch's oneDNN switch cannot be reached.");
        Console.WriteLine($"oneDNN {(forceOn || !OneDnnCheck.OneDnnTurnedOff ? "on" : "off")}, {get_num_threads()} threads, {repeats} repeat(s)");

        var cases = pairs ? Pairs() : NetworkCases();
        var table = new MarkdownTable("format", "layout", "cases", "wrong", "largest error: output", "input gradient", "weight gradient");
        var wrong = new List<string>();
        var generator = new Generator(3);
        var sw = Stopwatch.StartNew();
        foreach (var format in new[] { ScalarType.Float32, ScalarType.BFloat16 })
        foreach (bool channelsLast in new[] { true, false })
        {
            int count = 0, bad = 0;
            double worstY = 0, worstDx = 0, worstDw = 0;
            double tolerance = format == ScalarType.Float32 ? 1e-3 : 0.05;
            foreach (var c in cases)
            for (int r = 0; r < repeats; r++)
            {
                var (y, dx, dw) = Errors(c, format, channelsLast, generator);
                count++;
                worstY = Math.Max(worstY, y); worstDx = Math.Max(worstDx, dx); worstDw = Math.Max(worstDw, dw);
                if (y > tolerance || dx > tolerance || dw > tolerance)
                {
                    bad++;
                    wrong.Add($"{format} {(channelsLast ? "channels-last" : "default")} {c.In}->{c.Out} {c.Kernel}x{c.Kernel}/{c.Stride} at {c.Side} px, batch {c.Batch}: " +
                              $"output {E(y)}, input gradient {E(dx)}, weight gradient {E(dw)}");
                }
            }
            table.Add(format.ToString(), channelsLast ? "channels-last" : "default", count.ToString(), bad.ToString(), E(worstY), E(worstDx), E(worstDw));
        }
        Console.WriteLine();
        Console.WriteLine(table);
        Console.WriteLine($"- Errors are the largest difference from float64 relative to the float64 range; wrong: above 1e-3 in float32, 0.05 in bfloat16 (NaN counts as wrong). {sw.Elapsed.TotalSeconds:F0} s.");
        if (wrong.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("Wrong:");
            foreach (var line in wrong) Console.WriteLine("  " + line);
        }
        return 0;
    }

    /// <summary>The network's convolutions (default widths, grey and colour) at their resolutions, at 64 px and 128 px for
    /// the full-resolution ones, in batches of 1, 4 and 12.</summary>
    private static List<Case> NetworkCases()
    {
        var cases = new List<Case>();
        foreach (int b in new[] { 1, 4, 12 })
        {
            foreach (var (i, o, s) in new[] { (1, 16, 64), (3, 16, 64), (16, 16, 64), (17, 16, 64), (32, 16, 64), (16, 2, 64), (16, 4, 64),
                                              (16, 32, 32), (32, 32, 32), (33, 32, 32), (64, 32, 32), (32, 64, 16), (64, 64, 16), (65, 64, 16),
                                              (128, 64, 16), (64, 128, 8), (128, 128, 8), (129, 128, 8), (1, 16, 128), (17, 16, 128), (2, 16, 32) })
                cases.Add(new(i, o, 3, 1, 1, s, b));
            foreach (var (c, s) in new[] { (16, 64), (32, 32), (64, 16) }) cases.Add(new(c, c, 4, 2, 1, s, b));
            foreach (var (i, o, s) in new[] { (32, 16, 64), (64, 32, 32), (128, 64, 16) }) cases.Add(new(i, o, 1, 1, 0, s, b));
        }
        return cases;
    }

    private static List<Case> Pairs()
    {
        var cases = new List<Case>();
        foreach (int b in new[] { 1, 4, 12 })
        foreach (int side in new[] { 16, 64 })
        foreach (int i in new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 16 })
        foreach (int o in new[] { 1, 2, 4, 8, 16 })
            cases.Add(new(i, o, 3, 1, 1, side, b));
        return cases;
    }

    private static (double Output, double InputGradient, double WeightGradient) Errors(Case c, ScalarType format, bool channelsLast, Generator generator)
    {
        using var scope = NewDisposeScope();
        var x = randn([c.Batch, c.In, c.Side, c.Side], generator: generator);
        var w = randn([c.Out, c.In, c.Kernel, c.Kernel], generator: generator).mul_(1.0 / Math.Sqrt(c.In * c.Kernel * c.Kernel));
        long side = (c.Side + 2 * c.Padding - c.Kernel) / c.Stride + 1;
        var g = randn([c.Batch, c.Out, side, side], generator: generator);
        var (y64, dx64, dw64) = Run(c, x.to(ScalarType.Float64), w.to(ScalarType.Float64), g);
        var (y, dx, dw) = Run(c, channelsLast ? ChannelsLast.Of(x.to(format)) : x.to(format), w.to(format), g);
        return (OneDnnCheck.Error(y, y64), OneDnnCheck.Error(dx, dx64), OneDnnCheck.Error(dw, dw64));
    }

    /// <summary>The output, and the input's and weights' gradients of sum(output x gradient).</summary>
    private static (Tensor Y, Tensor Dx, Tensor Dw) Run(Case c, Tensor x, Tensor w, Tensor outputGradient)
    {
        var input = x.detach().requires_grad_(true);
        var weight = w.detach().requires_grad_(true);
        var y = nn.functional.conv2d(input, weight, null, [c.Stride, c.Stride], [c.Padding, c.Padding]);
        y.mul(outputGradient.to(y.dtype)).sum().backward();
        return (y, input.grad!, weight.grad!);
    }

    private static string E(double e) => OneDnnCheck.Format(e);
}
