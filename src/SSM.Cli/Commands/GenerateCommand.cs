using Spectre.Console;
using Spectre.Console.Cli;
using SSM.Cli.Outputs;
using SSM.Cli.Scoring;
using SSM.Core.Data;
using SSM.Core.Training;

namespace SSM.Cli.Commands;

/// <summary><c>ssm generate</c>: writes the built-in synthetic dataset in MVTec layout.</summary>
public sealed class GenerateCommand(IAnsiConsole console) : Command<GenerateSettings>
{
    public override int Execute(CommandContext context, GenerateSettings settings, CancellationToken cancellationToken)
    {
        settings.RefuseOptionsThatDoNotApply(context.Arguments);
        if (settings.From is { } from) return FromOwnImages(settings, from, cancellationToken);
        using var staging = new OutputStaging(settings.Output);
        SyntheticDatasetOptions Options(TextureKind texture) => new()
        {
            ImageSize = settings.ImageSize, TrainCount = settings.TrainCount, TestGoodCount = settings.TestGood,
            TestDefectCount = settings.TestDefect, Texture = texture, Seed = settings.Seed, Channels = settings.Channels,
        };
        // All: a root of one dataset per texture, as MVTec AD's download holds one per product.
        var parts = settings.TextureKinds.Select(t => (Texture: t, Subfolder: settings.AllTextures ? t.ToString().ToLowerInvariant() : "")).ToList();
        RefuseImagesOfItsOwn(staging.Target);   // before generating: it depends on the folder alone
        // One count over every texture's dataset, each as many images: 152 images of 1024 px took 18 s without a word
        // (4096 px: 16 times the pixels).
        int each = Options(parts[0].Texture).ImageCount;
        ScoringProgressView.Run(console, "images", each * parts.Count, cancellationToken, done =>
        {
            for (int i = 0; i < parts.Count; i++)
            {
                int before = i * each;
                SyntheticDataset.WriteMvtec(Options(parts[i].Texture), Path.Combine(staging.Folder, parts[i].Subfolder),
                    new SynchronousProgress<int>(n => done(before + n)), cancellationToken);
            }
            return each * parts.Count;
        }, words: ("Writing", "written"));
        foreach (var (_, subfolder) in parts) RefuseLeftovers(staging, subfolder);
        string folder = staging.Commit();
        int kinds = Options(parts[0].Texture).DefectKinds.Count;
        Summary.Show(console, "generated", [
            ("folder", folder), .. settings.AllTextures ? [("datasets", string.Join(", ", parts.Select(p => p.Subfolder)) + " (one per texture, each in MVTec layout)")] : Array.Empty<(string, string)>(),
            ("train/good", settings.TrainCount.ToString()), ("test/good", settings.TestGood.ToString()),
            ("test defects", $"{settings.TestDefect * kinds} ({settings.TestDefect} of each of {kinds} kinds)"), ("image size", $"{settings.ImageSize}x{settings.ImageSize}"),
            ("texture", string.Join(", ", parts.Select(p => p.Texture))), ("channels", settings.Channels == 3 ? "3 (colour)" : "1 (grey)"),
            // Generated images have constant lighting: None keeps the authors' setting and the README's figures (the default
            // measures alike on them, and is the one to keep where a lamp can drift); their spots and colour changes are
            // intensity defects, which squared error sees beside MS-GMS (the default).
            ("next", $"ssm train \"{folder}\"" + (settings.AllTextures ? " --each-category" : "") + " --normalization None" +
                     (settings.ImageSize < 64 ? $" --image-size {Math.Max(8, settings.ImageSize / 8 * 8)}" : "")),   // train's sizes: multiples of 8 at its default depth
        ]);
        return 0;
    }

    /// <summary><c>generate --from</c>: the user's good images, a share of them held out and painted (<see cref="PaintedTestSet"/>).</summary>
    private int FromOwnImages(GenerateSettings settings, string from, CancellationToken cancellation)
    {
        // Listed before the output's lock and staging folder exist, which would otherwise be among its entries when the
        // output lies inside it.
        var (images, skipped, source) = GoodImagesIn(from, settings.Output);
        PaintedTestSet.CheckImages(images);   // before the progress line says it is writing them
        using var staging = new OutputStaging(settings.Output);
        RefuseImagesOfItsOwn(staging.Target);
        var options = new PaintedTestSetOptions { TestShare = settings.TestShare, Seed = settings.Seed };
        var counts = ScoringProgressView.Run(console, "images", images.Count, cancellation,
            done => PaintedTestSet.WriteMvtec(images, staging.Folder, options, new SynchronousProgress<int>(done), cancellation), words: ("Writing", "written"));
        RefuseLeftovers(staging, "");
        string folder = staging.Commit();
        int kinds = options.DefectKinds.Count;
        string unchanged = counts.Unchanged.Count == 0 ? ""
            : $"; {counts.Unchanged.Count} left out, their defect changing no pixel: {string.Join(", ", counts.Unchanged.Take(5))}" +
              (counts.Unchanged.Count > 5 ? $", and {counts.Unchanged.Count - 5} more" : "");
        Summary.Show(console, "generated", [
            ("folder", folder), ("from", source + (skipped.Count > 0 ? $" (not images, so not read: {MvtecFolder.Describe(skipped)})" : "")),
            ("train/good", $"{counts.Train} (copied unchanged)"), ("test/good", $"{counts.Good} (held out, as they are)"),
            ("test defects", $"{counts.Defective} (painted on the {counts.Good} held-out images, one of each of {kinds} kinds{unchanged})"),
            ("next", $"ssm train \"{folder}\""),
        ]);
        return 0;
    }

    /// <summary>The images of <c>--from</c>: the folder's own, else its train/good (a dataset's), with what the folder holds
    /// besides them; a folder of neither is refused.</summary>
    private static (IReadOnlyList<string> Images, IReadOnlyList<string> Skipped, string Source) GoodImagesIn(string from, string output)
    {
        var (images, skipped) = MvtecFolder.ListImages(from);
        if (images.Count == 0 && MvtecFolder.TrainingGoodFolder(from) is { } good)
        {
            (images, skipped) = MvtecFolder.ListImages(good);
            from = good;
        }
        // An --output inside the folder (a run before this one wrote it) is this command's, not one of the user's entries.
        string ours = Path.GetFullPath(output).TrimEnd(Path.DirectorySeparatorChar);
        skipped = [.. skipped.Where(entry => Path.GetFullPath(entry).TrimEnd(Path.DirectorySeparatorChar) != ours)];
        if (images.Count < PaintedTestSet.MinimumImages)
            throw new CliException($"--from '{from}' holds {images.Count} image(s)" + (skipped.Count > 0 ? $" ({MvtecFolder.Describe(skipped)})" : "") +
                                   $": it needs at least {PaintedTestSet.MinimumImages} good images, {SsmTrainer.MinimumImages} to train on " +
                                   "(train's least) and one to paint defects on.") { ExitCode = 2 };
        return (images, skipped, Path.GetFullPath(from));
    }

    /// <summary>Refuses a plain folder of images as the output: written into it, the dataset's train/good would be what train
    /// reads of it, and its own images would no longer be read (a review's folder of good images, generated into, trained on
    /// the generated images alone).</summary>
    private static void RefuseImagesOfItsOwn(string target)
    {
        if (!Directory.Exists(target)) return;
        var (images, _) = MvtecFolder.ListImages(target);
        if (images.Count > 0)
            throw new CliException($"--output '{target}' holds {images.Count} image(s) of its own (e.g. {Path.GetFileName(images[0])}): written into it, " +
                                   "the dataset's train/good would be what train reads there, and not them. Give a new or empty --output folder.") { ExitCode = 2 };
    }

    /// <summary>Refuses an output folder holding dataset images this run does not write (another run's, with more images
    /// or another layout): left beside the new ones, train would read both. The same command again replaces every file.</summary>
    private static void RefuseLeftovers(OutputStaging staging, string subfolder)
    {
        string[] leftovers = [.. new[] { "train", "test", "ground_truth" }
            .Select(part => Path.Combine(staging.Target, subfolder, part)).Where(Directory.Exists)
            .SelectMany(part => Directory.EnumerateFiles(part, "*", SearchOption.AllDirectories))
            // Only what train reads counts: a Finder's .DS_Store or ._ file, or a note, is no second dataset.
            .Where(MvtecFolder.ReadsAsImage)
            .Select(file => Path.GetRelativePath(staging.Target, file))
            .Where(relative => !File.Exists(staging.PathOf(relative))).Order(StringComparer.Ordinal)];
        if (leftovers.Length > 0)
            throw new CliException($"--output '{staging.Target}' holds {leftovers.Length} dataset file(s) this run would not replace " +
                                   $"(e.g. {leftovers[0]}), so train would read them beside the new images. Give a new or empty " +
                                   "--output folder, or delete that one first.") { ExitCode = 2 };
    }
}
