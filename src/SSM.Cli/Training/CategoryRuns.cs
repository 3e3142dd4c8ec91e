using System.Globalization;
using System.Text;
using Spectre.Console;
using SSM.Cli.Commands;
using SSM.Cli.Inputs;
using SSM.Cli.Models;
using SSM.Cli.Outputs;

namespace SSM.Cli.Training;

/// <summary>
/// <c>ssm train --each-category</c>: every dataset of the MVTec layout among a folder's subfolders (MVTec AD's download,
/// one per product) trained in turn, each into its own folder of the output exactly as <c>ssm train</c> of it alone writes
/// it, then one table of them all, printed and written as <see cref="FileName"/>: the per-category benchmark an anomalib
/// user runs over a root. A category that fails is said and listed; the others still train.
/// </summary>
internal static class CategoryRuns
{
    /// <summary>The table of every category, in the output folder.</summary>
    public const string FileName = "categories.csv";

    /// <summary>One category's row: its test-set figures from its metrics.json, or why it has none.</summary>
    /// <param name="Category">The subfolder's name.</param>
    /// <param name="Folder">Its output folder.</param>
    /// <param name="Metrics">What its training wrote; null when it failed.</param>
    /// <param name="Error">Why it failed; null when it trained.</param>
    public sealed record Row(string Category, string Folder, MetricsFile? Metrics, string? Error);

    /// <summary>Runs <paramref name="trainOne"/> once per category, with <paramref name="settings"/>' data and output set to
    /// the category's; returns 1 when any category failed, else 0.</summary>
    public static int Run(IAnsiConsole console, Warnings warnings, TrainSettings settings, Func<int> trainOne)
    {
        string root = Path.GetFullPath(settings.Data), output = Path.GetFullPath(settings.Output);
        if (File.Exists(root)) throw new CliException($"'{root}' is a file; --each-category takes the folder that holds the datasets.");
        if (!Directory.Exists(root)) throw new CliException($"Dataset folder '{root}' does not exist.{NearMatch.Suggestion(root)}");
        var folders = DatasetInput.CategoryFolders(root, needTrain: true);
        if (folders.Count == 0)
            throw new CliException($"'{root}' has no subfolder of the MVTec layout (<category>/train/good), which --each-category trains one by one. " +
                                   "To train the dataset in the folder itself, leave --each-category out.");
        // Outputs inside the root would sit among the datasets the next run reads.
        settings.RefuseOutputInside(root, "ssm train --each-category");
        var rows = new List<Row>();
        try
        {
            for (int i = 0; i < folders.Count; i++)
            {
                string category = Path.GetFileName(folders[i]), folder = Path.Combine(output, category);
                console.Write(new Rule($"[bold]{TerminalText.Markup(category)}[/] ({i + 1} of {folders.Count})").LeftJustified());
                (settings.Data, settings.Output) = (folders[i], folder);
                try
                {
                    trainOne();
                    rows.Add(new Row(category, folder, MetricsFile.Read(Path.Combine(folder, OutputFiles.Metrics)), null));
                }
                catch (OperationCanceledException stop)
                {
                    // The categories done are written: the table of them, and a message that does not say "no output".
                    var done = rows.Where(r => r.Metrics is not null).Select(r => r.Category).ToList();
                    if (done.Count > 0) Write(output, rows);
                    string?[] parts =
                    [
                        $"In category '{category}'.", (stop as StoppedException)?.Message,
                        done.Count == 0 ? null : $"{(done.Count == 1 ? "The category" : $"The {done.Count} categories")} trained before it " +
                                                 $"({string.Join(", ", done)}) {(done.Count == 1 ? "is" : "are")} in '{output}' with {FileName}; " +
                                                 $"the same command keeps {(done.Count == 1 ? "it" : "them")} and trains the rest.",
                    ];
                    throw new StoppedException(string.Join(" ", parts.OfType<string>()), stop, someOutputWritten: done.Count > 0);
                }
                catch (Exception ex)
                {
                    string message = ErrorReporter.Message(ex);
                    warnings.Error(message);
                    rows.Add(new Row(category, folder, null, message));
                }
            }
        }
        finally
        {
            (settings.Data, settings.Output) = (root, output);
        }
        Write(output, rows);
        console.Write(Table(rows));
        console.WriteLine($"Each category's model, metrics.json and report.html are in its folder of '{output}'; this table is {Path.Combine(output, FileName)}.");
        int failed = rows.Count(r => r.Error is not null);
        if (failed > 0) warnings.Error($"{failed} of {rows.Count} categories failed; the others trained (their errors are above).");
        return failed > 0 ? 1 : 0;
    }

    /// <summary>The file in a category's output folder that says what trained it (<see cref="Stamp"/>).</summary>
    public const string StampFile = ".each-category.stamp";

    /// <summary>What a category's training is: this ssm, its settings, and every training and test file and mask (path,
    /// length, time of writing; <see cref="CommandStamp"/>). An image added, removed or replaced trains the category again.</summary>
    public static string Stamp(RecordedSettings settings, Core.Data.MvtecDataset data) =>
        CommandStamp.Of([.. settings.Rows(), ("ssm", CliApp.Version)],
            [.. data.TrainPaths, .. data.TestItems.Select(t => t.Path), .. data.TestItems.Select(t => t.MaskPath).OfType<string>()]);

    /// <summary>Whether <paramref name="folder"/> holds, whole, what a training of <paramref name="stamp"/> wrote: the stamp,
    /// its metrics.json from train, and the model.zip that file names.</summary>
    public static bool TrainedBefore(string folder, string stamp)
    {
        string model = Path.Combine(folder, OutputFiles.Model), stampFile = Path.Combine(folder, StampFile);
        try
        {
            if (!File.Exists(stampFile) || File.ReadAllText(stampFile) != stamp || !File.Exists(model)) return false;
            return MetricsFile.TryRead(Path.Combine(folder, OutputFiles.Metrics), out _) is { Command: "train" } m && ModelIdentity.Of(model) == m.NetworkSha256;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or CliException) { return false; }
    }

    /// <summary>The table as the console shows it: a row per category and their mean.</summary>
    private static Table Table(IReadOnlyList<Row> rows)
    {
        var table = new Table().Title("train --each-category");
        foreach (string column in new[] { "category", "image AUROC", "pixel AUROC", "AUPRO", "image F1-max", "defects found", "good flagged", "training" })
            table.AddColumn(column);
        foreach (var row in rows)
        {
            if (row.Metrics is not { } m)
            {
                table.AddRow(TerminalText.Markup(row.Category), "[red]failed[/]", "", "", "", "", "", "");
                continue;
            }
            long good = m.TestImages - m.TestAnomalous;
            table.AddRow(TerminalText.Markup(row.Category), Metric(m.ImageAuroc), Metric(m.PixelAuroc), Metric(m.Aupro), Metric(m.ImageF1Max),
                m.TestAnomalous > 0 ? $"{m.TruePositives} of {m.TestAnomalous}" : "n/a", good > 0 ? $"{m.FalsePositives} of {good}" : "n/a",
                m.TrainingSeconds is { } s ? s < 60 ? $"{s:F0} s" : $"{s / 60:F1} min" : "");
        }
        if (Means(rows) is { } means)
            table.AddRow("[bold]mean[/]", Metric(means.ImageAuroc), Metric(means.PixelAuroc), Metric(means.Aupro), Metric(means.ImageF1Max), "", "", "");
        return table;
    }

    /// <summary>Each figure's mean over the categories that have it; null with fewer than two trained (the mean of one is that one).</summary>
    private static (double? ImageAuroc, double? PixelAuroc, double? Aupro, double? ImageF1Max)? Means(IReadOnlyList<Row> rows)
    {
        if (rows.Count(r => r.Metrics is not null) < 2) return null;
        double? Mean(Func<MetricsFile, double?> figure)
        {
            var values = rows.Select(r => r.Metrics is { } m ? figure(m) : null).OfType<double>().ToList();
            return values.Count == 0 ? null : values.Average();
        }
        return (Mean(m => m.ImageAuroc), Mean(m => m.PixelAuroc), Mean(m => m.Aupro), Mean(m => m.ImageF1Max));
    }

    /// <summary>Writes <see cref="FileName"/> as every output is written (<see cref="OutputStaging"/>: whole or not at all,
    /// under the output's lock): a row per category, its figures in full, then their mean.</summary>
    private static void Write(string output, IReadOnlyList<Row> rows)
    {
        static string N(double? v) => v?.ToString("R", CultureInfo.InvariantCulture) ?? "";
        static string Csv(string s) => Scoring.PredictionsTable.Csv(s);
        static string CsvFile(string s) => Scoring.PredictionsTable.CsvFile(s);
        var text = new StringBuilder("category,imageAuroc,pixelAuroc,aupro,imageF1Max,defectsFound,defects,goodFlagged,good,trainingSeconds,folder,error\n");
        foreach (var row in rows)
        {
            var m = row.Metrics;
            text.Append(CultureInfo.InvariantCulture, $"{CsvFile(row.Category)},{N(m?.ImageAuroc)},{N(m?.PixelAuroc)},{N(m?.Aupro)},{N(m?.ImageF1Max)},");
            text.Append(CultureInfo.InvariantCulture, $"{(m is { TestAnomalous: > 0 } ? m.TruePositives : null)},{m?.TestAnomalous},");
            text.Append(CultureInfo.InvariantCulture, $"{(m is not null && m.TestImages > m.TestAnomalous ? m.FalsePositives : null)},{(m is null ? null : m.TestImages - m.TestAnomalous)},");
            text.Append(CultureInfo.InvariantCulture, $"{N(m?.TrainingSeconds)},{CsvFile(row.Folder)},{Csv(row.Error ?? "")}\n");
        }
        if (Means(rows) is { } means)
            text.Append(CultureInfo.InvariantCulture, $"mean,{N(means.ImageAuroc)},{N(means.PixelAuroc)},{N(means.Aupro)},{N(means.ImageF1Max)},,,,,,,\n");
        using var staging = new OutputStaging(output);
        File.WriteAllText(staging.PathOf(FileName), text.ToString());
        staging.Commit();
    }

    private static string Metric(double? value) => Scoring.TestSetRun.Metric(value);
}
