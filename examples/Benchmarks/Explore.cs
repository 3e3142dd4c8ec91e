using System.Diagnostics;
using static TorchSharp.torch;
using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Evaluation;
using SSM.Core.Network;
using SSM.Core.Scoring;
using SSM.Core.Training;
using SSM.Core.Torch;

namespace SSM.Benchmarks;

/// <summary>
/// `explore`: one model (trained, or loaded with --model), many ways to form the image score from its raw maps, with
/// image AUROC per defect category and pixel metrics. Rows: max / mean / top 1 % / max without a border of S/16 of the
/// raw map; d- = minus the per-pixel mean of the held-out normal maps; z- = standardised by their per-pixel statistics;
/// both-z = this restoration error and the other (MS-GMS or squared error), each standardised, averaged. The statistics
/// come from the trainer's held-out images (reproduced from the seed). How the defaults in SsmOptions were chosen.
/// </summary>
internal static class Explore
{
    public static int Run(Arguments a)
    {
        string root = a.DataFolder();
        int? givenSize = a.Int("size");
        int size = givenSize ?? 64, epochs = a.Int("epochs") ?? 10, seed = a.Int("seed") ?? 0;
        int? width = a.Int("width");
        string? cells = a.String("cells"), modelPath = a.String("model"), dump = a.String("dump");
        var norm = a.Enum<InputNormalization>("normalization");
        var error = a.Enum<RestorationError>("error");
        var scoreError = a.Enum<RestorationError>("score-error"); // the image score's restoration error for a loaded model
        double? sigma = a.Double("sigma"), lr = a.Double("lr");
        var precision = a.Enum<NetworkPrecision>("precision");
        var weighting = a.Enum<CellWeighting>("cell-weighting");
        string? knn = a.String("knn"); // encoder levels for nearest-neighbour maps, e.g. "1,2"
        int knnGrid = a.Int("knn-grid") ?? 16;
        bool rotate = a.Flag("rotate"), noFlip = a.Flag("no-flip");
        int tta = a.Int("tta") ?? 1; // 1 = as is; 2 = + horizontal flip; 4 = + vertical and both flips (maps averaged)
        string? decayAt = a.String("decay-at"); // fractions of the epochs where the learning rate drops 10x, e.g. "0.6,0.9"
        int? groups = a.Int("groups"); // n, the complementary masks per cell size
        int draws = a.Int("mask-draws") ?? 1; // maps averaged over this many mask seeds
        bool mix = a.Flag("mix"); // with --refine and --error MsGms: MS-GMS and squared-error standardised maps mixed at several weights
        string? scoreCells = a.String("score-cells"); // cell sizes of the scoring masks of a loaded model, e.g. "8,16"
        int? scoreGroups = a.Int("score-groups"); // n of the scoring masks of a loaded model
        string? sizeCorrection = a.String("size-correction"); // on|off: the library's size correction for a loaded model (files before it: off)
        bool sizeCorrect = a.Flag("size-correct"); // with --refine: map level and score regressed on the log of the tile's area (held-out normals), taken away
        string? levelsFile = a.String("levels"); // with --refine: a CSV of every test image's path, category and the mean of its normal map pixels
        bool diagnose = a.Flag("pixel-negatives"); // with --refine: pooled pixel AUROC against the normal pixels of good images only, and of defective images only
        bool center = a.Flag("center"); // with --refine: each map minus a low quantile of its own values (the tile's own level)
        bool peaks = a.Flag("peaks"); // with --refine: where the maps peak (tenths of the width; near the defect or not)
        bool coarse = a.Flag("coarse"); // with --refine: a heavily smoothed copy of the map added to it at several widths and weights
        bool spread = a.Flag("spread"); // with --refine: the image score spread over its map at several weights (pixel metrics)
        string? saveScores = a.String("save-scores"); // with --refine: each row's scores, maps and masks to this file, for `compare` (rows after the first: "-R2-q<quantile>" added to the name)
        string? refine = a.String("refine"); // refinement quantiles, e.g. "0.95,0.99": the library's scoring with R = 1 and R = 2, each calibrated ("none": R = 1 only)
        a.RejectUnknown();
        // These act on the library scoring's rows, which --refine asks for: without it they did nothing, without a word.
        string[] needRefine = [.. new (string Name, bool Given)[] { ("save-scores", saveScores is not null), ("mix", mix), ("spread", spread), ("coarse", coarse),
            ("center", center), ("peaks", peaks), ("pixel-negatives", diagnose), ("levels", levelsFile is not null), ("size-correct", sizeCorrect) }
            .Where(o => o.Given).Select(o => "--" + o.Name)];
        if (refine is null && needRefine.Length > 0)
            throw new ArgumentException($"{string.Join(", ", needRefine)} act on the library scoring's rows: give --refine too (--refine none: R = 1 only).");
        var d = new SsmOptions();
        var net = InpaintingNetworkOptions.Compact(1);
        if (width is { } w) net = net with { BaseWidth = w };
        var options = d with
        {
            ImageSize = size, Network = net,
            Normalization = norm ?? d.Normalization,
            Masking = d.Masking with { CellSizes = cells?.Split(',').Select(int.Parse).ToArray(), Groups = groups ?? d.Masking.Groups },
            Training = d.Training with { Rotate = rotate, Flip = !noFlip, Epochs = epochs, Seed = seed, LearningRate = lr ?? d.Training.LearningRate,
                DecayAt = decayAt?.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray() ?? d.Training.DecayAt },
            Scoring = d.Scoring with { SmoothingSigma = sigma },
        };
        options.Validate();
        var sw = Stopwatch.StartNew();
        SsmModel? loaded = modelPath is not null && File.Exists(modelPath) ? SsmModel.Load(modelPath) : null;
        var loading = sw.Elapsed;   // the decoding below is not the model's time
        // A loaded model scores at its own size: images decoded at another would not fit its masks.
        if (loaded is not null && loaded.Options.ImageSize != size)
        {
            if (givenSize is not null)
                throw new ArgumentException($"--size {size}, but the model {modelPath} works at {loaded.Options.ImageSize} px: leave --size out with --model.");
            size = loaded.Options.ImageSize;
        }
        var data = DecodedSplits.Load(MvtecFolder.Load(root, channels: 1), size, [size]);
        var (train, test, cats, masks) = (data.Train, data.Test, data.Categories, data.Masks[size]);
        sw.Restart();
        SsmModel model;
        if (loaded is not null) model = loaded;
        else
        {
            model = SsmTrainer.Train(train, options, new SynchronousProgress<TrainingProgress>(p =>
                Console.WriteLine($"  epoch {p.Epoch}/{p.PlannedEpochs} loss {p.Loss.Total:F4} gms {p.Loss.MsGms:F4} {p.Elapsed.TotalSeconds:F0}s")));
            if (modelPath is not null) model.Save(modelPath);
        }
        Console.WriteLine($"model ready in {(loading + sw.Elapsed).TotalSeconds:F0} s");
        var heldOut = train.Subset(SsmTrainer.Split(train.Count, model.Options.Training).HeldOut);
        // Scoring settings given on the command line apply to a loaded model too (no retraining needed).
        var scoring = model.Options with { Masking = model.Options.Masking with {
                CellSizes = scoreCells?.Split(',').Select(int.Parse).ToArray() ?? model.Options.Masking.CellSizes,
                ScoringGroups = scoreGroups ?? model.Options.Masking.ScoringGroups },
            Scoring = model.Options.Scoring with { SmoothingSigma = sigma ?? model.Options.Scoring.SmoothingSigma,
            SizeCorrection = sizeCorrection is null ? model.Options.Scoring.SizeCorrection : sizeCorrection == "on",
            Error = error ?? model.Options.Scoring.Error,
            ImageScoreError = scoreError ?? model.Options.Scoring.ImageScoreError,
            Precision = precision ?? model.Options.Scoring.Precision,
            CellWeighting = weighting ?? model.Options.Scoring.CellWeighting } };
        if (tta > 1 && scoring.Scoring.Error != scoring.Scoring.ImageScoreError)
            throw new ArgumentException("--tta averages maps, so it needs the image score to be the map's maximum: give --score-error the same value as --error.");
        if (refine is not null)
        {
            Console.WriteLine($"| library scoring | image AUROC | {string.Join(" | ", PerCategory.Defects(cats, "good"))} | pixel AUROC | AUPRO |");
            var settings = new List<(int Rounds, double Quantile)> { (1, scoring.Scoring.RefinementQuantile) };
            settings.AddRange(refine.Split(',').Where(q => q != "none").Select(q => (2, double.Parse(q, System.Globalization.CultureInfo.InvariantCulture))));
            foreach (var (rounds, quantile) in settings)
            {
                var o = scoring with { Scoring = scoring.Scoring with { RefinementRounds = rounds, RefinementQuantile = quantile } };
                var calibration = Calibration.Compute(model.Network, o, heldOut, progress: null);
                using var scorer = calibration.CreateScorer(model.Network, o, calibration.RefinementThreshold);
                var (libMaps, libScores) = BatchScoring.Score(scorer, test, rounds: rounds, batchSize: 16);
                var px = PixelMetrics.Evaluate(libMaps, masks, size, size);
                var perCategory = PerCategory.Pixels(libMaps, masks, cats, "good");
                Console.WriteLine($"  pixel AUROC per category: {string.Join(", ", perCategory.Select(p => $"{p.Category} {p.PixelAuroc:F3} ({p.DefectShare:P0} of pixels)"))}");
                Console.WriteLine($"| R = {rounds}{(rounds > 1 ? $", quantile {quantile}" : "")} | {AurocCells(libScores, cats)} | {px.Auroc:F3} | {px.Aupro:F3} |");
                if (saveScores is not null)
                {
                    string path = rounds == 1 ? saveScores : Path.ChangeExtension(saveScores, null) + FormattableString.Invariant($"-R2-q{quantile}") + Path.GetExtension(saveScores);
                    new ScoredTestSet(size, [.. cats], libScores, libMaps, [.. masks]).Save(path);
                }
                if (mix && o.Scoring.Error == RestorationError.MsGms) MapVariants.Mixes(model, o, heldOut, test, libMaps, masks, cats, rounds);
                if (spread) MapVariants.ScoreSpread(libMaps, libScores, masks, cats);
                if (coarse) MapVariants.Coarse(libMaps, masks, cats);
                if (sizeCorrect) MapVariants.SizeCorrected(scorer, heldOut, test, libMaps, libScores, masks, cats);
                if (levelsFile is not null)
                    File.WriteAllLines(levelsFile, ["path,category,normal_mean,map_max", .. MvtecFolder.Load(root, channels: 1).TestItems.Select((t, i) =>
                        FormattableString.Invariant($"{t.Path},{cats[i]},{libMaps[i].Where((_, p) => !masks[i][p]).DefaultIfEmpty(0).Average():F4},{libMaps[i].Max():F4}"))]);
                if (diagnose)
                {
                    MapVariants.WherePixelAurocIsLost(libMaps, masks, cats);
                    // With map and score from different errors, a flagged image's map need not reach the score threshold.
                    float threshold = calibration.NormalMean + 3 * calibration.NormalStd;
                    var flagged = Enumerable.Range(0, cats.Count).Where(i => libScores[i] >= threshold).ToList();
                    Console.WriteLine($"  at 3 sd: {flagged.Count} images flagged; a map pixel above the threshold {threshold:F2} in {flagged.Count(i => libMaps[i].Max() >= threshold)}");
                }
                if (center) MapVariants.Centered(libMaps, masks, cats);
                if (peaks) MapVariants.Peaks(libMaps, masks);
            }
            return 0;
        }
        var heldMaps = Maps(model, scoring, heldOut, tta, draws);
        var scoringTime = Stopwatch.StartNew();
        var testMaps = Maps(model, scoring, test, tta, draws);
        Console.WriteLine($"test maps ({scoring.Scoring.Error}, {scoring.Scoring.Precision}): {scoringTime.Elapsed.TotalMilliseconds / test.Count:F1} ms per image");
        int plane = size * size;
        var mu = new float[plane]; var sd = new float[plane];
        for (int p = 0; p < plane; p++)
        {
            double m = heldMaps.Average(x => x[p]);
            mu[p] = (float)m;
            sd[p] = (float)Math.Sqrt(heldMaps.Sum(x => (x[p] - m) * (x[p] - m)) / (heldMaps.Count - 1));
        }
        float sdFloor = sd.Average() * 0.1f;
        int margin = Math.Max(1, size / 16);
        var zMaps = testMaps.Select(m => m.Select((v, p) => (v - mu[p]) / (sd[p] + sdFloor)).ToArray()).ToList();
        var dMaps = testMaps.Select(m => m.Select((v, p) => v - mu[p]).ToArray()).ToList();
        // The other restoration error, standardised the same way, averaged with this one.
        var otherOptions = scoring with { Scoring = scoring.Scoring with { Error = scoring.Scoring.Error == RestorationError.MsGms ? RestorationError.SquaredError : RestorationError.MsGms } };
        var otherStats = NormalMapStatistics.Compute(Maps(model, otherOptions, heldOut, tta, draws), 1);
        var ownStats = NormalMapStatistics.Compute(heldMaps, 1);
        var otherMaps = Maps(model, otherOptions, test, tta, draws);
        var bothMaps = otherMaps.Select((m, i) => m.Select((v, p) =>
            0.5f * ((v - otherStats.Mean[p]) / otherStats.Scale[p] + (testMaps[i][p] - ownStats.Mean[p]) / ownStats.Scale[p])).ToArray()).ToList();
        // The larger of the two standardised errors per pixel: a defect only one error sees is not halved.
        var eitherMaps = otherMaps.Select((m, i) => m.Select((v, p) =>
            Math.Max((v - otherStats.Mean[p]) / otherStats.Scale[p], (testMaps[i][p] - ownStats.Mean[p]) / ownStats.Scale[p])).ToArray()).ToList();
        var knnRows = new List<(string Name, List<float[]> Maps)>();
        if (knn is not null)
        {
            var split = SsmTrainer.Split(train.Count, model.Options.Training);
            var trainOnly = train.Subset(split.Train);
            if (knn != "pix")
            {
                var levels = knn.Split(',').Select(int.Parse).ToArray();
                using var bank = FeatureKnn.EncoderPatches(model, trainOnly, levels, knnGrid);
                using var held = FeatureKnn.EncoderPatches(model, heldOut, levels, knnGrid);
                using var queries = FeatureKnn.EncoderPatches(model, test, levels, knnGrid);
                AddKnn($"knn-enc{knn.Replace(",", "")}", FeatureKnn.Maps(bank, held, size), FeatureKnn.Maps(bank, queries, size));
            }
            using (var bank = FeatureKnn.PixelPatches(trainOnly, model.Options.Normalization, knnGrid))
            using (var held = FeatureKnn.PixelPatches(heldOut, model.Options.Normalization, knnGrid))
            using (var queries = FeatureKnn.PixelPatches(test, model.Options.Normalization, knnGrid))
                AddKnn("knn-pix", FeatureKnn.Maps(bank, held, size), FeatureKnn.Maps(bank, queries, size));
            void AddKnn(string name, List<float[]> heldKnn, List<float[]> testKnn)
            {
                var st = NormalMapStatistics.Compute(heldKnn, 1);
                knnRows.Add((name, testKnn));
                knnRows.Add(("z-" + name, testKnn.Select(m => m.Select((v, p) => (v - st.Mean[p]) / st.Scale[p]).ToArray()).ToList()));
                // With SSM's both-z maps: two standardised views of the same image, averaged.
                knnRows.Add(("both-z+" + name, knnRows[^1].Maps.Select((m, i) => m.Select((v, p) => 0.5f * (v + bothMaps[i][p])).ToArray()).ToList()));
            }
        }
        var variants = new (string, Func<int, float>)[]
        {
            ("max", i => testMaps[i].Max()),
            ("mean", i => testMaps[i].Average()),
            ("top1%", i => TopMean(testMaps[i], 0.01)),
            ("crop-max", i => CropMax(testMaps[i], size, margin)),
            ("d-max", i => dMaps[i].Max()),
            ("z-max", i => zMaps[i].Max()),
            ("z-top1%", i => TopMean(zMaps[i], 0.01)),
            ("both-z-max", i => bothMaps[i].Max()),
            ("either-z-max", i => eitherMaps[i].Max()),
        }.Concat(knnRows.Select(r => (r.Name + "-max", (Func<int, float>)(i => r.Maps[i].Max())))).ToArray();
        if (dump is not null)
        {
            Directory.CreateDirectory(dump);
            foreach (var c in cats.Distinct())
                foreach (int i in Enumerable.Range(0, cats.Count).Where(i => cats[i] == c).Take(4))
                {
                    using var one = test.Batch([i]);
                    using var shown = InputNormalizer.Apply(one, model.Options);
                    Write(Path.Combine(dump, $"{c}{i}_a.raw"), shown.data<float>().ToArray());
                    Write(Path.Combine(dump, $"{c}{i}_b.raw"), testMaps[i]);
                    Write(Path.Combine(dump, $"{c}{i}_c.raw"), zMaps[i]);
                    Write(Path.Combine(dump, $"{c}{i}_d.raw"), masks[i].Select(m => m ? 1f : 0f).ToArray());
                }
        }
        Console.WriteLine($"| score | all | {string.Join(" | ", PerCategory.Defects(cats, "good"))} |");
        foreach (var (name, f) in variants)
            Console.WriteLine($"| {name} | {AurocCells(Enumerable.Range(0, cats.Count).Select(f).ToArray(), cats)} |");
        foreach (var (name, maps) in new[] { ("map", testMaps), ("d-map", dMaps), ("z-map", zMaps), ("both-z-map", bothMaps), ("either-z-map", eitherMaps) }.Concat(knnRows))
        {
            var px = PixelMetrics.Evaluate(maps, masks, size, size);
            Console.WriteLine($"pixel {name}: AUROC {px.Auroc:F3} AUPRO {px.Aupro:F3}");
        }
        return 0;
    }

    /// <summary>"overall | per defect category" image AUROC cells of a table row.</summary>
    internal static string AurocCells(IReadOnlyList<float> scores, List<string> categories) =>
        $"{Roc.Auroc(scores.ToArray(), categories.Select(c => c != "good").ToArray()):F3} | " +
        string.Join(" | ", PerCategory.ImageAurocs(scores, categories, "good").Select(p => p.Auroc.ToString("F3")));

    private static void Write(string path, float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
    }

    private static float TopMean(float[] m, double share)
    {
        int k = Math.Max(1, (int)(m.Length * share));
        return m.OrderByDescending(v => v).Take(k).Average();
    }

    private static float CropMax(float[] m, int s, int margin)
    {
        float best = float.MinValue;
        for (int y = margin; y < s - margin; y++)
            for (int x = margin; x < s - margin; x++) best = Math.Max(best, m[y * s + x]);
        return best;
    }

    /// <summary>Raw maps; with several mask draws, the maps of scorers with consecutive mask seeds averaged.</summary>
    private static List<float[]> Maps(SsmModel model, SsmOptions options, ImageCache images, int tta = 1, int draws = 1)
    {
        float[][]? sum = null;
        for (int j = 0; j < draws; j++)
        {
            var o = options with { Scoring = options.Scoring with { MaskSeed = options.Scoring.MaskSeed + j } };
            using var scorer = new AnomalyScorer(model.Network, o, null);
            var maps = BatchScoring.Score(scorer, images, tta: tta, batchSize: 16).Maps;
            if (sum is null) sum = maps;
            else for (int i = 0; i < maps.Length; i++) for (int p = 0; p < maps[i].Length; p++) sum[i][p] += maps[i][p];
        }
        if (draws > 1) foreach (var m in sum!) for (int p = 0; p < m.Length; p++) m[p] /= draws;
        return [.. sum!];
    }
}
