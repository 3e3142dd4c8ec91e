using Microsoft.ML;
using Spectre.Console;
using Spectre.Console.Cli;
using SSM.Cli.Inputs;
using SSM.Cli.Models;
using SSM.Cli.Outputs;
using SSM.Cli.Report;
using SSM.Cli.Scoring;
using SSM.MLNet;

namespace SSM.Cli.Commands;

/// <summary><c>ssm evaluate</c>: scores a labelled test set; writes model.zip (a copy, with any new threshold), metrics.json, report.html.</summary>
public sealed class EvaluateCommand(IAnsiConsole console, Warnings warnings) : Command<EvaluateSettings>
{
    public override int Execute(CommandContext context, EvaluateSettings settings, CancellationToken cancellationToken)
    {
        var mlContext = settings.CreateContext();
        ModelSettings.WarnIfConvolutionsMended(warnings);
        using var threads = settings.UseThreads();
        ModelRunner.RequireModelFile(settings.Model);
        settings.RefuseOutputHoldingModel(settings.Model, "ssm evaluate", "<MODEL>");
        var data = DatasetInput.Open(settings.Data, needTrain: false, needTest: true);
        DatasetInput.WarnSkipped(warnings, data.Skipped);
        string? calibrationFolder = settings.CalibrateOn is { } on ? Path.GetFullPath(on) : null;
        var normals = calibrationFolder is not null ? CalibrationImages(calibrationFolder, data, settings.Model, settings.MaxPixels) : null;
        if (normals is not null) console.WriteLine($"Calibrating the model on the {normals.Count} images of '{calibrationFolder}'.");
        var model = ModelRunner.Load(mlContext, settings.Model, settings.Threshold, settings.MaskThreshold, settings.MaxPixels, normals, warnings);
        using var owned = model as IDisposable;
        if (Directory.Exists(data.Root) && !Directory.Exists(Path.Combine(data.Root, "test")))
            console.WriteLine($"'{data.Root}' is a folder of images without a test folder: its {data.TestItems.Count} images are taken as good ones " +
                              "(the thresholds for each false-alarm budget, and how many the model flags; no AUROC without defects).");
        // A CSV's labels are free text: a test set of one kind has no AUROC, and a misspelt "good" would make it so.
        int defects = data.TestItems.Count(t => t.IsAnomalous);
        if (SSM.Core.Data.LabelsCsv.IsCsv(data.Root) && (defects == 0 || defects == data.TestItems.Count))
            warnings.Write(defects > 0
                ? $"no row of '{data.Root}' has a normal label (good, normal, ok, pass, 0, false, in any case): every image counts as a defect, and image AUROC needs both kinds."
                : $"every row of '{data.Root}' has a normal label: there is no defect to find, and image AUROC needs both kinds.");
        settings.RefuseOutputAmong([.. data.TestItems.Select(t => t.Path), .. data.TestItems.Select(t => t.MaskPath).OfType<string>()], "ssm evaluate");
        var ssm = ModelRunner.SsmOf(model);
        DatasetInput.CheckTestSet(data, decodeImages: false, settings.MaxPixels, (ssm.Tiles, ssm.ReadsFilesUpright));   // masks only: the model reads each test image once
        RefuseTrainingOutput(settings.Output);
        using var staging = new OutputStaging(settings.Output);
        string[] testPaths = [.. data.TestItems.Select(t => t.Path)];
        var testHeaders = ImageHeaders.HeadersOf(testPaths);
        string[] readable = [.. testPaths.Where((_, i) => testHeaders[i] is not null)];
        var headers = testHeaders.OfType<SSM.Core.Data.ImageHeader>().ToList();
        ImageHeaders.WarnForModel(warnings, headers, readable, ssm.Channels, ssm.ReadsFilesUpright);
        if (ImageHeaders.ColourForGreyModel(headers, readable, ssm.Channels) is { } grey) console.WriteLine(grey);
        var evaluation = TestSetRun.Evaluate(console, warnings, mlContext, model, data, cancellationToken)!;
        ModelRunner.Save(mlContext, model, staging.PathOf(OutputFiles.Model));
        // The settings the model was trained with, as train lists them; what only the training run knew (device, time budget,
        // what Auto chose there) is not saved in the model.
        var trainedWith = RecordedSettings.Of(ssm.Model.LastTrainingOptions, ssm.Model.LastTrainingOptions.Training.Epochs);
        new MetricsFile { Command = "evaluate", Version = CliApp.Version, EvaluatedModel = Path.GetFullPath(settings.Model),
            NetworkSha256 = ModelIdentity.Of(staging.PathOf(OutputFiles.Model)), Dataset = data.Root,
            CalibratedOn = calibrationFolder, CalibrationImages = normals?.Count, Threshold = ssm.Threshold, MaskThreshold = ssm.MaskThreshold, Settings = trainedWith }
            .With(ssm.Model.LastTraining).With(evaluation).Write(staging.PathOf(OutputFiles.Metrics));
        List<(string, string)> rows =
        [
            ("model", Path.GetFullPath(settings.Model)), ("dataset", data.Root), .. Summary.Training(ssm),
            ("channels", Summary.Channels(ssm)), ("threshold", Summary.Threshold(ssm)), .. TestSetRun.Rows(evaluation),
        ];
        HtmlReport.Write(staging.PathOf(OutputFiles.Report), "SSM evaluation report", [.. rows, .. trainedWith.Rows().Select(r => TrainCommand.ReportRow(r.Key, r.Value))],
            evaluation, [], ssm);
        cancellationToken.ThrowIfCancellationRequested();
        string folder = staging.Commit();
        Summary.Show(console, "evaluate", [.. rows, ("output", folder), ("report", Path.Combine(folder, OutputFiles.Report))]);
        if (settings.MinImageAuroc is { } least && !(evaluation.ImageAuroc >= least))
        {
            warnings.Write(evaluation.ImageAuroc is { } auroc
                ? $"image AUROC {Summary.F(auroc)} is below --min-image-auroc {Summary.F(least)}."
                : $"image AUROC cannot be measured on this test set (it needs good and defective images): --min-image-auroc {Summary.F(least)} is not met.");
            return ErrorReporter.CheckFailed;
        }
        return 0;
    }

    /// <summary>The images of <c>--calibrate-on</c> (its subfolders too), none of which may be a test image, by content: the
    /// test figures would then be those of images the threshold was set on. Those the model trained on are warned of.</summary>
    /// <param name="folder">The folder, as a full path.</param>
    private IReadOnlyList<string> CalibrationImages(string folder, SSM.Core.Data.MvtecDataset data, string model, long maxPixels)
    {
        if (File.Exists(folder))
            throw new CliException($"--calibrate-on takes a folder of good images; '{folder}' is a file.") { ExitCode = 2 };
        var (images, skipped) = DatasetInput.ImagesOf(folder, recursive: true);
        DatasetInput.WarnSkipped(warnings, skipped, DatasetInput.TreeNotRead);
        if (DatasetInput.MvtecLayoutIn(folder, images) is { } layout)
            throw new CliException($"'{folder}' holds folders of the MVTec layout ('{layout}'): --calibrate-on takes every image of the tree as good, so " +
                                   "its test images and masks would set the threshold. Give a folder of good images alone, taken since the training (a dataset's train/good is one, unless it trained this model).") { ExitCode = 2 };
        if (images.Count < SSM.Core.SsmModel.MinimumCalibrationImages)
            throw new CliException($"--calibrate-on needs at least {SSM.Core.SsmModel.MinimumCalibrationImages} good images; '{folder}' holds {images.Count}.");
        ImageHeaders.RefuseTooLarge(images, ImageHeaders.HeadersOf(images), maxPixels, "images of --calibrate-on");
        var shared = SameImages.TestImagesAmong(images, data);
        if (shared.Count > 0)
            throw new CliException($"{shared.Count} of the {images.Count} images of --calibrate-on {(shared.Count == 1 ? "is a test image" : "are test images")} too ({SameImages.Example(shared)}): the test figures would be those of images the " +
                                   "threshold was set on. Calibrate on other good images.") { ExitCode = 2 };
        // By content, as the training read its folders again: a copy, a link or a subfolder the training did not read is told apart.
        if (SameImages.Among(images, TrainingRecord.TrainingImages(model)) is { Count: > 0 } seen)
            // "trained this model" counted the images the training held out to calibrate, which the network never saw.
            warnings.Write($"{seen.Count} of the {images.Count} images of --calibrate-on {(seen.Count == 1 ? "is one of" : "are")} this model's training images ({SameImages.Example(seen)}" +
                           "; its metrics.json names the folders): the network trained on all of them but those it held out to calibrate (--holdout), " +
                           "so they score lower than new good images and the threshold comes out too low. Calibrate on good images taken since.");
        return images;
    }

    /// <summary>A training's output holds its only record (metrics.json: the data, time, threads and device of the run)
    /// beside its model: evaluate's files of the same names would replace both without a word (a lifecycle check).</summary>
    private static void RefuseTrainingOutput(string output)
    {
        string record = Path.Combine(Path.GetFullPath(output), OutputFiles.Metrics);
        if (MetricsFile.CommandOf(record) == "train")
            throw new CliException($"'{Path.GetDirectoryName(record)}' holds a training's output: evaluate would replace its metrics.json, the " +
                                   "training's only record, and its model.zip. Give evaluate another --output.") { ExitCode = 2 };
    }
}
