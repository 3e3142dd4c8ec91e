using System.Diagnostics;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using SSM.Core.Data;
using SSM.Core.Evaluation;
using SSM.Core.Scoring;
using static TorchSharp.torch;
using SSM.Core.Torch;

namespace SSM.Benchmarks;

/// <summary>
/// `pretrained-knn`: PatchCore-lite with an ImageNet-pretrained ResNet18 (the ONNX file shipped by the NuGet package
/// Microsoft.ML.DnnImageFeaturizer.ResNet18, run with ONNX Runtime). Features of the ends of the residual stages at
/// stride 8 and 16 (layer2, layer3), each 3x3-averaged, layer3 upsampled to layer2's grid and concatenated; memory bank
/// = the patch vectors of all normal training images, subsampled (random or greedy coreset) to a cap; a test patch
/// scores its distance to the nearest bank vector; map = those distances upsampled bilinearly to S x S and
/// Gaussian-smoothed; image score = the map's maximum.
/// </summary>
internal static class PretrainedKnn
{
    private const int ReferenceSize = 224;
    private const int PixelSide = 64;

    public static int Run(Arguments a)
    {
        string? dataArg = a.String("data");
        int size = a.Int("size") ?? ReferenceSize;
        int bankCap = a.Int("bank") ?? 20000;
        string sampler = a.String("sampler") ?? "random";
        int? coresetPool = a.Int("coreset-pool");
        int projection = a.Int("coreset-dim") ?? 128;
        int seed = a.Int("seed") ?? 0;
        double sigma = a.Double("sigma") ?? 4.0 * size / ReferenceSize;
        int batch = a.Int("batch") ?? 8;
        int threads = a.Int("threads") ?? (int.TryParse(Environment.GetEnvironmentVariable("OMP_NUM_THREADS"), out int omp) && omp > 0 ? omp : 1);
        string? modelArg = a.String("model"), meanArg = a.String("mean-model"), outPath = a.String("out");
        string? saveScores = a.String("save-scores"); // scores, maps at 64 x 64 and masks, for `compare`
        int? trainLimit = a.Int("train-limit"), testLimit = a.Int("test-limit");
        a.RejectUnknown();
        if (size % 16 != 0 || size < 64) throw new ArgumentException($"--size must be a multiple of 16 and at least 64 (got {size}).");
        if (sampler is not ("random" or "coreset")) throw new ArgumentException($"--sampler must be random or coreset (got '{sampler}').");
        if (bankCap < 0) throw new ArgumentException("--bank must be >= 0 (0 keeps every training patch).");

        string root = dataArg is not null
            ? Path.GetFullPath(dataArg)
            : Repository.MtdFolder() ?? throw new ArgumentException("No --data given and SSM.MLNet.sln not found above the working directory.");
        string models = Path.Combine(AppContext.BaseDirectory, "DnnImageModels");
        string modelPath = modelArg ?? Path.Combine(models, "ResNet18Onnx", "ResNet18.onnx");
        string meanPath = meanArg ?? Path.Combine(models, "ResNetPrepOnnx", "ResNetPreprocess.onnx");
        foreach (var f in new[] { modelPath, meanPath })
            if (!File.Exists(f)) throw new FileNotFoundException($"'{f}' not found (it comes with the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18; --model / --mean-model override).", f);

        var header = new StringBuilder();
        header.AppendLine($"command: SSM.Benchmarks {string.Join(" ", Environment.GetCommandLineArgs().Skip(1))}");
        header.AppendLine($"date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; OMP_NUM_THREADS={Environment.GetEnvironmentVariable("OMP_NUM_THREADS") ?? "(unset)"}; threads used (libtorch and ONNX Runtime intra-op): {threads}; {Environment.ProcessorCount} logical cores; load average at start {Machine.LoadAverage()}");
        header.AppendLine($"dataset: {root}");
        Console.Write(header);

        set_num_threads(threads);
        using var memory = new MemorySampler();
        memory.StartPhase();

        // ---- Data: decoded once, resized to S x S (area filter) and kept as 8-bit; masks at every evaluation size.
        var dataset = MvtecFolder.Load(root, channels: 1);
        int grid = size / 8;
        int[] evalSides = new[] { PixelSide, grid, size }.Distinct().ToArray();
        var data = DecodedSplits.Load(dataset, size, evalSides, Indices.Every(dataset.TrainPaths.Count, trainLimit), Indices.Every(dataset.TestItems.Count, testLimit));
        var (train, test, loadTime, defective) = (data.Train, data.Test, data.LoadTime, data.Defective);
        Console.WriteLine($"Loaded {train.Count} normal training images and {test.Count} test images ({defective} defective) at {size}x{size} in {loadTime.TotalSeconds:F1} s.");

        using var extractor = new ResNetPatchFeatures(modelPath, meanPath, size, threads);
        Console.WriteLine($"ResNet18: input '{extractor.InputName}', layer2 = '{extractor.Layer2}' ({extractor.Layer2Channels} ch, {grid}x{grid}), layer3 = '{extractor.Layer3}' ({extractor.Layer3Channels} ch, {size / 16}x{size / 16}); {extractor.KeptNodes} of {extractor.TotalNodes} graph nodes kept.");

        // ---- Fit: features of every training patch, then the memory bank.
        var clock = Stopwatch.StartNew();
        long patches = (long)train.Count * grid * grid;
        using var all = empty(patches, extractor.Dimension);
        long filled = 0;
        foreach (var chunk in Enumerable.Range(0, train.Count).Chunk(batch))
        {
            using var scope = NewDisposeScope();
            using var images = train.Batch(chunk);
            var f = extractor.Patches(images);
            var flat = f.reshape(-1, extractor.Dimension);
            all.narrow(0, filled, flat.shape[0]).copy_(flat);
            filled += flat.shape[0];
        }
        var extractTime = clock.Elapsed;
        Console.WriteLine($"Features of {train.Count} training images ({patches:N0} patches x {extractor.Dimension}) in {extractTime.TotalSeconds:F1} s.");
        clock.Restart();
        var (bank, bankNote) = BuildBank(all, bankCap, sampler, coresetPool, projection, seed);
        var bankTime = clock.Elapsed;
        var fitTime = extractTime + bankTime;
        Console.WriteLine($"Memory bank: {bankNote}, built in {bankTime.TotalSeconds:F1} s.");

        // ---- Inference: nearest bank vector per test patch, map at S x S, smoothed; score = max.
        clock.Restart();
        var (maps, scores, featureTime) = ScoreTest(extractor, test, bank, grid, size, sigma, batch);
        var inferTime = clock.Elapsed;
        double msPerImage = inferTime.TotalMilliseconds / test.Count;
        double featureMs = featureTime.TotalMilliseconds / test.Count;
        double peakMb = memory.PhasePeakMb;
        bank.Dispose();

        // ---- Metrics.
        var labelArray = data.Labels.ToArray();
        var scoreArray = scores.ToArray();
        double imageAuroc = Roc.Auroc(scoreArray, labelArray);
        double f1 = F1Max.Compute(scoreArray, labelArray).F1;
        var pixel = new Dictionary<int, PixelEvaluation>();
        foreach (int s in evalSides)
        {
            var resized = s == size ? maps : maps.Select(m => Downsample(m, size, s)).ToList();
            pixel[s] = PixelMetrics.Evaluate(resized, data.Masks[s], s, s);
        }
        var perCategory = PerCategory.ImageAurocs(scoreArray, data.Categories, LabeledImage.GoodCategory);

        string method = $"ResNet18 (ImageNet) layer2+layer3 kNN @{size}, bank {(bankCap == 0 || bankCap >= patches ? "all" : $"{bankCap / 1000.0:0.#}k {sampler}")}";
        var table = new MarkdownTable("method", "image AUROC", $"pixel AUROC ({PixelSide}x{PixelSide})", $"AUPRO ({PixelSide}x{PixelSide})", "F1-max (image)",
            "fitting time", "inference ms/image", "peak memory (MB)");
        table.Add(method, Format.F3(imageAuroc), Format.F3(pixel[PixelSide].Auroc), Format.F3(pixel[PixelSide].Aupro), Format.F3(f1),
            Format.Duration(fitTime), Format.F1(msPerImage), Format.F0(peakMb));
        var categoryTable = new MarkdownTable(["image AUROC per category (vs good)", .. perCategory.Select(p => p.Category)]);
        categoryTable.Add(["", .. perCategory.Select(p => Format.F3(p.Auroc))]);
        var pixelsAt64 = size == PixelSide ? maps : maps.Select(m => Downsample(m, size, PixelSide)).ToList();
        var perCategoryPixels = PerCategory.Pixels(pixelsAt64, data.Masks[PixelSide], data.Categories, LabeledImage.GoodCategory);
        categoryTable.Add([$"pixel AUROC per category ({PixelSide}x{PixelSide}, vs good)", .. perCategoryPixels.Select(p => Format.F3(p.PixelAuroc))]);
        categoryTable.Add(["share of the category's pixels marked defective", .. perCategoryPixels.Select(p => Format.F3(p.DefectShare))]);
        var withinImages = PerCategory.WithinImages(pixelsAt64, data.Masks[PixelSide], data.Categories, LabeledImage.GoodCategory);
        categoryTable.Add([$"pixel AUROC inside the category's own images ({PixelSide}x{PixelSide})", .. withinImages.Select(p => Format.F3(p.Auroc))]);
        if (saveScores is not null) new ScoredTestSet(PixelSide, [.. data.Categories], scoreArray, [.. pixelsAt64], [.. data.Masks[PixelSide]]).Save(saveScores);

        var report = new StringBuilder();
        report.Append(header);
        report.AppendLine();
        report.AppendLine(table.ToString());
        report.AppendLine(categoryTable.ToString());
        foreach (var line in PixelNegatives.Lines(pixelsAt64, data.Masks[PixelSide], data.Categories, LabeledImage.GoodCategory))
            report.AppendLine($"- At {PixelSide}x{PixelSide}, {line}.");
        foreach (int s in evalSides.Where(s => s != PixelSide))
            report.AppendLine($"- Pixel metrics at {s}x{s}{(s == grid ? " (the layer2 feature grid)" : s == size ? " (the input size)" : "")}: pixel AUROC {Format.F3(pixel[s].Auroc)}, AUPRO {Format.F3(pixel[s].Aupro)}.");
        report.AppendLine($"- Data: {train.Count} normal training images, {test.Count} test images ({defective} defective); gray, resized to {size}x{size} (area filter, aspect ratio not kept), replicated to 3 channels; decoding and resizing took {loadTime.TotalSeconds:F1} s and are in no column.");
        report.AppendLine($"- Preprocessing as ML.NET's DnnFeaturizeImage(ResNet18): pixel values 0-255, BGR, minus the package's ImageNet mean image (ResNetPreprocess.onnx, per-channel means B {extractor.MeanBgr[0]:F1} G {extractor.MeanBgr[1]:F1} R {extractor.MeanBgr[2]:F1}{(size == ReferenceSize ? "" : $", resized bilinearly to {size}x{size}")}), no division by a standard deviation.");
        report.AppendLine($"- Features: '{extractor.Layer2}' (end of the stride-8 stage, {extractor.Layer2Channels} ch) and '{extractor.Layer3}' (end of the stride-16 stage, {extractor.Layer3Channels} ch), each 3x3 average-pooled (stride 1, padding 1), layer3 upsampled bilinearly to {grid}x{grid}, concatenated: {extractor.Dimension}-d patch vectors. Memory bank: {bankNote}.");
        report.AppendLine($"- Anomaly map: Euclidean distance to the nearest bank vector per patch, upsampled bilinearly to {size}x{size}, Gaussian-smoothed (sigma {sigma:G3} px, reflected borders); image score = max of the map. Pixel metrics: map area-averaged to the evaluation size, masks resized with ImageResize.ResizeMask (nearest), AUPRO to FPR 0.3 (as `accuracy`/`explore`).");
        report.AppendLine($"- Fitting time = feature extraction of the training images ({Format.Duration(extractTime)}) + bank building ({Format.Duration(bankTime)}). Inference ms/image = feature extraction ({featureMs:F1} ms) + nearest-neighbour search, upsampling and smoothing, over the test split in batches of {batch} (decoding and resizing excluded).");
        report.AppendLine($"- Peak memory: maximum of Process.WorkingSet64 sampled every 100 ms over the whole run (incl. the cached images, the {patches:N0}-patch feature tensor and ONNX Runtime); Process.PeakWorkingSet64 at the end: {MemorySampler.ProcessPeakMb():F0} MB.");
        report.AppendLine($"- Load average at the end: {Machine.LoadAverage()}.");
        Report.Emit(report.ToString(), outPath);
        return 0;
    }

    /// <summary>The memory bank: every training patch, a random subset, or a greedy coreset; and a line saying which.</summary>
    private static (Tensor Bank, string Note) BuildBank(Tensor all, int cap, string sampler, int? coresetPool, int projection, int seed)
    {
        long patches = all.shape[0];
        if (cap == 0 || cap >= patches) return (all.alias(), $"all {patches:N0} training patches");
        if (sampler == "random")
        {
            using var generator = new Generator((ulong)seed);
            using var order = randperm(patches, generator: generator);
            using var pick = order.narrow(0, 0, cap);
            return (all.index_select(0, pick), $"{cap:N0} of {patches:N0} training patches drawn at random (seed {seed})");
        }
        long pool = Math.Min(patches, coresetPool ?? patches);
        return (GreedyCoreset(all, cap, pool, projection, seed),
            $"greedy coreset of {cap:N0} patches (distances in a {projection}-d Gaussian random projection) from " +
            (pool < patches ? $"a random pool of {pool:N0} of the {patches:N0} training patches" : $"all {patches:N0} training patches") + $", seed {seed}");
    }

    /// <summary>Per test image: nearest-bank-vector distance per patch, upsampled to size x size and smoothed; score = its max.
    /// Also the time spent in feature extraction.</summary>
    private static (List<float[]> Maps, List<float> Scores, TimeSpan FeatureTime) ScoreTest(ResNetPatchFeatures extractor, ImageCache test,
        Tensor bank, int grid, int size, double sigma, int batch)
    {
        var maps = new List<float[]>();
        var scores = new List<float>();
        using var smoothing = new MapSmoothing(sigma);
        using var bankSquares = bank.Squared().sum(1);
        var featureClock = new Stopwatch();
        foreach (var chunk in Enumerable.Range(0, test.Count).Chunk(batch))
        {
            using var scope = NewDisposeScope();
            featureClock.Start();
            using var images = test.Batch(chunk);
            var f = extractor.Patches(images);
            featureClock.Stop();
            for (int i = 0; i < chunk.Length; i++)
            {
                var d = NearestDistance(f[i], bank, bankSquares).view(1, 1, grid, grid);
                var up = nn.functional.interpolate(d, size: [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
                var values = smoothing.Apply(up).data<float>().ToArray();
                maps.Add(values);
                scores.Add(values.Max());
            }
        }
        return (maps, scores, featureClock.Elapsed);
    }

    /// <summary>Distances of each query row to its nearest bank row: ||q||^2 - 2 q.b + ||b||^2, minimised, then the root.</summary>
    private static Tensor NearestDistance(Tensor queries, Tensor bank, Tensor bankSquares)
    {
        using var scope = NewDisposeScope();
        var d2 = queries.mm(bank.t()).mul_(Scalars.Real(-2)).add_(bankSquares.unsqueeze(0), Scalars.One).add_(queries.Squared().sum(1, keepdim: true), Scalars.One);
        return d2.amin(1).clamp_min_(Scalars.Real(0)).sqrt_().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Greedy k-center coreset (PatchCore's sampler): repeatedly take the patch farthest from everything taken so far,
    /// with distances measured in a random Gaussian projection to <paramref name="dim"/> dimensions.
    /// </summary>
    private static Tensor GreedyCoreset(Tensor all, int count, long pool, int dim, int seed)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator((ulong)seed);
        var candidates = pool < all.shape[0] ? randperm(all.shape[0], generator: generator).narrow(0, 0, pool) : arange(Scalars.Integer(0), Scalars.Integer(all.shape[0]), Scalars.One, dtype: ScalarType.Int64);
        var source = pool < all.shape[0] ? all.index_select(0, candidates) : all;
        var projection = randn([all.shape[1], dim], generator: generator).div_(Scalars.Real(Math.Sqrt(dim)));
        var z = source.mm(projection);
        var squares = z.Squared().sum(1);
        var chosen = new long[count];
        chosen[0] = randint(0, z.shape[0], [1], generator: generator).item<long>();
        var nearest = DistanceTo(z, squares, chosen[0]);
        var sw = Stopwatch.StartNew();
        for (int i = 1; i < count; i++)
        {
            // Each in-place op returns another wrapper of the same storage: an inner scope frees them every step.
            using var step = NewDisposeScope();
            chosen[i] = nearest.argmax().item<long>();
            var next = nearest.minimum(DistanceTo(z, squares, chosen[i])).MoveToOuterDisposeScope();
            nearest.Dispose();
            nearest = next;
            if (i % 2000 == 0) Console.WriteLine($"  coreset: {i:N0}/{count:N0} in {sw.Elapsed.TotalSeconds:F0} s");
        }
        using var picked = tensor(chosen);
        return source.index_select(0, picked).MoveToOuterDisposeScope();

        static Tensor DistanceTo(Tensor z, Tensor squares, long index)
        {
            using var c = z[index];
            using var cc = c.Squared().sum();
            return z.mv(c).mul_(Scalars.Real(-2)).add_(squares, Scalars.One).add_(cc, Scalars.One); // in place on the new product
        }
    }

    private static float[] Downsample(float[] map, int from, int to)
    {
        using var scope = NewDisposeScope();
        var t = tensor(map, [1, 1, from, from]);
        return nn.functional.interpolate(t, size: [to, to], mode: InterpolationMode.Area).data<float>().ToArray();
    }

    /// <summary>
    /// The package's ResNet18 (ONNX, opset 8) cut after layer3: the graph's outputs are replaced by the ends of the
    /// residual stages at stride 8 and 16, nodes and weights not needed for them are dropped, and the input's batch
    /// and spatial sizes are made free. The edited model is held in memory only.
    /// </summary>
    private sealed class ResNetPatchFeatures : IDisposable
    {
        private readonly InferenceSession session;
        private readonly RunOptions runOptions = new();
        private readonly Tensor mean;
        private readonly int size;
        private bool checkedShapes;

        public ResNetPatchFeatures(string modelPath, string meanModelPath, int size, int threads)
        {
            this.size = size;
            var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(modelPath));
            var g = model.Graph;
            TotalNodes = g.Node.Count;
            var initializers = g.Initializer.Select(i => i.Name).ToHashSet();
            var input = g.Input.Single(i => !initializers.Contains(i.Name));
            InputName = input.Name;
            (Layer2, Layer3) = StageEnds(g);

            // Keep only what the two outputs need.
            var needed = new HashSet<string> { Layer2, Layer3 };
            var kept = new List<NodeProto>();
            foreach (var node in g.Node.Reverse())
                if (node.Output.Any(needed.Contains))
                {
                    kept.Add(node);
                    foreach (var i in node.Input) needed.Add(i);
                }
            kept.Reverse();
            g.Node.Clear();
            g.Node.AddRange(kept);
            KeptNodes = kept.Count;
            var keptInitializers = g.Initializer.Where(t => needed.Contains(t.Name)).ToList();
            g.Initializer.Clear();
            g.Initializer.AddRange(keptInitializers);
            var keptInputs = g.Input.Where(i => needed.Contains(i.Name)).ToList();
            g.Input.Clear();
            g.Input.AddRange(keptInputs);
            g.ValueInfo.Clear(); // declared for batch 1 at 224 px
            g.Output.Clear();
            foreach (var name in new[] { Layer2, Layer3 })
                g.Output.Add(new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } } });
            var dims = input.Type.TensorType.Shape.Dim;
            dims[0] = new TensorShapeProto.Types.Dimension { DimParam = "batch" };
            dims[2] = new TensorShapeProto.Types.Dimension { DimParam = "height" };
            dims[3] = new TensorShapeProto.Types.Dimension { DimParam = "width" };

            var options = new SessionOptions
            {
                IntraOpNumThreads = threads,
                InterOpNumThreads = 1,
                ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
                GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            };
            session = new InferenceSession(model.ToByteArray(), options);
            options.Dispose();

            // The featurizer's preprocessing model: RGB -> BGR, minus MeanImage [1, 3, 224, 224] (BGR order, 0-255 scale).
            var prep = ModelProto.Parser.ParseFrom(File.ReadAllBytes(meanModelPath));
            var meanProto = prep.Graph.Initializer.Single(t => t.Name == "MeanImage");
            float[] values = meanProto.FloatData.Count > 0 ? [.. meanProto.FloatData] : Floats(meanProto.RawData);
            var meanBgr = tensor(values, meanProto.Dims.ToArray());
            using (NewDisposeScope())
            {
                MeanBgr = [.. Enumerable.Range(0, 3).Select(c => meanBgr[0, c].mean().item<float>())];
                mean = (size == meanBgr.shape[2] && size == meanBgr.shape[3]
                    ? meanBgr.clone()
                    : nn.functional.interpolate(meanBgr, size: [size, size], mode: InterpolationMode.Bilinear, align_corners: false)).MoveToOuterDisposeScope();
            }
            meanBgr.Dispose();

            // One probe image fixes the channel counts (and checks the strides) before anything is allocated for them.
            using var probe = zeros(1, 1, size, size);
            Patches(probe).Dispose();
        }

        public string InputName { get; }
        public string Layer2 { get; }
        public string Layer3 { get; }
        public int TotalNodes { get; }
        public int KeptNodes { get; }
        public float[] MeanBgr { get; }
        public int Layer2Channels { get; private set; } = 128;
        public int Layer3Channels { get; private set; } = 256;
        public int Dimension => Layer2Channels + Layer3Channels;

        /// <summary>
        /// Ends of the residual stages in graph order: a Relu on an Add (a block's output) that feeds a stride-2 Conv
        /// (the next stage's first block). The second and third are layer2 (stride 8) and layer3 (stride 16).
        /// </summary>
        private static (string Layer2, string Layer3) StageEnds(GraphProto g)
        {
            var producer = new Dictionary<string, NodeProto>();
            foreach (var n in g.Node) foreach (var o in n.Output) producer[o] = n;
            var ends = new List<string>();
            foreach (var n in g.Node)
            {
                if (n.OpType != "Relu" || !producer.TryGetValue(n.Input[0], out var p) || p.OpType != "Add") continue;
                bool feedsStride2 = g.Node.Any(c => c.OpType == "Conv" && c.Input[0] == n.Output[0]
                    && c.Attribute.Any(at => at.Name == "strides" && at.Ints.Any(s => s == 2)));
                if (feedsStride2) ends.Add(n.Output[0]);
            }
            if (ends.Count < 3)
                throw new InvalidDataException($"Expected a ResNet with at least 3 stage transitions, found {ends.Count} ({string.Join(", ", ends)}).");
            return (ends[1], ends[2]);
        }

        private static float[] Floats(ByteString raw)
        {
            var bytes = raw.ToByteArray();
            var f = new float[bytes.Length / 4];
            Buffer.BlockCopy(bytes, 0, f, 0, bytes.Length);
            return f;
        }

        /// <summary>Gray images [B, 1, S, S] in [0, 1] to patch vectors [B, (S/8)^2, D].</summary>
        public Tensor Patches(Tensor gray)
        {
            using var scope = NewDisposeScope();
            long b = gray.shape[0];
            var x = gray.Times(255).expand(-1, 3, -1, -1).sub(mean).contiguous();
            float[] data = x.data<float>().ToArray();
            using var input = OrtValue.CreateTensorValueFromMemory(data, [b, 3, size, size]);
            using var outputs = session.Run(runOptions, [InputName], [input], [Layer2, Layer3]);
            var l2 = ToTorch(outputs[0]);
            var l3 = ToTorch(outputs[1]);
            if (!checkedShapes)
            {
                if (l2.shape[2] != size / 8 || l2.shape[3] != size / 8 || l3.shape[2] != size / 16 || l3.shape[3] != size / 16)
                    throw new InvalidDataException($"Unexpected feature shapes {string.Join("x", l2.shape)} and {string.Join("x", l3.shape)} for input {size}x{size}.");
                Layer2Channels = (int)l2.shape[1];
                Layer3Channels = (int)l3.shape[1];
                checkedShapes = true;
            }
            int grid = size / 8;
            var p2 = nn.functional.avg_pool2d(l2, 3, 1, 1);
            var p3 = nn.functional.interpolate(nn.functional.avg_pool2d(l3, 3, 1, 1), size: [grid, grid], mode: InterpolationMode.Bilinear, align_corners: false);
            var joined = cat([p2, p3], 1);
            return joined.permute(0, 2, 3, 1).reshape(b, grid * grid, -1).contiguous().MoveToOuterDisposeScope();
        }

        private static Tensor ToTorch(OrtValue v) =>
            tensor(v.GetTensorDataAsSpan<float>().ToArray(), v.GetTensorTypeAndShape().Shape);

        public void Dispose()
        {
            session.Dispose();
            runOptions.Dispose();
            mean.Dispose();
        }
    }
}
