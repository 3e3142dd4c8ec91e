using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using SSM.Cli.Inputs;
using SSM.Cli.Models;
using SSM.Cli.Outputs;
using SSM.Cli.Scoring;

namespace SSM.Cli.Commands;

/// <summary><c>ssm predict</c>: scores an image or a folder; writes &lt;name&gt;_heatmap.png overlays and predictions.csv.</summary>
public sealed partial class PredictCommand(IAnsiConsole console, Warnings warnings) : Command<PredictSettings>
{
    public override int Execute(CommandContext context, PredictSettings settings, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();   // for a log read later: how long the run took
        var mlContext = settings.CreateContext();
        ModelSettings.WarnIfConvolutionsMended(warnings);
        using var threads = settings.UseThreads();
        ModelRunner.RequireModelFile(settings.Model);
        var (images, skipped) = DatasetInput.ImagesOf(settings.Input, settings.Recursive);
        // The heat maps are PNG files: written among the inputs, the next run on that folder would score them as images.
        settings.RefuseOutputAmong(images, "ssm predict");
        string inputFolder = Directory.Exists(settings.Input) ? ModelSettings.FullFolder(settings.Input) : Path.GetDirectoryName(images[0])!;
        if (settings.Recursive) settings.RefuseOutputInside(inputFolder, "ssm predict --recursive");
        var model = ModelRunner.Load(mlContext, settings.Model, settings.Threshold, settings.MaskThreshold, settings.MaxPixels);
        using var owned = model as IDisposable;
        DatasetInput.WarnSkipped(warnings, skipped, settings.Recursive ? DatasetInput.TreeNotRead : DatasetInput.FolderNotRead + "; --recursive reads subfolders");
        var ssm = ModelRunner.SsmOf(model);
        const string keepGoingHint = "(give --keep-going to score the others and list these in predictions.csv as 'unreadable')";
        var (headers, badUpFront) = ImageHeaders.ReadHeaders(images, settings.MaxPixels, (ssm.Tiles, ssm.ReadsFilesUpright));
        List<UnusableFile>? unusable = settings.KeepGoing ? [] : null;
        if (badUpFront.Count > 0)
        {
            if (unusable is null || badUpFront.Count == images.Count)
                throw UnusableFiles.Error(badUpFront, images.Count, hint: images.Count > 1 && unusable is null ? keepGoingHint : null);
            unusable.AddRange(badUpFront);
            var bad = badUpFront.Select(b => b.Path).ToHashSet(StringComparer.Ordinal);
            images = [.. images.Where(p => !bad.Contains(p))];
        }
        ImageHeaders.WarnForModel(warnings, headers, images, ssm.Channels, ssm.ReadsFilesUpright);
        if (ImageHeaders.ColourForGreyModel(headers, images, ssm.Channels) is { } grey) console.WriteLine(grey);
        using var staging = new OutputStaging(settings.Output);
        string identity = ModelIdentity.Of(settings.Model);   // hashes the network: once, for the stamp and summary.json
        using var done = KeptPredictions.Open(staging.Target, [
            // Another build may score or draw otherwise (a review's rows kept by an earlier one lacked their peaks): its rows start afresh.
            ("ssm", CliApp.Version), ("model", identity), ("threshold", ssm.Threshold.ToString("R", CultureInfo.InvariantCulture)),
            ("mask threshold", ssm.MaskThreshold?.ToString("R", CultureInfo.InvariantCulture) ?? "the verdict's"),
            ("input", Path.GetFullPath(settings.Input)), ("recursive", settings.Recursive.ToString()), ("heatmaps", settings.NoHeatMaps ? "none" :
            settings.AnomalousHeatMapsOnly ? "anomalous" : "all"), ("heatmap side", settings.HeatMapMaxSide.ToString(CultureInfo.InvariantCulture)), ("masks", settings.Masks.ToString()),
            ("device", settings.TorchDevice), ("max pixels", settings.MaxPixels.ToString(CultureInfo.InvariantCulture))], [.. images, .. badUpFront.Select(b => b.Path)]);
        if (done.Note is { } otherRuns) warnings.Write(otherRuns);
        if (done.Kept.Count > 0)
            console.WriteLine($"Going on after the {done.Kept.Count} of {images.Count} images a stopped run of this command did, kept in '{done.Folder}'.");
        var table = new PredictionsTable(ssm, inputFolder, settings.Masks);
        bool Pictured(bool predicted) => !settings.NoHeatMaps && (predicted || !settings.AnomalousHeatMapsOnly);
        // The kept rows go into the table in input order, each before the first image scored after it.
        int next = 0;
        void TakeKeptBefore(string? path)
        {
            for (; next < images.Count && images[next] != path; next++)
                if (done.Kept.TryGetValue(images[next], out var row)) table.Add(row, Pictured(row.Predicted));
            next++;
        }
        var toScore = images.Where(p => !done.Kept.ContainsKey(p)).ToList();
        try
        {
            // Drawing is read, resize, blend and encode per image: as long as scoring on a photo folder. It runs beside the
            // scoring, on as many threads as the network, and an image counts as done in the progress once its picture, if
            // it gets one, is written (and only then is it kept for a stopped run).
            using var drawing = settings.NoHeatMaps && !settings.Masks ? null : new HeatMapWriter(ssm, done.Folder, settings.Threads ?? Environment.ProcessorCount, cancellationToken,
                settings.HeatMapMaxSide == 0 ? int.MaxValue : settings.HeatMapMaxSide);
            // A run stopped after its last image had every image done: nothing left to score.
            if (toScore.Count > 0) ScoringProgressView.Run(console, "images", toScore.Count, cancellationToken, progress =>
            {
                int shown = 0;
                void Show(int count) { if (count > shown) progress(shown = count); }
                ModelRunner.ScoreEach(mlContext, model, toScore, s =>
                {
                    TakeKeptBefore(s.Path);
                    var row = table.Add(s, withHeatMap: Pictured(s.Predicted));
                    if (row.HeatMap is not null || row.Mask is not null) drawing!.Add(row.HeatMap, row.Mask, s.Path, s.Map, () => done.Add(row));
                    else done.Add(row);
                }, count => Show(count - (drawing?.Pending ?? 0)), unusable, stopHint: toScore.Count > 1 ? keepGoingHint : null);
                drawing?.Finish();
                Show(toScore.Count);
                return table.Scored;
            });
            TakeKeptBefore(null);
            cancellationToken.ThrowIfCancellationRequested();
            done.MoveInto(staging);
        }
        catch (OperationCanceledException stop) { throw done.Stopped(stop, images.Count); }
        catch
        {
            if (done.Failed(images.Count) is { } keptNote) warnings.Write(keptNote);
            throw;
        }
        int total = images.Count + badUpFront.Count;
        if (unusable is { Count: > 0 })
        {
            if (table.Scored == 0) throw UnusableFiles.Error(unusable, total);
            warnings.Write(UnusableFiles.Error(unusable, total).Message +
                           "\n  (--keep-going: the others are scored; these are in predictions.csv as 'unreadable')");
        }
        var byContrast = table.FlaggedByContrast;
        if (byContrast.Count > 0)
            warnings.Write($"{byContrast.Count} image(s) flagged for a contrast far below the training images' (blank or covered frames?), not for " +
                           $"anything the heat map can show: their maps stay below the decision threshold, and predictions.csv leaves their peak empty: " +
                           string.Join(", ", byContrast.Take(5).Select(Path.GetFileName)) + (byContrast.Count > 5 ? ", ..." : "") + ".");
        File.WriteAllText(staging.PathOf(OutputFiles.Predictions), table.Text(unusable ?? []));
        new PredictionRun("predict", CliApp.Version, Path.GetFullPath(settings.Model), identity, ssm.Threshold,
            Path.GetFullPath(settings.Input), settings.Recursive ? true : null, table.Scored, table.Anomalous, unusable?.Count ?? 0, table.HeatMaps.Count, settings.Masks ? table.Masks.Count : null,
            Math.Round(clock.Elapsed.TotalSeconds, 1), done.Kept.Count > 0 ? done.Kept.Count : null, ssm.MaskThreshold).Write(staging.PathOf(PredictionRun.FileName));
        // Looked at before this run's files move in, while the output is still locked (a run after it adds its own).
        var earlier = EarlierHeatMaps(staging.Target, table.HeatMaps.Concat(table.Masks));
        string folder = staging.Commit(whileLocked: done.DeleteAll);
        if (earlier.Count > 0)
            warnings.Write($"{Counted(earlier)} in '{folder}' are from an earlier run, not in this run's predictions.csv " +
                           $"(e.g. {earlier[0]}): give each run its own --output, or empty the folder first.");
        Summary.Show(console, "predict", [
            ("model", Path.GetFullPath(settings.Model)), ("images", table.Scored.ToString()), ("anomalous", table.Anomalous.ToString()), ("normal", (table.Scored - table.Anomalous).ToString()),
            .. Unreadable(unusable),
            ("channels", Summary.Channels(ssm)), ("threshold", Summary.T(ssm.Threshold)), ("max score", Summary.F(table.MaxScore)),
            ("predictions", Path.Combine(folder, OutputFiles.Predictions)), ("heat maps", settings.NoHeatMaps ? "none (--no-heatmaps)" : settings.AnomalousHeatMapsOnly ? $"{table.HeatMaps.Count}, of the anomalous images, in {folder}" : folder),
            .. (settings.Masks ? [("masks", $"{table.Masks.Count}, in {folder}")] : Array.Empty<(string, string)>()),
            .. (ssm.MaskThreshold is { } mask ? [("mask threshold", $"{Summary.T(mask)} (masks and contours mark every map value from it)")] : Array.Empty<(string, string)>()),
            ("time", $"{clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s"),
        ]);
        if (!settings.FailOnAnomaly) return 0;
        return table.Anomalous > 0 ? ErrorReporter.CheckFailed : unusable is { Count: > 0 } ? ErrorReporter.SomeUnreadable : 0;
    }

    /// <summary>An output folder used before keeps that run's heat maps (and masks) beside this run's predictions.csv (files of the same
    /// name are replaced, others stay): a walkthrough's daily job had 1,499 heat maps beside a 61-row CSV, without a word.
    /// They are the user's files to remove, not ours. Their paths in <paramref name="output"/>, subfolders included (an
    /// earlier --recursive run's), but for hidden folders and other predict outputs inside it (folders holding
    /// predictions.csv); a folder that cannot be read is passed over (the run's outputs are all made by now).</summary>
    private static List<string> EarlierHeatMaps(string output, IEnumerable<string> written)
    {
        if (!Directory.Exists(output)) return [];
        var ours = written.Select(f => f.Replace('\\', '/')).ToHashSet(StringComparer.Ordinal);
        var tree = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System };
        try
        {
            var otherOutputs = Directory.EnumerateFiles(output, OutputFiles.Predictions, tree).Select(Path.GetDirectoryName)
                .Where(d => d != Path.TrimEndingDirectorySeparator(output)).Select(d => d + Path.DirectorySeparatorChar).ToList();
            return [.. Directory.EnumerateFiles(output, "*.png", tree).Where(f => Picture().IsMatch(Path.GetFileName(f)))
                .Where(f => !otherOutputs.Any(o => f.StartsWith(o, StringComparison.Ordinal)))
                .Select(f => Path.GetRelativePath(output, f).Replace('\\', '/')).Where(f => !ours.Contains(f))];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { return []; }
    }

    private static string Counted(List<string> pictures)
    {
        int masks = pictures.Count(p => Picture().Match(Path.GetFileName(p)).Groups[1].Value == "mask");
        int heatMaps = pictures.Count - masks;
        return string.Join(" and ", new[] { heatMaps > 0 ? $"{heatMaps} heat map(s)" : null, masks > 0 ? $"{masks} mask(s)" : null }.OfType<string>());
    }

    /// <summary>A heat map's or a mask's file name, as <see cref="PredictionsTable"/> makes them: group 1 says which.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"_(heatmap|mask)\d*\.png$")]
    private static partial System.Text.RegularExpressions.Regex Picture();

    private static IEnumerable<(string, string)> Unreadable(List<UnusableFile>? unusable) =>
        unusable is { Count: > 0 } ? [("unreadable", unusable.Count.ToString())] : [];
}
