using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using SSM.Cli.Inputs;
using SSM.Cli.Outputs;
using SSM.Core.IO;
using SSM.Core.Training;
using SSM.MLNet;

namespace SSM.Cli.Models;

/// <summary>
/// Trains, saves, loads and scores through the ML.NET API, as a user would. Models read the text column
/// <see cref="ImageRow.ImagePath"/> themselves (path input, no <c>LoadImages</c> step): every file is decoded once, strictly
/// (<c>ImageFile.LoadResized</c>), so a truncated or corrupt file fails instead of being scored from a partial decode.
/// </summary>
public static class ModelRunner
{
    /// <summary>
    /// The pipeline every model is trained with: <c>DetectAnomaliesSsm</c> alone, reading the image files named by the text column
    /// <see cref="ImageRow.ImagePath"/> (full paths, so no image folder). Sets those two fields of <paramref name="options"/>.
    /// </summary>
    public static IEstimator<ITransformer> Pipeline(MLContext mlContext, SsmAnomalyDetectionOptions options)
    {
        options.InputColumnName = nameof(ImageRow.ImagePath);
        options.ImageFolder = null;
        return mlContext.Transforms.DetectAnomaliesSsm(options);
    }

    /// <summary>Trains on the given defect-free images (full paths).</summary>
    /// <exception cref="CliException">No CUDA device, or image files that cannot be used (all of them listed).</exception>
    public static ITransformer Train(MLContext mlContext, IReadOnlyList<string> trainPaths, SsmAnomalyDetectionOptions options) =>
        RunTraining(mlContext, trainPaths, data => Pipeline(mlContext, options).Fit(data));

    /// <summary>The model's network trained further on the given defect-free images (full paths; <see cref="SsmCatalog.FineTuneSsm(AnomalyDetectionCatalog, ITransformer, IDataView, SsmFineTuningOptions)"/>).
    /// A model loaded with <c>toFineTune</c>, which reads <see cref="ImageRow.ImagePath"/> itself, as <c>ssm train</c>'s do.</summary>
    /// <exception cref="CliException">No CUDA device, or image files that cannot be used (all of them listed).</exception>
    public static ITransformer FineTune(MLContext mlContext, ITransformer model, IReadOnlyList<string> trainPaths, SsmFineTuningOptions options) =>
        RunTraining(mlContext, trainPaths, data => mlContext.AnomalyDetection.FineTuneSsm(model, data, options));

    /// <summary>Runs <paramref name="train"/> on the rows of <paramref name="trainPaths"/>, its errors in the command line's words.</summary>
    private static ITransformer RunTraining(MLContext mlContext, IReadOnlyList<string> trainPaths, Func<IDataView, ITransformer> train)
    {
        var data = mlContext.Data.LoadFromEnumerable(trainPaths.Select(p => new ImageRow { ImagePath = p }));
        try
        {
            return train(data);
        }
        catch (DeviceUnavailableException ex)
        {
            throw new CliException(ex.Message, ex);
        }
        catch (Exception ex) when (ErrorReporter.Innermost(ex) is TrainingDivergedException diverged)
        {
            // Said as every failure the user can act on, in the options' names: not as an InvalidOperationException.
            throw new CliException(diverged.MessageNaming("--learning-rate", "--seed"), ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // Fit reads every file before the first epoch and lists the unreadable ones in its words; the CLI's check names
            // them in its own, with the files too small to train on.
            if (UnusableFiles.Find(trainPaths, ex, what: "training images") is { } unusable) throw unusable;
            throw;
        }
    }

    /// <summary>Refuses a model that does not read image paths from <see cref="ImageRow.ImagePath"/>: one of the ML.NET API may
    /// read another column or form, which a copy saved as loaded must keep.</summary>
    private static void RequireImagePathColumn(ITransformer model, string option, string api, string then)
    {
        if (!ReadsTextColumn(model, nameof(ImageRow.ImagePath)))
            throw new CliException($"{option} works with models that read image paths from a text column named '{nameof(ImageRow.ImagePath)}', as " +
                                   $"ssm train's do (or an ML.NET pipeline's of that column name); this one reads another column: use the " +
                                   $"ML.NET API ({api}), and {then} the model it saves.");
    }

    /// <summary>Saves the model as an ML.NET zip; a model of <see cref="Load"/> as it was loaded (with the threshold given
    /// there), reading the input it was saved with, not the path column the commands feed it.</summary>
    public static void Save(MLContext mlContext, ITransformer model, string path)
    {
        if (!AsLoaded.TryGetValue(model, out var loaded))
        {
            mlContext.Model.Save(model, mlContext.Data.LoadFromEnumerable(Array.Empty<ImageRow>()).Schema, path);
            return;
        }
        var original = loaded.Rebuild();
        try { mlContext.Model.Save(original, loaded.Input, path); }
        finally { if (loaded.Owned) (original as IDisposable)?.Dispose(); }
    }

    // A loaded model as the commands feed it (ReadingImagePath) -> how to give it back as it was loaded, which evaluate
    // saves: a model of uploads' bytes or of a "path" column must keep reading them in the copy evaluate writes.
    private static readonly ConditionalWeakTable<ITransformer, Loaded> AsLoaded = new();

    /// <param name="Rebuild">The model as loaded, from the one fed.</param>
    /// <param name="Owned">Whether what Rebuild gives is a copy to dispose after saving.</param>
    /// <param name="Input">The input schema the model was saved with; null when it was saved without one.</param>
    private sealed record Loaded(Func<ITransformer> Rebuild, bool Owned, DataViewSchema? Input);

    /// <summary>The model file at <paramref name="path"/>, as a full path, checked before anything else is read: a mistyped
    /// path is said at once, not after a test set's files were listed and hashed.</summary>
    /// <exception cref="CliException">A folder, or no file, there.</exception>
    public static string RequireModelFile(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new CliException($"'{full}' is a folder; give the model file" +
                                   (File.Exists(Path.Combine(full, OutputFiles.Model)) ? $": '{Path.Combine(full, OutputFiles.Model)}'." : " (model.zip, written by ssm train)."));
        if (!File.Exists(full)) throw new CliException($"Model file '{full}' does not exist.{NearMatch.Suggestion(full)}");
        return full;
    }

    /// <summary>
    /// Loads a model saved by <see cref="Save"/>, with <paramref name="threshold"/> and <paramref name="maskThreshold"/> in place
    /// of its own when given, and a model of files reading up to <paramref name="maxPixels"/> (<c>--max-megapixels</c>, which
    /// the model does not keep); a missing or foreign file becomes a <see cref="CliException"/>. The caller disposes the result.
    /// </summary>
    /// <param name="calibrateOn">Normal images (full paths) to calibrate the model on instead of its training's held-out
    /// images (<c>evaluate --calibrate-on</c>), before the thresholds are applied; null to keep its calibration.</param>
    /// <param name="warnings">Where the calibration's warnings go, in the command line's terms.</param>
    /// <param name="toFineTune">For <c>train --from</c>: refuse a model that does not read <see cref="ImageRow.ImagePath"/>
    /// itself, as <see cref="FineTune"/> would save it reading that column instead of its own.</param>
    public static ITransformer Load(MLContext mlContext, string path, float? threshold = null, Commands.MaskThresholdChoice? maskThreshold = null,
        long? maxPixels = null, IReadOnlyList<string>? calibrateOn = null, Warnings? warnings = null, bool toFineTune = false)
    {
        string full = RequireModelFile(path);
        try
        {
            var model = mlContext.Model.Load(full, out var savedInput);
            try
            {
                void Change(Func<ITransformer, ITransformer> change)
                {
                    var moved = change(model);
                    (model as IDisposable)?.Dispose();   // the copy holds the network now (a recalibrated one its own copy)
                    model = moved;
                }
                // A model of LoadImages pictures gets them decoded: the command's own header check is its limit. Set first, so
                // that --calibrate-on's images are read with it too.
                if (toFineTune) RequireImagePathColumn(model, "--from", "mlContext.AnomalyDetection.FineTuneSsm", "evaluate");
                if (maxPixels is { } p && SsmOf(model).Input.ReadsFiles) Change(m => Changed(m, s => s.WithMaxImagePixels(p)));
                // Then the calibration, which the thresholds given are in the units of.
                if (calibrateOn is not null) Change(m => Recalibrated(mlContext, m, calibrateOn, warnings, (threshold is not null, maskThreshold is not null)));
                if (threshold is { } t) Change(m => Changed(m, s => s.WithThreshold(t)));
                if (maskThreshold is { } mask) Change(m => Changed(m, s => s.WithMaskThreshold(mask.Value)));
                return ReadingImagePath(mlContext, model, savedInput);
            }
            catch
            {
                (model as IDisposable)?.Dispose();
                throw;
            }
        }
        catch (CliException) { throw; }
        catch (Exception ex) when (ErrorReporter.Innermost(ex) is DeviceUnavailableException cuda)
        {
            throw new CliException(cuda.Message, ex);   // --device asked for a GPU this build or machine does not have
        }
        catch (Exception ex) when (ErrorReporter.Innermost(ex) is var newer && NewerFormat.Is(newer))
        {
            // A model of a later version is an ssm model all the same: "not a model written by ssm train" sent users hunting.
            throw new CliException($"'{full}' is a model of a newer SSM.MLNet than this ssm ({CliApp.Version}) reads: update the tool " +
                $"(dotnet tool update --global SSM.MLNet.Cli). {newer.Message}", ex);
        }
        catch (Exception ex)
        {
            throw new CliException(WhyNotLoaded(full, ex), ex);
        }
    }

    /// <summary>
    /// Why a model file did not load, in the user's terms: empty, not a zip (a download or copy cut short, or the images
    /// given first), a zip of something else, or a model that failed in loading, with the cause below ML.NET's wrappers
    /// (its "Error during class instantiation" alone named nothing). A review saw "Invalid argument" for an empty file and
    /// "Repository doesn't contain entry DataLoaderModel/Model.key" for another zip.
    /// </summary>
    private static string WhyNotLoaded(string full, Exception ex)
    {
        string cause = ex.GetBaseException().Message;
        try
        {
            if (new FileInfo(full).Length == 0) return $"'{full}' is empty, not a model: a copy or download that did not finish?";
            using var zip = System.IO.Compression.ZipFile.OpenRead(full);
            if (!zip.Entries.Any(e => e.FullName.EndsWith("Model.key", StringComparison.Ordinal)))
                return $"'{full}' is a zip file, but not a model written by ssm train: it holds no ML.NET model ({cause})";
        }
        catch (InvalidDataException)
        {
            return $"'{full}' is not a model: a model is a zip file, and this is none, or one cut short (a copy or download that did " +
                   "not finish?). predict and evaluate take the model first, then the images.";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return $"'{full}' cannot be read: {e.Message}"; }
        return $"'{full}' could not be loaded as a model: {cause}";
    }

    /// <summary>
    /// A loaded model as the commands feed it, one text column <see cref="ImageRow.ImagePath"/> of full paths: as it is when
    /// it reads that column, else behind a copy of it to the one text column of its saved input that it reads (a model
    /// trained through the ML.NET API may call it "path", and may start with <c>LoadImages</c>). Disposing the result
    /// disposes the model.
    /// </summary>
    /// <exception cref="CliException">The model reads anything else: images from vectors or <c>LoadImages</c> pictures of bytes, or
    /// other columns too. (A model of a <c>byte[]</c> column of whole files alone reads the files from their paths instead.)</exception>
    private static ITransformer ReadingImagePath(MLContext mlContext, ITransformer model, DataViewSchema? savedInput)
    {
        bool Reads(string column) => ReadsTextColumn(model, column);
        if (Reads(nameof(ImageRow.ImagePath))) return model;
        var ssm = SsmOf(model);
        // A model saved without its input schema (ML.NET allows null; docs/ml-net.md advises it for LoadImages pictures, and
        // the WebApi example saves so) has only its own input column to try.
        string? column = (savedInput ?? Enumerable.Empty<DataViewSchema.Column>()).Where(c => c.Type is TextDataViewType).Select(c => c.Name).Prepend(ssm.InputColumnName).FirstOrDefault(Reads);
        // A model of uploaded files (a byte[] column, a web API's) reads the same files from their paths with the same decoder.
        if (column is null && ssm.InputKind == SsmInputKind.Encoded && (model is SsmAnomalyTransformer || model is IEnumerable<ITransformer> steps && steps.Count() == 1))
        {
            var files = ssm.WithPathInput(nameof(ImageRow.ImagePath));
            (model as IDisposable)?.Dispose();   // the copy keeps the network
            string uploads = ssm.InputColumnName;
            AsLoaded.Add(files, new Loaded(() => files.WithBytesInput(uploads), Owned: true, savedInput));
            return files;
        }
        if (column is null)
            throw new CliException($"This model reads column '{ssm.InputColumnName}' ({ssm.InputKind}) and cannot be fed one text column of image " +
                                   "paths alone, which is all ssm gives a model: score it with the ML.NET API.");
        var copy = mlContext.Transforms.CopyColumns(column, nameof(ImageRow.ImagePath)).Fit(mlContext.Data.LoadFromEnumerable(Array.Empty<ImageRow>()));
        var fed = new TransformerChain<ITransformer>([copy, .. model as IEnumerable<ITransformer> ?? [model]]);
        AsLoaded.Add(fed, new Loaded(() => model, Owned: false, savedInput));
        return fed;
    }

    /// <summary>Whether <paramref name="model"/> can be fed a text column <paramref name="column"/> alone.</summary>
    private static bool ReadsTextColumn(ITransformer model, string column)
    {
        var schema = new DataViewSchema.Builder();
        schema.AddColumn(column, TextDataViewType.Instance);
        try { model.GetOutputSchema(schema.ToSchema()); return true; }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException) { return false; }
    }

    /// <summary>The model calibrated on the normal images at <paramref name="paths"/> (<see cref="SsmCatalog.RecalibrateSsm"/>),
    /// its warnings said in the command line's terms. Only a model that reads <see cref="ImageRow.ImagePath"/> itself, as
    /// <c>ssm train</c>'s do: one of the ML.NET API may read another column or form, which a copy saved as loaded must keep.</summary>
    /// <param name="given">Whether <c>--threshold</c> and <c>--mask-threshold</c> were given: a model's own, chosen against its
    /// old calibration, is not kept, which is said unless the command sets another.</param>
    /// <exception cref="CliException">Another model, or image files that cannot be used (all of them listed).</exception>
    private static ITransformer Recalibrated(MLContext mlContext, ITransformer model, IReadOnlyList<string> paths, Warnings? warnings,
        (bool Threshold, bool MaskThreshold) given)
    {
        var ssm = SsmOf(model);
        RequireImagePathColumn(model, "--calibrate-on", "mlContext.AnomalyDetection.RecalibrateSsm", "evaluate");
        string[] own =
        [
            .. !given.Threshold && ssm.Threshold != SsmAnomalyTransformer.DefaultThreshold(ssm.Calibration, ssm.ScoreNormalization)
                ? new[] { $"threshold {Commands.Summary.T(ssm.Threshold)}" } : [],
            .. !given.MaskThreshold && ssm.MaskThreshold is { } mask ? new[] { $"mask threshold {Commands.Summary.T(mask)}" } : [],
        ];
        if (own.Length > 0)
            warnings?.Write($"the model's {string.Join(" and ", own)} {(own.Length > 1 ? "were" : "was")} chosen against its " +
                            "old calibration: the copy calibrated on --calibrate-on goes back to the defaults (3 standard deviations; masks at each " +
                            "verdict's line). --threshold and --mask-threshold set others.");
        void Warn(object? _, LoggingEventArgs e)
        {
            if (Training.TrainingProgressView.ModelWarning(e) is { } warning) warnings?.Write(warning);
        }
        mlContext.Log += Warn;
        try { return mlContext.AnomalyDetection.RecalibrateSsm(model, mlContext.Data.LoadFromEnumerable(paths.Select(p => new ImageRow { ImagePath = p }))); }
        catch (InvalidOperationException ex)
        {
            if (UnusableFiles.Find(paths, ex, what: "images of --calibrate-on") is { } unusable) throw unusable;
            throw new CliException(ex.Message, ex);
        }
        finally { mlContext.Log -= Warn; }
    }

    /// <summary>The SSM transformer inside a model.</summary>
    public static SsmAnomalyTransformer SsmOf(ITransformer model)
    {
        try { return SsmAnomalyTransformer.From(model); }
        catch (ArgumentException e) { throw new CliException(e.Message, e); }
    }

    /// <summary>A copy of a saved chain with its SSM step changed, e.g. another threshold (no retraining; the network is shared).</summary>
    private static ITransformer Changed(ITransformer model, Func<SsmAnomalyTransformer, SsmAnomalyTransformer> change)
    {
        if (model is SsmAnomalyTransformer t) return change(t);
        var chain = (IEnumerable<ITransformer>)model;
        return new TransformerChain<ITransformer>(chain.Select(x => x is SsmAnomalyTransformer s ? change(s) : x).ToArray());
    }

    /// <summary>
    /// Scores images (full paths): score, decision and anomaly map of each, in input order. Works with models that read the
    /// path column themselves and with older ones that start with <c>LoadImages</c> on the same column. A file the model
    /// cannot read stops the scoring with an error listing every such file from there on; with <paramref name="unusable"/>
    /// given, those files are added to it instead and the others are scored (the results then leave them out).
    /// </summary>
    /// <exception cref="CliException">Image files that cannot be used (all of them listed), without <paramref name="unusable"/>.</exception>
    /// <param name="progress">Called with the number of files done (scored or found unusable).</param>
    /// <param name="unusable">Where to add the files that cannot be used, instead of stopping.</param>
    /// <param name="stopHint">A line added to the error that stops the scoring (how to go on regardless).</param>
    public static List<ScoredImage> Score(MLContext mlContext, ITransformer model, IReadOnlyList<string> paths, Action<int>? progress = null,
        List<UnusableFile>? unusable = null, string? stopHint = null)
    {
        var results = new List<ScoredImage>(paths.Count);
        ScoreEach(mlContext, model, paths, results.Add, progress, unusable, stopHint);
        return results;
    }

    /// <summary>As <see cref="Score"/>,
    /// each image handed to <paramref name="scored"/> as it comes, in input order: a caller that keeps less than the maps
    /// scores a folder of any size.</summary>
    public static void ScoreEach(MLContext mlContext, ITransformer model, IReadOnlyList<string> paths, Action<ScoredImage> scored,
        Action<int>? progress = null, List<UnusableFile>? unusable = null, string? stopHint = null)
    {
        try { ScoreEachReadable(mlContext, model, paths, scored, progress, unusable, stopHint); }
        catch (HandedOnFailure failure) { ExceptionDispatchInfo.Capture(failure.InnerException!).Throw(); }
    }

    /// <summary>A failure of the caller's per-image work, kept apart from the model's failures to read a file, which the
    /// retry below looks for among the same exception types.</summary>
    private sealed class HandedOnFailure(Exception inner) : Exception(inner.Message, inner);

    private static void ScoreEachReadable(MLContext mlContext, ITransformer model, IReadOnlyList<string> paths, Action<ScoredImage> scored,
        Action<int>? progress, List<UnusableFile>? unusable, string? stopHint)
    {
        IReadOnlyList<string> remaining = paths;
        int before = 0, skipped = 0;
        while (true)
        {
            int inPass = 0;
            try
            {
                ScoreInto(mlContext, model, remaining, s => { inPass++; scored(s); }, done => progress?.Invoke(before + skipped + done));
                return;
            }
            catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
            {
                // The model stops at the first file it cannot read (naming its row); find every bad one from there on at once.
                var bad = UnusableFiles.Among(remaining, from: inPass);
                if (bad.Count == 0) throw;
                if (unusable is null) throw UnusableFiles.Error(bad, paths.Count, ex, hint: stopHint);
                unusable.AddRange(bad);
                before += inPass;
                skipped += bad.Count;
                var badPaths = bad.Select(b => b.Path).ToHashSet(StringComparer.Ordinal);
                remaining = [.. remaining.Skip(inPass).Where(p => !badPaths.Contains(p))];
            }
        }
    }

    private static void ScoreInto(MLContext mlContext, ITransformer model, IReadOnlyList<string> paths, Action<ScoredImage> scored, Action<int> progress)
    {
        var ssm = SsmOf(model);
        var (mapWidth, mapHeight) = (ssm.MapWidth, ssm.MapHeight);
        var output = model.Transform(mlContext.Data.LoadFromEnumerable(paths.Select(p => new ImageRow { ImagePath = p })));
        var schema = output.Schema;
        using var cursor = output.GetRowCursor(schema);
        var score = cursor.GetGetter<float>(schema[ssm.ScoreColumnName]);
        var predicted = cursor.GetGetter<bool>(schema[ssm.PredictedLabelColumnName]);
        var map = cursor.GetGetter<VBuffer<float>>(schema[ssm.AnomalyMapColumnName ?? "AnomalyMap"]);
        float s = 0; bool p = false; VBuffer<float> m = default;
        for (int done = 0; cursor.MoveNext(); done++)
        {
            score(ref s); predicted(ref p); map(ref m);
            try { scored(new ScoredImage(paths[done], s, p, m.DenseValues().ToArray(), mapWidth, mapHeight)); }
            catch (Exception e) { throw new HandedOnFailure(e); }
            progress(done + 1);
        }
    }
}
