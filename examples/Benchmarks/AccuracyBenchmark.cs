using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Evaluation;
using SSM.Core.Network;
using SSM.Core.Scoring;
using SSM.Core.Training;

namespace SSM.Benchmarks;

/// <summary>
/// `accuracy`: trains SSM on the normal training images of an MVTec-layout dataset under a time budget,
/// scores the test split and prints one markdown table, optionally with baselines and scoring ablations.
/// </summary>
internal static class AccuracyBenchmark
{
    private const int PcaSide = 64;

    /// <param name="PerType">Each defect category that has masks, with the good images (<see cref="CategoryMetrics"/>); empty
    /// without pixel metrics.</param>
    private sealed record Row(string Method, double ImageAuroc, double? PixelAuroc, IReadOnlyList<CategoryMetrics> PerType, double? Aupro, double ImageF1,
        string TrainingTime, double MsPerImage, double PeakMb)
    {
        /// <summary>The per-type reading of the pixel target: the mean of <see cref="PerType"/>'s pixel AUROC.</summary>
        public double? PixelAurocPerType => PerType.Count == 0 ? null : PerType.Average(c => c.PixelAuroc!.Value);
    }

    /// <summary>The settings of the authors'-widths baseline: the run's, with their network and <paramref name="holdout"/> when given.</summary>
    private static SsmOptions AuthorsOptions(SsmOptions options, double? holdout)
    {
        var authors = options with { Network = InpaintingNetworkOptions.Authors(1) };
        return holdout is { } h ? authors with { Training = authors.Training with { HoldoutFraction = h } } : authors;
    }

    private sealed record Evaluation(double ImageAuroc, PixelEvaluation Pixel, IReadOnlyList<CategoryMetrics> PerType, double ImageF1, double MsPerImage);

    public static int Run(Arguments a)
    {
        string? dataArg = a.String("data");
        double budgetMinutes = a.Double("budget-minutes") ?? 10;
        int size = a.Int("size") ?? new SsmOptions().ImageSize;
        int? width = a.Int("width"), depth = a.Int("depth"), epochs = a.Int("epochs"), rounds = a.Int("rounds"), batch = a.Int("batch");
        var weighting = a.Enum<CellWeighting>("cell-weighting");
        double? sigma = a.Double("sigma"), learningRate = a.Double("lr");
        int seed = a.Int("seed") ?? 0;
        bool baselines = a.Flag("baselines"), ablations = a.Flag("ablations"), forceSynthetic = a.Flag("synthetic");
        int? authorsTestLimit = a.Int("authors-test-limit");
        double? authorsHoldout = a.Double("authors-holdout");
        bool roundsAblation = !a.Flag("no-rounds-ablation");
        int pcaRank = a.Int("pca-rank") ?? 20;
        string? outPath = a.String("out");
        a.RejectUnknown();
        // TimeSpan.FromMinutes overflows far above any budget meant; a negative one is the library's to refuse.
        if (budgetMinutes > 1e6) throw new ArgumentException($"--budget-minutes is at most 1000000 (got {budgetMinutes}).");
        if (authorsTestLimit is < 1) throw new ArgumentException($"--authors-test-limit is at least 1 (got {authorsTestLimit}).");

        // ---- Settings: the library defaults, overridden only where asked.
        var defaults = new SsmOptions();
        var network = InpaintingNetworkOptions.Compact(1);
        if (width is { } w) network = network with { BaseWidth = w };
        if (depth is { } d) network = network with { Depth = d };
        var options = defaults with
        {
            ImageSize = size,
            Network = network,
            Training = defaults.Training with
            {
                Epochs = epochs ?? defaults.Training.Epochs,
                TimeBudget = TimeSpan.FromMinutes(budgetMinutes),
                BatchSize = batch ?? defaults.Training.BatchSize,
                LearningRate = learningRate ?? defaults.Training.LearningRate,
                Seed = seed,
            },
            Scoring = defaults.Scoring with
            {
                RefinementRounds = rounds ?? defaults.Scoring.RefinementRounds,
                CellWeighting = weighting ?? defaults.Scoring.CellWeighting,
                SmoothingSigma = sigma ?? defaults.Scoring.SmoothingSigma,
            },
        };
        options.Validate();
        // The baselines' settings are checked now, not after the first model has trained (their failure then lost its row).
        if (baselines)
        {
            try { AuthorsOptions(options, authorsHoldout).Validate(); }
            catch (ArgumentException e) { throw new ArgumentException($"The authors'-widths baseline (--baselines): {e.Message}", e); }
        }

        // ---- Data.
        string? temporary = null;
        string root, dataNote;
        if (dataArg is not null)
        {
            root = Path.GetFullPath(dataArg);
            dataNote = $"dataset: {root} (--data)";
        }
        else
        {
            string? mtd = Repository.MtdFolder();
            if (!forceSynthetic && mtd is not null && Directory.Exists(mtd))
            {
                root = mtd;
                dataNote = $"dataset: MTD (magnetic tile defects) at {mtd} (found relative to the repository root)";
            }
            else
            {
                temporary = Path.Combine(Path.GetTempPath(), $"ssm-benchmark-synthetic-{Environment.ProcessId}");
                SyntheticDataset.Generate(new SyntheticDatasetOptions
                {
                    ImageSize = 128, TrainCount = 80, TestGoodCount = 24, TestDefectCount = 8, Seed = seed,
                }).WriteMvtec(temporary);
                root = temporary;
                dataNote = $"dataset: SYNTHETIC ({(forceSynthetic ? "--synthetic" : "no --data given and ../shared/datasets/mtd not found")}): generated woven texture, 128 px, seed {seed}, written to {temporary}";
            }
        }
        Console.WriteLine(dataNote);

        try
        {
            return Run(root, dataNote, options, baselines, ablations, roundsAblation, authorsTestLimit, authorsHoldout, pcaRank, outPath);
        }
        finally
        {
            if (temporary is not null) Directory.Delete(temporary, recursive: true);
        }
    }

    private static int Run(string root, string dataNote, SsmOptions options, bool baselines, bool ablations, bool roundsAblation,
        int? authorsTestLimit, double? authorsHoldout, int pcaRank, string? outPath)
    {
        using var memory = new MemorySampler();
        string loadAtStart = Machine.LoadAverage();
        int size = options.ImageSize;
        // ---- Load: decode each file once, keep it only as 8-bit at S (and as 64 x 64 floats for the PCA baseline).
        var pcaTrain = new List<float[]>();
        var pcaTest = new List<float[]>();
        var data = DecodedSplits.Load(MvtecFolder.Load(root, channels: 1), size, [size],
            onTrain: baselines ? image => pcaTrain.Add(ImageResize.Resize(image, PcaSide, PcaSide).Pixels) : null,
            onTest: baselines ? labeled => pcaTest.Add(ImageResize.Resize(labeled.Image, PcaSide, PcaSide).Pixels) : null);
        var train = data.Train;
        int defective = data.Defective;
        Console.WriteLine($"Loaded {train.Count} normal training images and {data.Labels.Count} test images ({defective} defective) at {size}x{size} in {data.LoadTime.TotalSeconds:F1} s.");

        var rows = new List<Row>();
        var notes = new List<string>();

        // Each SSM row's training, timed, with the peak memory of the training and calibration alone.
        (SsmModel Model, TimeSpan Time, double PeakMb) TrainTimed(SsmOptions o, string name)
        {
            memory.StartPhase();
            var sw = Stopwatch.StartNew();
            var model = SsmTrainer.Train(train, o, new ConsoleProgress(name));
            var time = sw.Elapsed;
            Console.WriteLine($"{name}: trained and calibrated in {time.TotalSeconds:F0} s ({model.Network.ParameterCount():N0} parameters); " +
                              $"refinement threshold {model.Calibration!.RefinementThreshold:G4}.");
            return (model, time, memory.PhasePeakMb);
        }

        // ---- (a) ML.NET RandomizedPca on raw pixels.
        if (baselines)
        {
            memory.StartPhase();
            rows.Add(RandomizedPca(pcaTrain, pcaTest, data.Labels, pcaRank, options.Training.Seed, memory));
            notes.Add($"RandomizedPca: ML.NET `AnomalyDetection.Trainers.RandomizedPca(rank: {pcaRank}, ensureZeroMean: true)` on raw gray pixels resized to {PcaSide}x{PcaSide}, trained on all {pcaTrain.Count} normal images; score = its normalised reconstruction error; no anomaly map, so pixel columns are n/a.");
            pcaTrain.Clear();
            pcaTest.Clear();
        }

        // ---- SSM with the chosen settings.
        int rounds = options.Scoring.RefinementRounds;
        var subset = authorsTestLimit is { } limit && limit < data.Labels.Count ? Indices.Every(data.Labels.Count, limit) : null;
        Evaluation? compactOnSubset = null;
        string ssmName = Describe(options);
        {
            var (trainedModel, trainTime, trainPeak) = TrainTimed(options, ssmName);
            using var model = trainedModel;
            string trained = Format.Duration(trainTime);

            memory.StartPhase();
            using var scorer = model.CreateScorer(model.Calibration!.RefinementThreshold);
            var main = Evaluate(scorer, rounds, data, size);
            rows.Add(ToRow($"{ssmName}, {RoundsName(rounds)}", main, trained, Math.Max(trainPeak, memory.PhasePeakMb)));

            // (c) Refinement on vs off from the same trained model.
            if (roundsAblation)
            {
                int otherRounds = rounds == 1 ? 2 : 1;
                memory.StartPhase();
                // Calibrated anew for the other number of rounds on the trainer's held-out images, as training with it
                // would: the map statistics differ with the rounds (R = 2 maps standardised with R = 1 statistics
                // penalised refinement in runs before 2026-11-30).
                var otherOptions = options with { Scoring = options.Scoring with { RefinementRounds = otherRounds } };
                var heldOut = train.Subset(SsmTrainer.Split(train.Count, options.Training).HeldOut);
                var otherCalibration = Calibration.Compute(model.Network, otherOptions, heldOut, progress: null);
                using var otherScorer = otherCalibration.CreateScorer(model.Network, otherOptions, otherCalibration.RefinementThreshold);
                var other = Evaluate(otherScorer, otherRounds, data, size);
                rows.Add(ToRow($"{ssmName}, {RoundsName(otherRounds)} (same model)", other, "(same model)", memory.PhasePeakMb));
            }

            if (ablations)
            {
                // Scoring-only ablation on the same network: the raw maps, without the per-pixel normal statistics.
                memory.StartPhase();
                using var raw = new AnomalyScorer(model.Network, options, model.Calibration.RefinementThreshold, standardization: null);
                rows.Add(ToRow($"{ssmName}, maps not standardised, {RoundsName(rounds)} (same model)", Evaluate(raw, rounds, data, size), "(same model)", memory.PhasePeakMb));
                notes.Add("Ablation rows marked (same model) rescore the network trained for the first SSM row (the other number of rounds recalibrated on the same held-out images). Other scoring choices (restoration error, smoothing, score formation) and AUROC per defect category: the `explore` command.");
            }
            if (baselines && subset is not null) compactOnSubset = Evaluate(scorer, rounds, data, size, subset);
        }

        // ---- (b) SSM with the authors' widths at the same budget.
        if (baselines)
        {
            var authorsOptions = AuthorsOptions(options, authorsHoldout);
            if (authorsHoldout is { } h)
                notes.Add($"The authors'-widths model holds out {h:P0} of the normal images for calibration (--authors-holdout) instead of {options.Training.HoldoutFraction:P0}: " +
                          $"each held-out image is scored {1 + options.Scoring.RefinementRounds} times to calibrate, which with this large network can take longer than its training.");
            string authorsName = Describe(authorsOptions);
            var (trainedModel, trainTime, trainPeak) = TrainTimed(authorsOptions, authorsName);
            using var model = trainedModel;
            memory.StartPhase();
            using var scorer = model.CreateScorer(model.Calibration!.RefinementThreshold);
            var result = Evaluate(scorer, rounds, data, size, subset);
            string suffix = subset is null ? "" : $" [test subset of {subset.Length}]";
            rows.Add(ToRow($"{authorsName}, {RoundsName(rounds)}{suffix}", result, Format.Duration(trainTime), Math.Max(trainPeak, memory.PhasePeakMb)));
            if (compactOnSubset is not null)
            {
                rows.Add(ToRow($"{ssmName}, {RoundsName(rounds)} [same test subset of {subset!.Length}]", compactOnSubset, "(first SSM row)", double.NaN));
                notes.Add($"[test subset]: scoring the authors' network on all test images does not fit the time available, so it is scored on every {(double)data.Labels.Count / subset.Length:F1}-th test image ({subset.Length} images, {subset.Count(i => data.Labels[i])} defective; the test list is sorted by category, so every category is represented); the compact model is shown on the same subset for comparison.");
            }
        }

        // ---- Report.
        var table = new MarkdownTable("method", "image AUROC", "pixel AUROC", "pixel AUROC per defect type (mean)", "AUPRO", "F1-max (image)", "training time", "inference ms/image", "peak memory (MB)");
        // Each defect type on its own, for the SSM rows: the pooled pixel figure mixes them.
        string[] types = [.. rows.SelectMany(r => r.PerType).Select(c => c.Category).Distinct()];
        var perTypeTable = new MarkdownTable(["method", .. types.Select(t => $"{t}: image / pixel AUROC")]);
        foreach (var r in rows.Where(r => r.PerType.Count > 0))
            perTypeTable.Add([r.Method, .. types.Select(t => r.PerType.FirstOrDefault(c => c.Category == t) is { } c
                ? $"{Format.F3(c.ImageAuroc ?? double.NaN)} / {Format.F3(c.PixelAuroc!.Value)}" : "n/a")]);
        foreach (var r in rows)
            table.Add(r.Method, Format.F3(r.ImageAuroc), r.PixelAuroc is { } p ? Format.F3(p) : "n/a", r.PixelAurocPerType is { } t ? Format.F3(t) : "n/a",
                r.Aupro is { } pro ? Format.F3(pro) : "n/a",
                Format.F3(r.ImageF1), r.TrainingTime, Format.F1(r.MsPerImage), double.IsNaN(r.PeakMb) ? "-" : Format.F0(r.PeakMb));
        notes.Insert(0, dataNote + $"; {train.Count} normal training images, {data.Labels.Count} test images ({defective} defective).");
        notes.Add($"SSM settings: {Settings(options)}. Training time = wall-clock of SsmTrainer.Train (training under the {options.Training.TimeBudget!.Value.TotalMinutes:G3}-min budget + calibration on held-out normals), on the CPU ({Environment.ProcessorCount} logical cores, TorchSharp/libtorch CPU).");
        notes.Add($"Pixel metrics at the model resolution {size}x{size}: ground-truth masks resized with ImageResize.ResizeMask (nearest); AUPRO integrated to FPR 0.3. Pixel AUROC pools every test image's pixels; per defect type, each category's images with the good ones (as `ssm evaluate` lists them), averaged over the categories. F1-max (image) is the best image-level F1 over all thresholds.");
        notes.Add("Inference ms/image: wall-clock of scoring the test split in batches of 8 already resized into the 16-bit image cache (excludes JPEG decoding and resizing), divided by the number of images.");
        notes.Add($"Peak memory: maximum of Process.WorkingSet64 (resident set, incl. native libtorch memory) sampled every 100 ms during that row's training + scoring (scoring only for rows of the same model); process-wide, so it includes the cached train/test images. Process.PeakWorkingSet64 at the end: {MemorySampler.ProcessPeakMb():F0} MB.");
        notes.Add($"Machine load (1/5/15-min load average of /proc/loadavg) at start: {loadAtStart}; at end: {Machine.LoadAverage()}. The machine may be shared, and a time budget buys fewer steps when it is.");

        var report = new StringBuilder();
        report.AppendLine(table.ToString());
        if (types.Length > 0) report.AppendLine(perTypeTable.ToString());
        foreach (var n in notes) report.AppendLine("- " + n);
        Report.Emit(report.ToString(), outPath);
        return 0;
    }

    private static string RoundsName(int rounds) => rounds == 1 ? "1 round (no refinement)" : $"{rounds} rounds (refinement)";

    private static string Describe(SsmOptions o)
    {
        var widths = o.Network.LevelWidths();
        return $"SSM {widths[0]}..{widths[^1]} x{o.Network.Depth} @{o.ImageSize}";
    }

    private static string Settings(SsmOptions o) =>
        $"S = {o.ImageSize}, widths {string.Join("-", o.Network.LevelWidths())}, cell sizes {string.Join("/", o.Masking.ResolveCellSizes(o.ImageSize))} px, n = {o.Masking.Groups} (scoring {o.Masking.ScoringGroups}), " +
        $"batch {o.Training.BatchSize}, lr {o.Training.LearningRate:G3} (x0.1 at {string.Join(" / ", o.Training.DecayAt.Select(f => $"{f:P0}"))} of the epochs), max epochs {o.Training.EpochsOn(TorchSharp.torch.CPU)}, flips {o.Training.Flip}, seed {o.Training.Seed}, " +
        $"normalisation {o.Normalization}, anomaly map from {o.Scoring.Error}, image score from {o.Scoring.ImageScoreError}, maps standardised {o.Scoring.StandardizeMaps}, size correction {o.Scoring.SizeCorrection}, " +
        $"cell weighting {o.Scoring.CellWeighting}, sigma {o.Scoring.ResolveSigma(o.ImageSize):G3} px, refinement quantile {o.Scoring.RefinementQuantile}, " +
        $"training precision {o.Training.Precision} ({NativeBFloat16.Resolve(o.Training.Precision, TorchSharp.torch.CPU)} on this CPU), " +
        $"scoring precision {o.Scoring.Precision} ({NativeBFloat16.Resolve(o.Scoring.Precision, TorchSharp.torch.CPU)} on this CPU)";

    private static Row ToRow(string name, Evaluation e, string trainingTime, double peakMb) =>
        new(name, e.ImageAuroc, e.Pixel.Auroc, e.PerType, e.Pixel.Aupro, e.ImageF1, trainingTime, e.MsPerImage, peakMb);

    /// <summary>Scores the test images (or a subset) in batches of 8 and computes every metric.</summary>
    private static Evaluation Evaluate(AnomalyScorer scorer, int rounds, DecodedSplits data, int size, int[]? subset = null)
    {
        var indices = subset ?? Enumerable.Range(0, data.Labels.Count).ToArray();
        var sw = Stopwatch.StartNew();
        var (maps, scores) = BatchScoring.Score(scorer, data.Test, indices, rounds);
        double ms = sw.Elapsed.TotalMilliseconds / indices.Length;
        var labels = indices.Select(i => data.Labels[i]).ToArray();
        var masks = indices.Select(i => data.Masks[size][i]).ToList();
        var pixel = PixelMetrics.Evaluate(maps, masks, size, size);
        var categories = indices.Select(i => data.Categories[i]).ToArray();
        // Each defect category's figures with the good images, as `ssm evaluate` lists them; those without masks have no pixel AUROC.
        var perType = CategoryMetrics.Compute(categories, labels, scores, maps: [.. maps.Select((m, k) => new LabeledAnomalyMap(m, masks[k], size, size))])
            .Where(c => c.PixelAuroc is not null).ToList();
        return new Evaluation(Roc.Auroc(scores, labels), pixel, perType, F1Max.Compute(scores, labels).F1, ms);
    }

    // ---- ML.NET baseline.

    private sealed class PixelRow
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class PcaScore
    {
        public float Score { get; set; }
    }

    private static Row RandomizedPca(List<float[]> train, List<float[]> test, IReadOnlyList<bool> testLabels, int rank, int seed, MemorySampler memory)
    {
        var ml = new MLContext(seed);
        var schema = SchemaDefinition.Create(typeof(PixelRow));
        schema[nameof(PixelRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, PcaSide * PcaSide);
        var trainView = ml.Data.LoadFromEnumerable(train.Select(p => new PixelRow { Features = p }), schema);
        var trainer = ml.AnomalyDetection.Trainers.RandomizedPca(featureColumnName: nameof(PixelRow.Features), rank: rank, ensureZeroMean: true, seed: seed);
        var sw = Stopwatch.StartNew();
        var model = trainer.Fit(trainView);
        var trainTime = sw.Elapsed;
        var testView = ml.Data.LoadFromEnumerable(test.Select(p => new PixelRow { Features = p }), schema);
        sw.Restart();
        var scores = ml.Data.CreateEnumerable<PcaScore>(model.Transform(testView), reuseRowObject: false).Select(s => s.Score).ToArray();
        double ms = sw.Elapsed.TotalMilliseconds / scores.Length;
        var labels = testLabels.ToArray();
        Console.WriteLine($"RandomizedPca: trained in {trainTime.TotalSeconds:F1} s.");
        return new Row($"ML.NET RandomizedPca (rank {rank}, raw {PcaSide}x{PcaSide} pixels)", Roc.Auroc(scores, labels), null, [], null,
            F1Max.Compute(scores, labels).F1, Format.Duration(trainTime), ms, memory.PhasePeakMb);
    }

    /// <summary>Prints one line per epoch, synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class ConsoleProgress(string name) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress p) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name}: epoch {p.Epoch}/{p.PlannedEpochs}  loss {p.Loss.Total:F4} (mse {p.Loss.Mse:F4}, ms-gms {p.Loss.MsGms:F4}, 1-ssim {p.Loss.Ssim:F4}, mask {p.Loss.Mask:F4})  lr {p.LearningRate:G2}  {p.Elapsed.TotalSeconds:F0} s"));
    }
}
