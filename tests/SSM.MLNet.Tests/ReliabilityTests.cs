using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Tests.Data;
using SSM.Core.Tests.Scoring;
using SSM.Core.Training;

namespace SSM.MLNet.Tests;

/// <summary>Bad input, damaged models, concurrency and interruption at the ML.NET surface.</summary>
[Collection(TrainedModelCollection.Name)]
public sealed class ReliabilityTests(TrainedModelFixture fx)
{
    private sealed class VectorRow
    {
        [VectorType(1 * 16 * 16)]
        public float[] Pixels { get; set; } = new float[256];
    }

    private sealed class ColourVectorRow
    {
        [VectorType(3 * 16 * 16)]
        public float[] Pixels { get; set; } = new float[768];
    }

    private static SsmAnomalyDetectionOptions VectorOptions() => new()
    {
        InputColumnName = nameof(VectorRow.Pixels), VectorWidth = 16, VectorHeight = 16, ImageSize = 16, BaseWidth = 4, Depth = 3, Epochs = 1,
    };

    private string TempFile(string name) => Path.Combine(fx.Folder, Guid.NewGuid().ToString("N")[..8] + "-" + name);

    private float ScoreOf(string path)
    {
        var data = fx.Model.Transform(fx.Context.Data.LoadFromEnumerable([new ImageRow { ImagePath = path }]));
        return Scored.Read(data)[0].Score;
    }

    [Fact]
    public void Fit_on_an_empty_IDataView_says_how_many_images_are_needed()
    {
        var e = Assert.Throws<InvalidOperationException>(() => fx.Pipeline.Fit(fx.Context.Data.LoadFromEnumerable(new List<ImageRow>())));
        Assert.Contains("at least 4", e.Message);
        Assert.Contains("'Image'", e.Message);
    }

    [Fact]
    public void A_1x1_image_fails_naming_its_row_and_size()
    {
        string path = TempFile("tiny.png");
        ImageFile.Save(new FloatImage(1, 1, 1), path);
        var e = Assert.Throws<InvalidOperationException>(() => ScoreOf(path));
        Assert.Contains("row 0", e.Message);
        Assert.Contains("1x1", e.Message);
        // A PredictionEngine says it in the same words, without a row: its rows are calls.
        using var engine = fx.Context.Model.CreatePredictionEngine<ImageRow, Prediction>(fx.Model, new PredictionEngineOptions { OwnsTransformer = false });
        e = Assert.Throws<InvalidOperationException>(() => engine.Predict(new ImageRow { ImagePath = path }));
        Assert.StartsWith("Cannot score the image in column 'Image': ", e.Message);
        Assert.Contains("1x1", e.Message);
    }

    [Fact]
    public void Known_gap_LoadImages_decodes_truncated_files_partially_and_they_get_a_score()
    {
        // The gap docs/reliability.md documents: LoadImages (SkiaSharp) fills the missing part and raises nothing. A text path
        // column read by the model itself refuses these files (PathInputTests).
        Assert.True(float.IsFinite(ScoreOf(BrokenFiles.TruncatedPng(TempFile("truncated.png")))));
        Assert.True(float.IsFinite(ScoreOf(BrokenFiles.TruncatedJpeg(TempFile("truncated.jpg")))));
    }

    [Fact]
    public void A_10000x10000_image_is_scored_at_the_model_size()
    {
        // A flat gray image with one dark square: PNG keeps it small on disk; decoded it is 10^8 pixels.
        string path = TempFile("huge.png");
        var huge = new FloatImage(1, 10_000, 10_000);
        Array.Fill(huge.Pixels, 0.5f);
        for (int y = 4000; y < 5000; y++) Array.Fill(huge.Pixels, 0.1f, y * 10_000 + 4000, 1000);
        ImageFile.Save(huge, path);
        huge = null;
        GC.Collect();
        // The same picture at 100 x 100 reads into the same model-size image (area resampling), so it scores the same:
        // a resize that cropped, sampled a corner or lost the square would not.
        string small = TempFile("small.png");
        var picture = new FloatImage(1, 100, 100);
        Array.Fill(picture.Pixels, 0.5f);
        for (int y = 40; y < 50; y++) Array.Fill(picture.Pixels, 0.1f, y * 100 + 40, 10);
        ImageFile.Save(picture, small);
        var data = fx.Model.Transform(fx.Context.Data.LoadFromEnumerable([new ImageRow { ImagePath = path }, new ImageRow { ImagePath = small }]));
        var rows = Scored.Read(data);
        Assert.Equal(TrainedModelFixture.Size * TrainedModelFixture.Size, rows[0].Map.Length);
        Assert.Equal(rows[1].Score, rows[0].Score, 2);
        Assert.Equal(rows[1].Map, rows[0].Map, (a, b) => Math.Abs(a - b) < 0.01f);
    }

    [Fact]
    public void A_NaN_pixel_fails_at_Fit_naming_the_row()
    {
        var rows = Enumerable.Range(0, 6).Select(_ => new VectorRow()).ToList();
        rows[3].Pixels[10] = float.NaN;
        var context = new MLContext(seed: 1);
        var e = Assert.Throws<InvalidOperationException>(() => context.Transforms.DetectAnomaliesSsm(VectorOptions()).Fit(context.Data.LoadFromEnumerable(rows)));
        Assert.Contains("row 3", e.Message);
        Assert.Contains("NaN", e.Message);
    }

    [Fact]
    public void Pixel_values_outside_0_1_point_to_VectorScale()
    {
        var context = new MLContext(seed: 1);
        string RefusedAtFit(float pixel) => Assert.Throws<InvalidOperationException>(() => context.Transforms.DetectAnomaliesSsm(VectorOptions())
            .Fit(context.Data.LoadFromEnumerable(Enumerable.Range(0, 6).Select(_ => new VectorRow { Pixels = Enumerable.Repeat(pixel, 256).ToArray() }).ToList()))).Message;
        string above = RefusedAtFit(200f);
        Assert.Contains("VectorScale", above);
        Assert.Contains("row 0", above);
        // Below 0 as well (pixels centred on 0, say).
        Assert.Contains("has the value -0.5 at index 0, outside [0, 1] after scaling by 1", RefusedAtFit(-0.5f));
    }

    [Fact]
    public void A_model_zip_with_damaged_or_missing_weights_is_refused_with_a_clear_message()
    {
        Assert.Contains("integrity", RefusedWhenLoaded(WithWeights("damaged.zip", (ref byte[] bytes) => bytes[bytes.Length / 2] ^= 0x01)));
        string missing = Saved("no-network.zip");
        using (var archive = ZipFile.Open(missing, ZipArchiveMode.Update))
            archive.Entries.Single(e => e.FullName.EndsWith("SsmModel.bin")).Delete();
        Assert.Contains("The model has no 'SsmModel.bin' entry with the SSM network.", RefusedWhenLoaded(missing));
    }

    /// <summary>A zip cut short fails in .NET's zip reader, before any of SSM's code; weights cut short inside a sound zip
    /// (a copy interrupted inside the model file's writer) must be refused by SSM's own check, by name.</summary>
    [Fact]
    public void A_truncated_model_zip_and_truncated_weights_in_a_sound_zip_are_refused()
    {
        string zip = Saved("truncated.zip");
        BrokenFiles.CutInHalf(zip);
        Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(zip, out _));

        Assert.Contains("SSM model file is damaged or truncated", RefusedWhenLoaded(WithWeights("short.zip", (ref byte[] bytes) => Array.Resize(ref bytes, bytes.Length / 2))));
    }

    private delegate void BytesEdit(ref byte[] bytes);

    /// <summary>A score that is no number (a network gone bad in memory: a file with such weights is refused) is flagged, not
    /// passed: "score >= threshold" is false for NaN, and a line would have let every part through.</summary>
    [Fact]
    public void A_NaN_score_is_labelled_anomalous()
    {
        string zip = Saved("nan.zip");
        var loaded = (TransformerChain<ITransformer>)new MLContext().Model.Load(zip, out _);
        var ssm = (SsmAnomalyTransformer)loaded.LastTransformer;
        try
        {
            using (TorchSharp.torch.no_grad()) ssm.Model.Network.parameters().Last().fill_(float.NaN);
            var output = loaded.Transform(fx.Context.Data.LoadFromEnumerable(fx.Test.Take(3)));
            var scores = output.GetColumn<float>("Score").ToList();
            Assert.All(scores, s => Assert.True(float.IsNaN(s)));
            Assert.All(output.GetColumn<bool>("PredictedLabel"), Assert.True);
        }
        finally { ssm.Dispose(); }
    }

    [Fact]
    public void A_model_of_a_newer_format_asks_for_a_newer_package_in_our_words()
    {
        // ML.NET's own message blamed "ML.NET 1.0.0.0" with the versions swapped.
        string zip = WithEntry("newer.zip", "Model.key", (ref byte[] bytes) =>
        {
            int at = bytes.AsSpan().IndexOf("SSM-ANOM"u8);
            Assert.True(at >= 0, "The transformer's header names its signature.");
            BitConverter.TryWriteBytes(bytes.AsSpan(at + 8), 0x00010009u);    // written
            BitConverter.TryWriteBytes(bytes.AsSpan(at + 12), 0x00010009u);   // readable
        });
        var messages = RefusedWhenLoaded(zip);
        Assert.Contains("saved by a newer SSM.MLNet (its format 0x00010009; this version reads up to 0x0001", messages);
        Assert.Contains("Update the SSM.MLNet package", messages);
    }

    [Fact]
    public void A_zip_whose_network_is_of_other_channels_than_its_reader_is_refused_when_loaded()
    {
        // A review swapped SsmModel.bin between a grey and a colour model: the zip loaded, and scoring blamed every image.
        var context = new MLContext(seed: 1);
        var colour = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = 16, Channels = 3, TrainCount = 8, TestGoodCount = 1, TestDefectCount = 1, Seed = 4 });
        var train = context.Data.LoadFromEnumerable(colour.Train.Select(i => new ColourVectorRow { Pixels = i.Pixels }));
        string colourZip = TempFile("colour.zip");
        using (var model = context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions
               {
                   InputColumnName = "Pixels", ImageSize = 16, Channels = 3, BaseWidth = 4, Depth = 2, Epochs = 1, RefinementRounds = 1,
                   VectorWidth = 16, VectorHeight = 16,
               }).Fit(train))
            context.Model.Save(model, train.Schema, colourZip);
        byte[] colourNetwork;
        using (var archive = ZipFile.OpenRead(colourZip))
        using (var s = archive.Entries.Single(e => e.FullName.EndsWith("SsmModel.bin")).Open())
        using (var m = new MemoryStream()) { s.CopyTo(m); colourNetwork = m.ToArray(); }

        string swapped = WithWeights("swapped.zip", (ref byte[] bytes) => bytes = colourNetwork);
        Assert.Contains("The model reads 1-channel images but its 'SsmModel.bin' holds a network of 3 channel(s): the file's parts are of two models.",
            RefusedWhenLoaded(swapped));
    }

    [Theory]
    [InlineData(KindAt, 9, "Unknown input kind.")]
    [InlineData(NormalizationAt, 9, "Unknown score normalisation.")]
    [InlineData(BatchSizeAt, 0, "Scoring batch size out of range.")]
    [InlineData(BatchSizeAt, SsmAnomalyTransformer.MaxScoringBatchSize + 1, "Scoring batch size out of range.")]
    [InlineData(ThresholdAt, 0x7FC00000, "The threshold is not a finite number.")]   // NaN's bits: refused as the file's fault, not the caller's argument
    public void A_zip_whose_settings_are_out_of_range_is_refused_when_loaded(int at, int value, string message)
    {
        // A hand-edited or damaged Model.key would otherwise load and fail at the first row, or score in batches of 0.
        string zip = WithEntry("settings.zip", "Model.key", (ref byte[] bytes) =>
        {
            var settings = Settings(bytes);
            Assert.Equal((int)fx.Ssm.InputKind, BitConverter.ToInt32(settings[KindAt..]));
            Assert.Equal((int)fx.Ssm.ScoreNormalization, BitConverter.ToInt32(settings[NormalizationAt..]));
            Assert.Equal(fx.Ssm.ScoringBatchSize, BitConverter.ToInt32(settings[BatchSizeAt..]));
            Assert.Equal(fx.Ssm.Threshold, BitConverter.ToSingle(settings[ThresholdAt..]));
            BitConverter.TryWriteBytes(settings[at..], value);
        });
        Assert.Contains(message, RefusedWhenLoaded(zip));
    }

    [Fact]
    public void A_zip_whose_mask_threshold_is_no_number_is_refused_when_loaded()
    {
        using var masked = fx.Ssm.WithMaskThreshold(1.5f);
        string zip = WithEntry("mask.zip", "Model.key", (ref byte[] bytes) =>
        {
            var settings = Settings(bytes);
            Assert.Equal(1, settings[MaskThresholdAt - 1]);   // the flag saying one follows
            Assert.Equal(1.5f, BitConverter.ToSingle(settings[MaskThresholdAt..]));
            BitConverter.TryWriteBytes(settings[MaskThresholdAt..], float.NaN);
        }, new TransformerChain<ITransformer>([.. fx.Model.SkipLast(1), masked]));
        Assert.Contains("The mask threshold is not a finite number.", RefusedWhenLoaded(zip));
    }

    // Where SsmAnomalyTransformer.SaveModel writes its settings, after four column names (a string table index each) and
    // the input kind, channels, vector height and width, scale, normalisation and threshold (4 bytes each); then the
    // batch size, the image folder's name, whether files are turned upright (1 byte), whether a mask threshold follows (1).
    private const int KindAt = 16, NormalizationAt = 36, ThresholdAt = 40, BatchSizeAt = 44, MaskThresholdAt = 54;

    /// <summary>The transformer's own bytes in a Model.key entry: from where ML.NET's header says they begin (its FpModel).</summary>
    private static Span<byte> Settings(byte[] bytes)
    {
        long begins = BitConverter.ToInt64(bytes, 16);
        Assert.InRange(begins, 16, bytes.Length - MaskThresholdAt);
        return bytes.AsSpan((int)begins);
    }

    /// <summary>Every message of the exception loading <paramref name="zip"/> fails with, outermost first.</summary>
    private static string RefusedWhenLoaded(string zip) => ExceptionChain.Messages(Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(zip, out _)));

    /// <summary>The fixture's model (or <paramref name="model"/>) saved, with the training rows' schema, to a new zip named after <paramref name="name"/>.</summary>
    private string Saved(string name, ITransformer? model = null)
    {
        string zip = TempFile(name);
        fx.Context.Model.Save(model ?? fx.Model, fx.Context.Data.LoadFromEnumerable(fx.Train).Schema, zip);
        return zip;
    }

    /// <summary>The fixture's model saved to a zip whose SsmModel.bin entry <paramref name="edit"/> has changed.</summary>
    private string WithWeights(string name, BytesEdit edit) => WithEntry(name, "SsmModel.bin", edit);

    /// <summary>The fixture's model (or <paramref name="model"/>) saved to a zip whose SSM entry ending in <paramref name="suffix"/>
    /// <paramref name="edit"/> has changed.</summary>
    private string WithEntry(string name, string suffix, BytesEdit edit, ITransformer? model = null)
    {
        string zip = Saved(name, model);
        using var archive = ZipFile.Open(zip, ZipArchiveMode.Update);
        var entry = archive.Entries.Single(e => e.FullName.EndsWith(suffix) && (suffix != "Model.key" || IsSsmHeader(e)));
        byte[] bytes;
        using (var s = entry.Open()) { using var m = new MemoryStream(); s.CopyTo(m); bytes = m.ToArray(); }
        edit(ref bytes);
        string path = entry.FullName;
        entry.Delete();
        using (var w = archive.CreateEntry(path).Open()) w.Write(bytes);
        return zip;
    }

    private static bool IsSsmHeader(ZipArchiveEntry entry)
    {
        using var s = entry.Open();
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray().AsSpan().IndexOf("SSM-ANOM"u8) >= 0;
    }

    [Fact]
    public void Eight_threads_with_Transform_and_PredictionEngines_get_exactly_the_sequential_scores()
    {
        var rows = fx.Test.Take(16).ToList();
        // Transform scores 8 rows per engine call and a PredictionEngine one, which may differ in the last bits (see
        // Close); each must give exactly its own sequential scores under concurrency.
        var sequential = Scored.Read(fx.Model.Transform(fx.Context.Data.LoadFromEnumerable(rows)));
        float[] sequentialEngine;
        using (var engine = fx.Context.Model.CreatePredictionEngine<ImageRow, Prediction>(fx.Model, new PredictionEngineOptions { OwnsTransformer = false }))
            sequentialEngine = rows.Select(r => engine.Predict(r).Score).ToArray();
        var results = new float[8][];
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            if (t % 2 == 0)
                results[t] = Scored.Read(fx.Model.Transform(fx.Context.Data.LoadFromEnumerable(rows))).Select(r => r.Score).ToArray();
            else
            {
                var engine = fx.Context.Model.CreatePredictionEngine<ImageRow, Prediction>(fx.Model,
                    new PredictionEngineOptions { OwnsTransformer = false });
                results[t] = rows.Select(r => engine.Predict(r).Score).ToArray();
            }
        })).ToList();
        threads.ForEach(x => x.Start());
        threads.ForEach(x => x.Join());
        var expected = sequential.Select(r => r.Score).ToArray();
        for (int t = 0; t < 8; t++) Assert.Equal(t % 2 == 0 ? expected : sequentialEngine, results[t]);
        for (int i = 0; i < rows.Count; i++) Close.Score(fx.Ssm, sequentialEngine[i], expected[i]);
    }

    /// <summary>One PredictionEngine shared by two threads (against ML.NET's rule) mixed calls' results silently; an overlap
    /// now makes a call throw with a message. Both threads call until one throws (overlap is all but certain within the cap:
    /// each call spends nearly all its time scoring); whatever is thrown is kept, so that it shows, not only ours.</summary>
    [Fact]
    public void A_PredictionEngine_shared_by_two_threads_is_refused_with_a_message()
    {
        var rows = fx.Test.Take(4).ToList();
        using var engine = fx.Context.Model.CreatePredictionEngine<ImageRow, Prediction>(fx.Model, new PredictionEngineOptions { OwnsTransformer = false });
        var refusals = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        using var start = new Barrier(2);
        var threads = Enumerable.Range(0, 2).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < 500 && refusals.IsEmpty; i++)
            {
                try { engine.Predict(rows[(i + t) % rows.Count]); }
                catch (Exception e) { refusals.Add(e); }
            }
        })).ToList();
        threads.ForEach(x => x.Start());
        threads.ForEach(x => x.Join());
        Assert.False(refusals.IsEmpty, "500 calls from each of two threads never overlapped");
        Assert.All(refusals, e => Assert.Contains("a PredictionEngine is not thread-safe. Give each thread its own PredictionEngine, created with new PredictionEngineOptions { OwnsTransformer = false }",
            Assert.IsType<InvalidOperationException>(e).Message));
        // The engine still serves one thread afterwards, exactly.
        using var fresh = fx.Context.Model.CreatePredictionEngine<ImageRow, Prediction>(fx.Model, new PredictionEngineOptions { OwnsTransformer = false });
        Assert.Equal(fresh.Predict(rows[1]).Score, engine.Predict(rows[1]).Score);
    }

    /// <summary>A PredictionEngine asked of a disposed model (one a PredictionEnginePool replaced, say) is refused when it is
    /// created, with the message that names what disposes a model, and not at its first Predict.</summary>
    [Fact]
    public void A_PredictionEngine_of_a_disposed_model_is_refused_when_created()
    {
        var disposed = fx.Ssm.WithThreshold(3f);
        disposed.Dispose();
        var images = fx.Context.Transforms.LoadImages("Image", "", nameof(ImageRow.ImagePath)).Fit(fx.TestData);
        var chain = images.Append(disposed);
        Assert.Contains("OwnsTransformer", Assert.Throws<ObjectDisposedException>(() =>
            fx.Context.Model.CreatePredictionEngine<ImageRow, Prediction>(chain)).Message);
        Assert.Throws<ObjectDisposedException>(() => chain.GetOutputSchema(fx.TestData.Schema));
    }

    [Fact]
    public void From_finds_the_SSM_step_of_a_loaded_pipeline_or_says_there_is_none()
    {
        string zip = TempFile("chain.zip");
        fx.Context.Model.Save(fx.Model, null, zip);
        var loaded = fx.Context.Model.Load(zip, out _);
        using var ssm = SsmAnomalyTransformer.From(loaded);
        Assert.Equal(fx.Ssm.Threshold, ssm.Threshold);
        Assert.Same(fx.Ssm, SsmAnomalyTransformer.From(fx.Ssm));
        var none = fx.Context.Transforms.CopyColumns("B", "A").Fit(fx.Context.Data.LoadFromEnumerable(new[] { new { A = 1f } }));
        Assert.Contains("holds no SSM anomaly detector", Assert.Throws<ArgumentException>(() => SsmAnomalyTransformer.From(none)).Message);
    }

    /// <summary>What a PredictionEnginePool does on reload: the old model is disposed while requests still score with it.
    /// They finish; later ones get the transformer's ObjectDisposedException, never a TorchSharp error.</summary>
    [Fact]
    public void Disposing_a_loaded_model_while_PredictionEngines_score_lets_running_calls_finish()
    {
        string zip = TempFile("swap.zip");
        fx.Context.Model.Save(fx.Model, null, zip);
        var loaded = (TransformerChain<ITransformer>)new MLContext().Model.Load(zip, out _);   // its own network
        var row = fx.Test[^1];
        float expected;
        using (var engine = fx.Context.Model.CreatePredictionEngine<ImageRow, Prediction>(fx.Model, new PredictionEngineOptions { OwnsTransformer = false }))
            expected = engine.Predict(row).Score;
        var (scored, failures) = DisposeUnderLoad.Run(() =>
        {
            // One engine per thread, as a pool lends them.
            var engine = fx.Context.Model.CreatePredictionEngine<ImageRow, Prediction>(loaded, new PredictionEngineOptions { OwnsTransformer = false });
            return () => Assert.Equal(expected, engine.Predict(row).Score);
        }, loaded.Dispose);
        Assert.True(scored >= 20, $"only {scored} predictions before the Dispose");
        Assert.Equal(4, failures.Length);
        Assert.All(failures, e => Assert.Contains("OwnsTransformer", Assert.IsType<ObjectDisposedException>(e).Message));
    }

    [Fact]
    public void Cancelling_stops_Fit_and_leaves_a_checkpoint_to_resume_from()
    {
        var context = new MLContext(seed: 2);
        using var cts = new CancellationTokenSource();
        string folder = TempFile("checkpoints");
        var options = TrainedModelFixture.Options();
        options.Epochs = 1000;
        options.CheckpointFolder = folder;
        options.CheckpointEvery = 1;
        options.Cancellation = cts.Token;
        int epochs = 0;
        string? stopped = null;
        context.Log += (_, e) =>
        {
            if (e.Message.Contains("SSM: epoch") && ++epochs == 2) cts.Cancel();
            if (e.RawMessage.StartsWith("SSM: stopped")) stopped = e.RawMessage;
        };
        // The estimator takes its options when made: each Fit below makes it anew from the options as changed.
        IEstimator<ITransformer> Pipeline() => context.Transforms.LoadImages("Image", "", nameof(ImageRow.ImagePath)).Append(context.Transforms.DetectAnomaliesSsm(options));
        Assert.ThrowsAny<OperationCanceledException>(() => Pipeline().Fit(context.Data.LoadFromEnumerable(fx.Train.Take(8))));
        Assert.True(epochs < 1000);
        Assert.True(File.Exists(Path.Combine(folder, "ssm-training.checkpoint")));
        Assert.Matches($@"^SSM: stopped; the checkpoint in '{System.Text.RegularExpressions.Regex.Escape(folder)}' keeps epoch \d+ of 1000: Fit with the same settings and images continues from there\.$", stopped);

        // The same Fit again continues after the kept epoch, and says so before its first epoch.
        using var again = new CancellationTokenSource();
        options.Cancellation = again.Token;
        var log = new List<string>();
        context.Log += (_, e) =>
        {
            if (e.Source.Contains("Ssm") && e.RawMessage.StartsWith("SSM: ")) log.Add(e.RawMessage);
            if (e.Message.Contains("SSM: epoch")) again.Cancel();
        };
        Assert.ThrowsAny<OperationCanceledException>(() => Pipeline().Fit(context.Data.LoadFromEnumerable(fx.Train.Take(8))));
        var continuing = Assert.Single(log, m => m.StartsWith("SSM: continuing"));
        var kept = System.Text.RegularExpressions.Regex.Match(continuing, @"^SSM: continuing the training kept in '(.+)' after epoch (\d+) of 1000\.$");
        Assert.True(kept.Success, continuing);
        Assert.Equal(folder, kept.Groups[1].Value);
        int done = int.Parse(kept.Groups[2].Value);
        Assert.True(done >= 2, continuing);
        Assert.StartsWith($"SSM: epoch {done + 1}/1000 ", log.First(m => m.StartsWith("SSM: epoch")));
        Assert.True(log.IndexOf(continuing) < log.FindIndex(m => m.StartsWith("SSM: epoch")));

        // A Fit of other settings on that folder stops before training, without saying it continues anything.
        log.Clear();
        options.Epochs = 999;
        options.Cancellation = CancellationToken.None;
        var other = Assert.Throws<CheckpointMismatchException>(() => Pipeline().Fit(context.Data.LoadFromEnumerable(fx.Train.Take(8))));
        Assert.Contains("belongs to a training run with other settings or images (SsmAnomalyDetectionOptions.Epochs 1000, now 999)", other.Message);
        Assert.IsType<CheckpointMismatchException>(other.InnerException);
        Assert.DoesNotContain(log, m => m.StartsWith("SSM: continuing") || m.StartsWith("SSM: epoch"));

        // Each option by its own name, not the engine's path (Network.BaseWidth); the cell sizes that follow the image size,
        // which no option sets, left out.
        options.Epochs = 1000;
        (Action<SsmAnomalyDetectionOptions> Change, string Named)[] changes =
        [
            (o => o.BaseWidth = 4, "(SsmAnomalyDetectionOptions.BaseWidth 8, now 4)"),
            (o => o.TrainingPrecision = NetworkPrecision.Float32, "(SsmAnomalyDetectionOptions.TrainingPrecision Auto, now Float32)"),
            (o => o.ImageSize = TrainedModelFixture.Size / 2, $"(SsmAnomalyDetectionOptions.ImageSize {TrainedModelFixture.Size}, now {TrainedModelFixture.Size / 2}; the training images"),
        ];
        foreach (var (change, named) in changes)
        {
            var changed = options.Copy();
            change(changed);
            var refused = Assert.Throws<CheckpointMismatchException>(() => context.Transforms.LoadImages("Image", "", nameof(ImageRow.ImagePath))
                .Append(context.Transforms.DetectAnomaliesSsm(changed)).Fit(context.Data.LoadFromEnumerable(fx.Train.Take(8))));
            Assert.Contains(named, refused.Message);
            Assert.DoesNotContain("Masking.", refused.Message);
        }
    }
}
