using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using SSM.Core.Data;

namespace SSM.Cli.Commands;

/// <summary>Options of <c>ssm generate</c>.</summary>
public sealed class GenerateSettings : CommonSettings
{
    [CommandOption("--seed <SEED>")]
    [Description("Random seed of the generated images; with --from, of which images are held out and of their painted defects.")]
    [DefaultValue(0)]
    public int Seed { get; set; }

    [CommandOption("--image-size <PIXELS>")]
    [Description("Side of the generated images.")]
    [DefaultValue(64)]
    public int ImageSize { get; set; } = 64;

    [CommandOption("--train-count <N>")]
    [Description("Defect-free training images (100: with the default --holdout 0.1, the 10 held out that calibrate a threshold without a warning).")]
    [DefaultValue(100)]
    public int TrainCount { get; set; } = 100;

    [CommandOption("--test-good <N>")]
    [Description("Defect-free test images.")]
    [DefaultValue(20)]
    public int TestGood { get; set; } = 20;

    [CommandOption("--test-defect <N>")]
    [Description("Defective test images per defect kind (with masks), for each of the defect kinds: scratch, spot, hole, colour change.")]
    [DefaultValue(8)]
    public int TestDefect { get; set; } = 8;

    [CommandOption("--texture <KIND>")]
    [Description("Texture of the generated images: Woven, Grainy, Striped or BrushedMetal; or All for one dataset of each, in subfolders named by " +
                 "texture (a root for train --each-category).")]
    [DefaultValue("Woven")]
    public string Texture { get; set; } = "Woven";

    [CommandOption("--channels <N>")]
    [Description("1 for grey images (their colour changes are brightness changes), 3 for colour images (their colour changes are mostly hue shifts, with a smaller change of brightness: a grey model misses those whose brightness hardly changes).")]
    [DefaultValue(1)]
    public int Channels { get; set; } = 1;

    [CommandOption("--from <FOLDER>")]
    [Description("A folder of your own good images (or a dataset whose train/good holds them) to make the dataset from instead of " +
                 "generated textures: --test-share of them are held out and written to test/good as they are and to test/<kind> " +
                 "with a painted defect of each kind (masks in ground_truth); the rest are copied to train/good. For a folder " +
                 "without defective images: train then tells how well painted defects are found on these images.")]
    public string? From { get; set; }

    [CommandOption("--test-share <SHARE>")]
    [Description("With --from: the share of the images held out to test on (at least one, and at most as many as leave 4 to train on).")]
    [DefaultValue(0.2)]
    public double TestShare { get; set; } = 0.2;

    /// <summary>Whether --texture is All: one dataset of each texture, each in its subfolder.</summary>
    public bool AllTextures => Texture.Trim().Equals("all", StringComparison.OrdinalIgnoreCase);

    /// <summary>The textures to write, as the generator's values (valid after <see cref="Validate"/>).</summary>
    public IReadOnlyList<TextureKind> TextureKinds => AllTextures ? Enum.GetValues<TextureKind>()
        : [ParseName<TextureKind>(Texture) ?? throw new InvalidOperationException($"--texture was not validated: '{Texture}'.")];

    public override ValidationResult Validate()
    {
        var common = base.Validate();
        if (!common.Successful) return common;
        if (From is not null) return ValidateFrom();
        if (ImageSize < SyntheticDatasetOptions.MinimumImageSize || ImageSize > SyntheticDatasetOptions.MaximumImageSize)
            return ValidationResult.Error($"--image-size must be from {SyntheticDatasetOptions.MinimumImageSize} to {SyntheticDatasetOptions.MaximumImageSize} (got {ImageSize}).");
        const int most = SyntheticDatasetOptions.MaximumCount;
        if (TrainCount is < 1 or > most) return ValidationResult.Error($"--train-count must be from 1 to {most:N0} (got {TrainCount}).");
        if (TestGood is < 0 or > most) return ValidationResult.Error($"--test-good must be from 0 to {most:N0} (got {TestGood}).");
        if (TestDefect is < 0 or > most) return ValidationResult.Error($"--test-defect must be from 0 to {most:N0} (got {TestDefect}).");
        if (Channels is not (1 or 3)) return ValidationResult.Error($"--channels must be 1 (grey) or 3 (colour) (got {Channels}).");
        if (!AllTextures && ParseName<TextureKind>(Texture) is null)
            return ValidationResult.Error($"--texture must be {string.Join(", ", Enum.GetNames<TextureKind>())} or All (any case; got '{Texture}').");
        return ValidationResult.Success();
    }

    private ValidationResult ValidateFrom()
    {
        if (!Directory.Exists(From)) return ValidationResult.Error($"--from '{From}' is not a folder (a folder of good images, or a dataset whose train/good holds them).");
        if (!(TestShare > 0 && TestShare < 1)) return ValidationResult.Error($"--test-share must lie between 0 and 1 (got {TestShare.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
        return ValidationResult.Success();
    }

    /// <summary>The generator's options, which say nothing where the images come from <see cref="From"/>.</summary>
    private static readonly string[] GeneratorOptions = ["--image-size", "--train-count", "--test-good", "--test-defect", "--texture", "--channels"];

    /// <summary>
    /// Refuses among <paramref name="arguments"/> (as typed, so a value equal to the default counts too) the generator's
    /// options with <see cref="From"/>, and <c>--test-share</c> without it: refused rather than ignored, as one typed
    /// expects it to act.
    /// </summary>
    /// <exception cref="CliException">Such an option was given (exit code 2).</exception>
    public void RefuseOptionsThatDoNotApply(IReadOnlyList<string> arguments)
    {
        if (From is null)
        {
            if (Given(arguments, "--test-share"))
                throw new CliException("--test-share applies only with --from (the share of your images held out to test on).") { ExitCode = 2 };
            return;
        }
        string[] given = [.. GeneratorOptions.Where(option => Given(arguments, option))];
        if (given.Length > 0)
            throw new CliException($"{string.Join(", ", given)} {(given.Length == 1 ? "describes generated images and does" : "describe generated images and do")} not apply with --from, " +
                                   "whose images keep their own size and colour (--test-share sets how many are held out).") { ExitCode = 2 };
    }
}
