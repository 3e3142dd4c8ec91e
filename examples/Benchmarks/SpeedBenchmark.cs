using System.Diagnostics;
using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Evaluation;
using SSM.Core.Losses;
using SSM.Core.Masks;
using SSM.Core.Network;
using SSM.Core.Scoring;
using SSM.Core.Torch;
using SSM.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SSM.Benchmarks;

/// <summary>
/// `speed`: the practical CPU peak (a float32 matmul), then a training step, a no-grad forward pass and
/// a scoring call of the compact and the authors' networks, with analytic FLOP counts; optionally
/// bfloat16 scoring against float32.
/// </summary>
internal static class SpeedBenchmark
{
    public static int Run(Arguments a)
    {
        int size = a.Int("size") ?? new SsmOptions().ImageSize;
        int batch = a.Int("batch") ?? new TrainingOptions().BatchSize;
        double minSeconds = a.Double("min-seconds") ?? 5;
        int bf16Seconds = a.Int("bf16-train-seconds") ?? 60;
        bool skipAuthors = a.Flag("no-authors"), levels = a.Flag("levels");
        a.RejectUnknown();
        if (batch < 1) throw new ArgumentException($"--batch is at least 1 (got {batch}).");
        if (minSeconds <= 0) throw new ArgumentException($"--min-seconds is more than 0 (got {minSeconds}).");
        if (bf16Seconds < 0) throw new ArgumentException($"--bf16-train-seconds is 0 (no bfloat16 training) or more (got {bf16Seconds}).");
        new SsmOptions { ImageSize = size }.Validate();

        Console.WriteLine($"torch threads: {get_num_threads()} (interop {get_num_interop_threads()}), {Environment.ProcessorCount} logical cores");
        var table = new MarkdownTable("what", "shape", "ms / call", "GFLOP / call", "GFLOP/s", "% of matmul peak");

        // ---- Practical peak: float32 matmul 1024 x 1024.
        const int n = 1024;
        using var ma = rand(n, n);
        using var mb = rand(n, n);
        Console.WriteLine($"load average at start: {Machine.LoadAverage()}");
        double matmulMs = Time(() => { using var c = ma.matmul(mb); }, minSeconds);
        double matmulGflop = 2.0 * n * n * n / 1e9;
        double peak = matmulGflop / (matmulMs / 1000);
        table.Add("matmul float32", $"{n}x{n} @ {n}x{n}", Format.F1(matmulMs), Format.F3(matmulGflop), Format.F1(peak), "100");
        // The peak of the scoring rows that run in bfloat16 (NetworkPrecision.Auto where bfloat16 is faster).
        using (var ha = ma.to(ScalarType.BFloat16))
        using (var hb = mb.to(ScalarType.BFloat16))
        {
            double bf16Ms = Time(() => { using var c = ha.matmul(hb); }, minSeconds);
            table.Add("matmul bfloat16", $"{n}x{n} @ {n}x{n}", Format.F1(bf16Ms), Format.F3(matmulGflop), Format.F1(matmulGflop / (bf16Ms / 1000)),
                Format.F1(100 * matmulGflop / (bf16Ms / 1000) / peak));
        }

        var presets = new List<(string Name, InpaintingNetworkOptions Network)> { ("compact (default)", InpaintingNetworkOptions.Compact(1)) };
        if (!skipAuthors) presets.Add(("authors' widths", InpaintingNetworkOptions.Authors(1)));
        var options = new SsmOptions { ImageSize = size };
        int groups = options.Masking.Groups;
        var cellSizes = options.Masking.ResolveCellSizes(size);
        foreach (var (name, netOptions) in presets)
        {
            var o = options with { Network = netOptions };
            o.Validate();
            using var generator = new Generator(0);
            using var network = new InpaintingNetwork(netOptions, generator);
            double forwardGflop = ForwardFlops(netOptions, size, network) / 1e9;
            string widths = string.Join("-", netOptions.LevelWidths());
            Console.WriteLine($"{name}: widths {widths}, {network.ParameterCount():N0} parameters, {forwardGflop:F3} GFLOP per {size}x{size} forward pass (convolutions only)");
            using var images = rand(batch, 1, size, size);

            // Training step: forward + backward + Adam on n x B masked images, in each training precision (mixed: the
            // network's passes in the format, weights, gradients, Adam and the loss in float32, as SsmTrainer does).
            foreach (var precision in new[] { NetworkPrecision.Float32, NetworkPrecision.BFloat16 })
            {
                using var optimizer = new Adam(network.parameters(), 1e-3, 1e-5);   // the trainer's own Adam
                network.train();
                var format = NativeBFloat16.Format(precision, CPU);
                using var maskGenerator = new Generator(1);
                double stepMs = Time(() =>
                {
                    using var scope = NewDisposeScope();
                    var masks = ComplementaryMasks.Generate(size, cellSizes[^1], groups, maskGenerator).unsqueeze(1);
                    var (maskedImages, maskInputs) = MaskedRestoration.Inputs(images, masks);
                    var outputs = network.ForwardIn(format, maskedImages, maskInputs);
                    var (restoration, predicted) = MaskedRestoration.Assemble(images, outputs, masks);
                    var terms = SsmLoss.Compute(images, restoration, predicted, masks, new SsmLossWeights());
                    optimizer.ZeroGrad();
                    terms.Total.backward();
                    optimizer.Step();
                }, minSeconds);
                double gflop = 3 * forwardGflop * groups * batch;
                table.Add($"{name}: training step, {precision}", $"{groups}x{batch} @ {size}", Format.F1(stepMs), Format.F3(gflop), Format.F1(gflop / (stepMs / 1000)), Format.F1(100 * gflop / (stepMs / 1000) / peak));
            }
            network.eval();

            // Forward pass only, no_grad, n x B images.
            using (var masked = rand(groups * batch, 1, size, size))
            using (var maskInput = ones(groups * batch, 1, size, size))
            {
                double fwdMs = Time(() => { using var g = no_grad(); using var y = network.forward(masked, maskInput); }, minSeconds);
                double gflop = forwardGflop * groups * batch;
                table.Add($"{name}: forward (no_grad)", $"{groups * batch} @ {size}", Format.F1(fwdMs), Format.F3(gflop), Format.F1(gflop / (fwdMs / 1000)), Format.F1(100 * gflop / (fwdMs / 1000) / peak));
            }

            // One scoring call of a batch: |K| x n masked passes per image (n of the scoring masks), one round.
            using (var scorer = new AnomalyScorer(network, o, refinementThreshold: null))
            {
                double scoreMs = Time(() => { using var r = scorer.Score(images, 1); }, minSeconds);
                int scoringGroups = o.Masking.ScoringGroups;
                double gflop = forwardGflop * cellSizes.Length * scoringGroups * batch;
                table.Add($"{name}: scoring call, 1 round, {scorer.Precision}", $"{batch} images, {cellSizes.Length}x{scoringGroups} passes", Format.F1(scoreMs), Format.F3(gflop), Format.F1(gflop / (scoreMs / 1000)), Format.F1(100 * gflop / (scoreMs / 1000) / peak));
            }
        }
        // The machine may be shared: measure the peak again at the end and keep the better of the two.
        double matmulMsEnd = Time(() => { using var c = ma.matmul(mb); }, minSeconds);
        table.Add("matmul float32 (again, at the end)", $"{n}x{n} @ {n}x{n}", Format.F1(matmulMsEnd), Format.F3(matmulGflop), Format.F1(matmulGflop / (matmulMsEnd / 1000)),
            Format.F1(100 * (matmulGflop / (matmulMsEnd / 1000)) / peak));
        Console.WriteLine($"load average at end: {Machine.LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine(table);
        Console.WriteLine("- % of matmul peak is relative to the first matmul row. The machine is shared: when other processes load the CPU, rows measured at different moments see different shares of it (a row above 100 % means the peak itself was measured under heavier contention); compare the two matmul rows to judge the drift. Rows in bfloat16 (the BFloat16 training steps; the scoring call when NetworkPrecision.Auto picks it) are also given as a share of the float32 peak; the bfloat16 matmul row is their own peak.");
        Console.WriteLine($"- FLOPs counted analytically: sum over the network's Conv2d layers of 2*Cin*Cout*k^2*Hout*Wout per image (batch norm, activations, upsampling, MS-GMS, smoothing and the loss not counted; training step counted as 3x forward). Times are the mean of repeated calls after one warm-up, for at least {minSeconds:G3} s per row.");

        if (levels) Levels(size, new SsmOptions().Masking.Groups * batch, peak, minSeconds);
        if (bf16Seconds > 0) Bf16(size, bf16Seconds, minSeconds);
        return 0;
    }


    /// <summary>Mean wall-clock milliseconds per call after one warm-up call; at least 3 calls and <paramref name="minSeconds"/>.</summary>
    private static double Time(Action action, double minSeconds)
    {
        action();
        var sw = Stopwatch.StartNew();
        int calls = 0;
        while (calls < 3 || sw.Elapsed.TotalSeconds < minSeconds)
        {
            action();
            calls++;
        }
        return sw.Elapsed.TotalMilliseconds / calls;
    }

    /// <summary>
    /// Forward FLOPs per image of the inpainting U-Net, from its structure (see InpaintingNetwork):
    /// checked against the network by comparing the summed Cin*Cout*k^2 with the Conv2d weights' sizes.
    /// </summary>
    public static double ForwardFlops(InpaintingNetworkOptions o, int size, InpaintingNetwork? check = null)
    {
        var w = o.LevelWidths();
        int c = o.InputChannels;
        var convs = new List<(long Cin, long Cout, int K, int Out)>();
        void Block(long cin, long cout, int res) { convs.Add((cin, cout, 3, res)); convs.Add((cout, cout, 3, res)); }
        void Mask(long ch, int res) { convs.Add((ch + 1, ch, 3, res)); convs.Add((ch, ch, 3, res)); }
        int Res(int level) => size >> level;
        Block(c, w[0], Res(0));                                           // stem
        for (int i = 1; i < w.Length; i++)
        {
            convs.Add((w[i - 1], w[i - 1], 4, Res(i)));                  // strided 4x4 down
            Block(w[i - 1], w[i], Res(i));
        }
        Mask(w[^1], Res(w.Length - 1));                                  // bottleneck mask block
        for (int i = w.Length - 1; i > 0; i--)
        {
            convs.Add((w[i], w[i - 1], 1, Res(i - 1)));                  // 1x1 after upsampling
            Block(2 * w[i - 1], w[i - 1], Res(i - 1));
            Mask(w[i - 1], Res(i - 1));
        }
        convs.Add((w[0], c + 1, 3, Res(0)));                             // head
        if (check is not null)
        {
            long counted = convs.Sum(v => v.Cin * v.Cout * v.K * v.K);
            long actual = check.modules().OfType<SSM.Core.Network.Conv>().Sum(m => m.Weight.numel());
            if (counted != actual)
                throw new InvalidOperationException($"The FLOP model does not match the network: {counted} vs {actual} convolution weights; update SpeedBenchmark.ForwardFlops.");
        }
        return convs.Sum(v => 2.0 * v.Cin * v.Cout * v.K * v.K * v.Out * v.Out);
    }

    // ---- Where a training step's network time goes: each block of the compact network alone, forward + backward.

    private static void Levels(int size, int batch, double peak, double minSeconds)
    {
        var w = InpaintingNetworkOptions.Compact(1).LevelWidths();
        var table = new MarkdownTable("block (float32)", "output", "ms fwd+bwd", "GFLOP fwd", "GFLOP/s (fwd+bwd = 3x fwd)", "% of matmul peak");
        double totalMs = 0, totalGflop = 0;
        // Every convolution of a block outputs at the block's resolution, so the block's own weights give its FLOPs:
        // 2 x weights x res^2 per image (the network's structure is not restated here).
        void Row(string name, int res, long channels, nn.Module module, Func<Tensor> forward)
        {
            double gflop = 2.0 * module.modules().OfType<SSM.Core.Network.Conv>().Sum(m => m.Weight.numel()) * res * res * batch / 1e9;
            double ms = Time(() =>
            {
                using var scope = NewDisposeScope();
                forward().mean().backward();
                foreach (var p in module.parameters()) p.grad?.zero_();
            }, minSeconds);
            totalMs += ms; totalGflop += gflop;
            table.Add(name, $"{channels} x {res}x{res}", Format.F1(ms), Format.F3(gflop), Format.F0(3 * gflop / (ms / 1000)), Format.F0(100 * 3 * gflop / (ms / 1000) / peak));
        }
        // Channels-last, as the network runs them.
        Tensor Input(long channels, int res) => ChannelsLast.Of(rand(batch, channels, res, res)).requires_grad_(true);
        using var mask = ChannelsLast.Of(ones(batch, 1, size, size));
        using (var stem = new ConvBlock(1, w[0])) { using var x = Input(1, size); Row("stem", size, w[0], stem, () => stem.forward(x)); }
        for (int i = 1; i < w.Length; i++)
        {
            int res = size >> i;
            using var down = new DownBlock(w[i - 1], w[i]);
            using var x = Input(w[i - 1], res * 2);
            Row($"down {i}", res, w[i], down, () => down.forward(x));
        }
        for (int i = w.Length - 1; i >= 0; i--)
        {
            int res = size >> i;
            if (i < w.Length - 1)
            {
                using var up = new UpBlock(w[i + 1], w[i]);
                using var x = Input(w[i + 1], res / 2);
                using var skip = ChannelsLast.Of(rand(batch, w[i], res, res));
                Row($"up {i + 1}", res, w[i], up, () => up.forward(x, skip));
            }
            using var block = new MaskBlock(w[i]);
            using var y = Input(w[i], res);
            Row(i == w.Length - 1 ? "bottleneck mask" : $"mask {i}", res, w[i], block, () => block.forward(y, mask));
        }
        Console.WriteLine();
        Console.WriteLine($"Each block of the compact network alone, float32 and channels-last, {batch} images (n masks x the batch), forward + mean + backward:");
        Console.WriteLine(table);
        Console.WriteLine($"- Sum {totalMs:F1} ms for {totalGflop:F3} GFLOP forward: {3 * totalGflop / (totalMs / 1000):F0} GFLOP/s over the network (the head convolution left out).");
    }

    // ---- bfloat16 scoring vs float32 on a briefly trained compact model.

    private static void Bf16(int size, int trainSeconds, double minSeconds)
    {
        Console.WriteLine();
        Console.WriteLine($"bfloat16 scoring: training a compact model on a synthetic set for {trainSeconds} s...");
        var data = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = size, TrainCount = 60, TestGoodCount = 20, TestDefectCount = 8 });
        var options = new SsmOptions { ImageSize = size, Training = new TrainingOptions { TimeBudget = TimeSpan.FromSeconds(trainSeconds) } };
        using var model = SsmTrainer.Train(data.Train, options);
        var cache = new ImageCache(size, 1);
        foreach (var t in data.Test) cache.Add(t.Image, t.Name);
        var labels = data.Test.Select(t => t.IsAnomalous).ToArray();

        var table = new MarkdownTable("network dtype", "ms / batch of 8 (1 round)", "image AUROC (synthetic test)", "max |score - float32 score|", "max relative");
        using var batch = cache.Batch(Enumerable.Range(0, 8).ToArray());
        float[]? f32 = null;
        foreach (var precision in new[] { NetworkPrecision.Float32, NetworkPrecision.BFloat16 })
        {
            // The library's scoring, MS-GMS maps only and not standardised, so the precision is the only difference.
            var o = options with { Scoring = options.Scoring with { Error = RestorationError.MsGms, Precision = precision } };
            try
            {
                using var scorer = new AnomalyScorer(model.Network, o, refinementThreshold: null);
                var scores = BatchScoring.Score(scorer, cache).Scores;
                double ms = Time(() => { using var r = scorer.Score(batch, 1); }, minSeconds);
                f32 ??= scores;
                double maxAbs = f32.Zip(scores, (p, q) => Math.Abs(p - q)).Max();
                double maxRel = f32.Zip(scores, (p, q) => Math.Abs(p - q) / Math.Max(Math.Abs(p), 1e-12)).Max();
                table.Add(precision == NetworkPrecision.Float32 ? "float32" : "bfloat16 (the network; MS-GMS and smoothing in float32)",
                    Format.F1(ms), Format.F3(Roc.Auroc(scores, labels)), maxAbs.ToString("G3"), maxRel.ToString("G3"));
            }
            catch (Exception e) when (precision == NetworkPrecision.BFloat16)
            {
                table.Add("bfloat16", "failed: " + e.Message.Split('\n')[0], "", "", "");
            }
        }
        Console.WriteLine();
        Console.WriteLine(table);
        Console.WriteLine($"- The library's AnomalyScorer with ScoringOptions.Precision Float32 or BFloat16: same masks (scoring seed), one round, per-image input normalisation, equal cell weights, scores = max of the smoothed raw MS-GMS map; {labels.Length} synthetic test images ({labels.Count(l => l)} defective), model trained {trainSeconds} s.");
    }
}
