using Spectre.Console;
using Spectre.Console.Cli;
using SSM.Cli.Running;
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
            TestDefectCount = settings.TestDefect, Texture = settings.Texture, Seed = settings.Seed,
        };
        SyntheticDataset.Generate(options).WriteMvtec(staging.Folder);
        string folder = staging.Commit();
        Summary.Show(console, "generated", [
            ("folder", folder), ("train/good", settings.TrainCount.ToString()), ("test/good", settings.TestGood.ToString()),
            ("test defects", $"{settings.TestDefect * options.DefectKinds.Count} ({settings.TestDefect} of each of {options.DefectKinds.Count} kinds)"), ("image size", $"{settings.ImageSize}x{settings.ImageSize}"),
            ("texture", settings.Texture.ToString()),
            // Generated images have constant lighting: per-image normalisation (the default) only costs accuracy on them, and
            // their spots and colour changes are intensity defects, which squared error sees beside MS-GMS (the default).
            ("next", $"ssm train \"{folder}\" --normalization None"),
        ]);
        return 0;
    }
}
