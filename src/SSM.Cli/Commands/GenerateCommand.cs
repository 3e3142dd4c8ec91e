using Spectre.Console;
using Spectre.Console.Cli;
using SSM.Cli.Outputs;
using SSM.Core.Data;

namespace SSM.Cli.Commands;

/// <summary><c>ssm generate</c>: writes the built-in synthetic dataset in MVTec layout.</summary>
public sealed class GenerateCommand(IAnsiConsole console) : Command<GenerateSettings>
{
    public override int Execute(CommandContext context, GenerateSettings settings, CancellationToken cancellationToken)
    {
        using var staging = new OutputStaging(settings.Output);
        var options = new SyntheticDatasetOptions
        {
            ImageSize = settings.ImageSize, TrainCount = settings.TrainCount, TestGoodCount = settings.TestGood,
            TestDefectCount = settings.TestDefect, Texture = settings.TextureKind, Seed = settings.Seed, Channels = settings.Channels,
        };
        SyntheticDataset.Generate(options).WriteMvtec(staging.Folder);
        RefuseLeftovers(staging);
        string folder = staging.Commit();
        Summary.Show(console, "generated", [
            ("folder", folder), ("train/good", settings.TrainCount.ToString()), ("test/good", settings.TestGood.ToString()),
            ("test defects", $"{settings.TestDefect * options.DefectKinds.Count} ({settings.TestDefect} of each of {options.DefectKinds.Count} kinds)"), ("image size", $"{settings.ImageSize}x{settings.ImageSize}"),
            ("texture", settings.TextureKind.ToString()), ("channels", settings.Channels == 3 ? "3 (colour)" : "1 (grey)"),
            // Generated images have constant lighting: None keeps the authors' setting and the README's figures (the default
            // measures alike on them, and is the one to keep where a lamp can drift); their spots and colour changes are
            // intensity defects, which squared error sees beside MS-GMS (the default).
            ("next", $"ssm train \"{folder}\" --normalization None" + (settings.ImageSize < 64 ? $" --image-size {Math.Max(8, settings.ImageSize / 8 * 8)}" : "")),   // train's sizes: multiples of 8 at its default depth
        ]);
        return 0;
    }

    /// <summary>Refuses an output folder holding dataset images this run does not write (another run's, with more images
    /// or another layout): left beside the new ones, train would read both. The same command again replaces every file.</summary>
    private static void RefuseLeftovers(OutputStaging staging)
    {
        string[] leftovers = [.. new[] { "train", "test", "ground_truth" }
            .Select(part => Path.Combine(staging.Target, part)).Where(Directory.Exists)
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
