using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using SSM.Core;
using SSM.Core.Data;
using SSM.Core.Network;
using SSM.Core.Torch;

namespace SSM.Cli.Commands;

/// <summary>Options of <c>ssm train</c>.</summary>
public sealed class TrainSettings : ModelSettings
{
    [CommandOption("--seed <SEED>")]
    [Description("Random seed of the weights, the held-out split and the training masks: the same seed gives the same model on the same machine.")]
    [DefaultValue(0)]
    public int Seed { get; set; }

    [CommandArgument(0, "<DATA>")]
    [Description("Dataset folder in MVTec layout (train/good, test/<class>, ground_truth/<class>) or a plain folder of good images.")]
    public string Data { get; set; } = "";

    [CommandOption("-r|--recursive")]
    [Description("<DATA> is a plain folder of good images in subfolders (by camera, by day): read every subfolder, at any depth " +
                 "(hidden folders, links to folders and predict outputs are not searched). Not for the MVTec layout.")]
    public bool Recursive { get; set; }

    [CommandOption("--add-good <FOLDER>")]
    [Description("More good images to train on: another dataset folder's training images (its train/good; its test set is not " +
                 "read) or a folder of good images (with --recursive, its subfolders too). Give it once per folder. With --from, " +
                 "the old images beside the new, so that both stay normal.")]
    public string[] AddGood { get; set; } = [];

    [CommandOption("--each-category")]
    [Description("<DATA> holds datasets of the MVTec layout in its subfolders, one per product (MVTec AD's download): train each " +
                 "in turn into its own folder of --output, then write one table of them all (categories.csv).")]
    public bool EachCategory { get; set; }

    [CommandOption("--image-size <PIXELS>")]
    [Description("Side the images are resized to: a multiple of 2^(depth-1) from 2^depth, i.e. of 8 from 16 at the default depth 4.")]
    [DefaultValue(64)]
    public int ImageSize { get; set; } = 64;

    [CommandOption("--tiles <COLUMNSxROWS>")]
    [Description("Cut every image into tiles of --image-size (e.g. 8x1 for a long strip, 4x4 for a large photo) that the network " +
                 "trains on and scores, for defects of a few pixels that resizing the whole image would shrink away. An image " +
                 "scores its highest tile; its heat map is its tiles' maps put together. Tiles overlap by half (see --tile-overlap). " +
                 "Each epoch takes as many times longer as there are tiles, and the default --epochs is divided by their number. " +
                 "One number N means N x N. Default 1x1: the whole image.")]
    [DefaultValue("1x1")]
    public string Tiles { get; set; } = "1x1";

    /// <summary><see cref="Tiles"/> as a grid, 1x1 for whole images (valid after <see cref="Validate"/>).</summary>
    public SSM.Core.Data.TileGrid TileGrid => (SSM.Core.Data.TileGrid.Parse(Tiles) ?? throw new InvalidOperationException($"--tiles was not validated: '{Tiles}'."))
        with { Overlapping = TileOverlap?.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) != true };

    [CommandOption("--tile-overlap <OVERLAP>")]
    [Description("With --tiles: 'half' adds a tile across every border, half on each side, so a defect on a border lies whole " +
                 "inside one (8x1 is cut into 15 tiles, about twice the scoring time); 'none' cuts the tiles side by side only. " +
                 "Default half.")]
    public string? TileOverlap { get; set; }

    [CommandOption("--width <CHANNELS>")]
    [Description("Width of the first network level (doubles per level, up to 8 times it), 2 to 1024.")]
    [DefaultValue(16)]
    public int Width { get; set; } = 16;

    [CommandOption("--depth <LEVELS>")]
    [Description("Levels of the network, 2 to 8.")]
    [DefaultValue(4)]
    public int Depth { get; set; } = 4;

    [CommandOption("--epochs <N>")]
    [Description("Passes over the training images. Default: 105 where training runs in bfloat16 (see --precision), else 70; " +
                 "about 30 minutes on MTD on a 2-core machine either way; divided by the tiles cut from each image (15 for --tiles 8x1), " +
                 "which keeps the training's steps.")]
    public int? Epochs { get; set; }

    [CommandOption("--learning-rate <RATE>")]
    [Description("Adam learning rate (decays x0.1 at 60 and 90 % of the epochs). With --from, the model's unless given.")]
    [DefaultValue(0.001)]
    public double LearningRate { get; set; } = 0.001;

    [CommandOption("--from <MODEL>")]
    [Description("Go on from a trained model.zip (fine-tuning): its network is trained further on <DATA>'s good images, for --epochs " +
                 "(default 10) from its learning rate, and calibrated on a held-out share of them. For good images the model " +
                 "restores worse than its training's (a moved part or camera, a new variant); where only the scores moved, evaluate " +
                 "--calibrate-on is enough. The network's shape, input and scoring are the model's: the options that set them are refused.")]
    public string? From { get; set; }

    [CommandOption("--batch-size <N>")]
    [Description("Training images per step (each runs once per mask).")]
    [DefaultValue(4)]
    public int BatchSize { get; set; } = 4;

    [CommandOption("--time-budget <MINUTES>")]
    [Description("Stop training after this many minutes even if the epochs are not done; the learning rate's decays are spread over the epochs it affords.")]
    public double? TimeBudget { get; set; }

    /// <summary>Largest <see cref="TimeBudget"/>: 19 years, far inside what a <see cref="TimeSpan"/> holds.</summary>
    public const double MaxTimeBudgetMinutes = 10_000_000;

    /// <summary><see cref="TimeBudget"/> as a span; null for none.</summary>
    public TimeSpan? TimeBudgetSpan => TimeBudget is { } minutes ? TimeSpan.FromMinutes(minutes) : null;

    [CommandOption("--checkpoint-every <EPOCHS>")]
    [Description("Epochs between checkpoints, kept in a hidden folder beside the output (.<output>.checkpoint-<stamp>, the stamp naming the settings and training files) until the output " +
                 "is written: after Ctrl+C or a crash, the same command continues from the last one and ends with the model an " +
                 "uninterrupted run gives. 0 = no checkpoints.")]
    [DefaultValue(5)]
    public int CheckpointEvery { get; set; } = 5;

    [CommandOption("--holdout <FRACTION>")]
    [Description("Share of the normal images held out of training to calibrate the score threshold (and standardise the " +
                 "maps), more than 0 and less than 0.9; at least 2 images are held out. With fewer than 10 held-out images " +
                 "the threshold's false-alarm rate is a rough guess: raise it on small sets. Where normal images vary, 0.2-0.3 can " +
                 "find defects the default misses (30 of 100 scans held out: 22 of 80 small lesions found with --sigma 1, against 3).")]
    [DefaultValue(0.1)]
    public double Holdout { get; set; } = 0.1;

    [CommandOption("--channels <MODE>")]
    [Description("auto, 1 or 3. 1 = grayscale (every image is converted by its luminance), 3 = colour. auto (default): 3 when " +
                 "every training image is a colour file and one at least of the first 16 has colour in its pixels, else 1 (grey files, a " +
                 "mix, or colour files of grey pixels, as a grey camera's saved as RGB); train says which it chose.")]
    [DefaultValue("auto")]
    public string Channels { get; set; } = "auto";

    /// <summary><see cref="Channels"/> as a number; null for auto (valid after <see cref="Validate"/>).</summary>
    public int? ChannelCount => Channels.Equals("auto", StringComparison.OrdinalIgnoreCase) ? null : int.Parse(Channels, System.Globalization.CultureInfo.InvariantCulture);

    [CommandOption("--normalization <MODE>")]
    [Description("PerImage or None (any case). How each image's brightness is normalised, in training and scoring alike. PerImage " +
                 "(default) standardises every image by its own mean and spread, removing differences of lamp brightness and exposure; one " +
                 "mean and spread for all three channels of a colour image, so a change in the light's colour (a warmer lamp, another " +
                 "white balance) is not removed and a colour model flags it. None keeps the pixel values: only where the lighting is held " +
                 "constant and brightness itself can be the defect (with None a lamp 30 % brighter flagged every good image of ssm generate).")]
    [DefaultValue("PerImage")]
    public string Normalization { get; set; } = "PerImage";

    [CommandOption("--error <KIND>")]
    [Description("MsGms, SquaredError or Both (any case). How a restoration is compared with its image to draw the anomaly map. MsGms " +
                 "(the paper's map) compares structure: scratches, cracks, edges, texture. SquaredError compares intensity: spots, stains, " +
                 "holes on low-contrast surfaces. Both (default) averages the two: on MTD it localised better (AUPRO 0.556 against 0.453).")]
    [DefaultValue("Both")]
    public string Error { get; set; } = "Both";

    [CommandOption("--score-error <KIND>")]
    [Description("MsGms, SquaredError or Both (any case). The restoration error whose map's maximum is the image score. Default: " +
                 "--error's, the anomaly map's own, so the verdict follows the heat map; with both errors it found small defects in " +
                 "large images that MsGms (the paper's score) missed (image AUROC 1.000 against 0.547), and on MTD the two are within " +
                 "noise (0.958 against 0.951).")]
    public string? ScoreError { get; set; }

    [CommandOption("--flip")]
    [Description("Flip the normal images at random (horizontally and vertically) while training, for textures and symmetric " +
                 "parts. Default off: a flipped normal image makes a part mounted the wrong way round look normal, and on MTD " +
                 "flips cost image AUROC.")]
    public bool Flip { get; set; }

    [CommandOption("--raw-maps")]
    [Description("Do not standardise the anomaly map. Default: each map pixel is standardised by its mean and spread over the " +
                 "held-out normal images, so maps and scores are in standard deviations and busy regions of normal images stop " +
                 "looking anomalous. Raw maps weigh every pixel alike: on MTD they gave worse image decisions but slightly better " +
                 "localisation; try it when localisation matters more.")]
    public bool RawMaps { get; set; }

    [CommandOption("--sigma <PIXELS>")]
    [Description("Sigma of the anomaly map's Gaussian smoothing, in pixels at --image-size; 0 = none. Default: image size / 32 " +
                 "(2 at 64). Smaller (image size / 64) when defects are only a few pixels wide at the model's size: on a " +
                 "walkthrough's scans with small lesions it sharpened the maps (pixel AUROC, AUPRO); on MTD it traded pixel AUROC for AUPRO.")]
    public double? Sigma { get; set; }

    [CommandOption("--rounds <R>")]
    [Description("Scoring rounds of progressive refinement, 1 to 10. 1 (default) = off. Later rounds hide only the cells judged " +
                 "suspicious; each round costs a full set of network passes. Measured: helped image decisions on striped textures, " +
                 "lowered localisation everywhere.")]
    [DefaultValue(1)]
    public int Rounds { get; set; } = 1;

    [CommandOption("--precision <FORMAT>")]
    [Description("Float32, BFloat16 or Auto (any case). Number format of the network in training and scoring (weights, " +
                 "gradients and the loss stay Float32). Auto (default): BFloat16 where the processor computes it faster than " +
                 "Float32 (AMX-BF16, or AVX-512 BF16 on AMD: a training step 1.8x and scoring 1.7x faster on an EPYC), Float32 elsewhere " +
                 "(emulated bfloat16 is slower, and so was an Intel Xeon's AVX-512 BF16 without AMX).")]
    [DefaultValue("Auto")]
    public string Precision { get; set; } = "Auto";

    /// <summary>The engine's bounds of <see cref="Holdout"/>, both excluded.</summary>
    public const double MinHoldout = 0, MaxHoldout = TrainingOptions.MaxHoldoutFraction;

    /// <summary>Highest <see cref="Rounds"/> the engine accepts.</summary>
    public const int MaxRounds = ScoringOptions.MaxRefinementRounds;

    /// <summary><see cref="Normalization"/> as the engine's value (valid after <see cref="Validate"/>).</summary>
    public InputNormalization InputNormalization => ParseName<InputNormalization>(Normalization)
        ?? throw new InvalidOperationException($"--normalization was not validated: '{Normalization}'.");

    /// <summary><see cref="Error"/> as the engine's value (valid after <see cref="Validate"/>).</summary>
    public RestorationError RestorationError => ParseName<RestorationError>(Error)
        ?? throw new InvalidOperationException($"--error was not validated: '{Error}'.");

    /// <summary><see cref="ScoreError"/> as the engine's value (valid after <see cref="Validate"/>).</summary>
    public RestorationError ImageScoreError => ScoreError is null ? RestorationError : ParseName<RestorationError>(ScoreError)
        ?? throw new InvalidOperationException($"--score-error was not validated: '{ScoreError}'.");

    /// <summary>The epochs training will run: <see cref="Epochs"/>, or the default for the precision it runs in on
    /// <see cref="ModelSettings.Device"/>, divided by the tiles (<see cref="SsmOptions.EpochsOn"/>; valid after
    /// <see cref="Validate"/>; loads libtorch).</summary>
    public int EpochsToRun()
    {
        TorchNative.EnsureLoaded();
        return new SsmOptions { Tiles = TileGrid, Training = new TrainingOptions { Epochs = Epochs, Precision = NetworkPrecision } }
            .EpochsOn(new TorchSharp.torch.Device(TorchDevice));
    }

    /// <summary><see cref="Precision"/> as the engine's value (valid after <see cref="Validate"/>).</summary>
    public NetworkPrecision NetworkPrecision => ParseName<NetworkPrecision>(Precision)
        ?? throw new InvalidOperationException($"--precision was not validated: '{Precision}'.");

    /// <summary>What --image-size must be a multiple of: 2^(depth-1).</summary>
    public int SizeMultiple => 1 << Math.Max(0, Depth - 1);

    /// <summary>The options that set the network's shape, its input and its scoring: with <see cref="From"/> they are the model's.</summary>
    private static readonly string[] ModelOptions =
    [
        "--image-size", "--tiles", "--tile-overlap", "--width", "--depth", "--channels", "--normalization", "--error", "--score-error",
        "--raw-maps", "--sigma", "--rounds", "--precision", "--flip",
    ];

    /// <summary>
    /// For <see cref="From"/>: refuses the options of <see cref="ModelOptions"/> among <paramref name="arguments"/> (and
    /// checkpoints, which a fine-tuning does not keep), then sets them to <paramref name="o"/>'s, the settings of the model
    /// given there, so that what reads them (notes, checks) reads the model's; <c>--seed</c>, <c>--batch-size</c>,
    /// <c>--holdout</c> and <c>--learning-rate</c> too, unless given.
    /// </summary>
    /// <exception cref="CliException">One of them was given (exit code 2).</exception>
    public void TakeModelOptions(SsmOptions o, IReadOnlyList<string> arguments)
    {
        var given = ModelOptions.Where(option => Given(arguments, option)).ToList();
        if (CheckpointEvery != 0 && Given(arguments, "--checkpoint-every")) given.Add("--checkpoint-every");
        if (given.Count > 0)
            throw new CliException($"{string.Join(", ", given)} cannot go with --from: the model given there sets the network's shape, its input " +
                                   "and its scoring, and a fine-tuning keeps no checkpoints. Leave them out.") { ExitCode = 2 };
        ImageSize = o.ImageSize;
        Tiles = o.Grid.ToString();
        TileOverlap = o.Tiles?.OverlapName;
        (Width, Depth) = (o.Network.BaseWidth, o.Network.Depth);
        Channels = o.Network.InputChannels.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Normalization = o.Normalization.ToString();
        (Error, ScoreError) = (o.Scoring.Error.ToString(), o.Scoring.ImageScoreError.ToString());
        (RawMaps, Sigma, Rounds) = (!o.Scoring.StandardizeMaps, o.Scoring.SmoothingSigma, o.Scoring.RefinementRounds);
        Precision = o.Training.Precision.ToString();
        Flip = o.Training.Flip;
        CheckpointEvery = 0;
        if (!Given(arguments, "--seed")) Seed = o.Training.Seed;
        if (!Given(arguments, "--batch-size")) BatchSize = o.Training.BatchSize;
        if (!Given(arguments, "--holdout")) Holdout = o.Training.HoldoutFraction;
        if (!Given(arguments, "--learning-rate")) LearningRate = o.Training.LearningRate;
    }

    public override ValidationResult Validate()
    {
        var common = base.Validate();
        if (!common.Successful) return common;
        if (From is not null && EachCategory)
            return ValidationResult.Error("--each-category trains a new model for each dataset of <DATA>; --from goes on from one model. Give one of them.");
        if (EachCategory && AddGood.Length > 0)
            return ValidationResult.Error("--each-category trains each dataset of <DATA> on its own images; --add-good adds images to one training. Give one of them.");
        if (EachCategory && Recursive)
            return ValidationResult.Error("--each-category trains each MVTec dataset among <DATA>'s subfolders; --recursive reads one tree of good images. Give one of them.");
        if (Depth is < InpaintingNetworkOptions.MinDepth or > InpaintingNetworkOptions.MaxDepth)
            return ValidationResult.Error($"--depth must be between {InpaintingNetworkOptions.MinDepth} and {InpaintingNetworkOptions.MaxDepth} (got {Depth}).");
        if (SSM.Core.Data.TileGrid.Parse(Tiles) is not { } grid)
            return ValidationResult.Error($"--tiles must be tiles across x down, each from 1 to {SSM.Core.Data.TileGrid.MaxTiles}, such as 8x1 or 4x4 (got '{Tiles}').");
        if (TileOverlap is not null && TileOverlap.Trim().ToLowerInvariant() is not ("half" or "none"))
            return ValidationResult.Error($"--tile-overlap must be half or none (got '{TileOverlap}').");
        if (TileOverlap is not null && grid.Count == 1)
            return ValidationResult.Error($"--tile-overlap applies to tiles, and --tiles is {Tiles}, the whole image: give --tiles too, such as 8x1.");
        int multiple = SizeMultiple, smallest = SsmOptions.SmallestImageSize(Depth);
        if (ImageSize < smallest || ImageSize > SsmOptions.MaxImageSize || ImageSize % multiple != 0)
        {
            int low = Math.Max(smallest, ImageSize / multiple * multiple), high = Math.Min(SsmOptions.MaxImageSize, low + multiple);
            string nearest = ImageSize > SsmOptions.MaxImageSize ? $"; {SsmOptions.MaxImageSize} is the largest"
                : ImageSize < low ? $"; {low} is the smallest" : $"; {low} or {high} are the nearest";
            return ValidationResult.Error($"--image-size must be a multiple of {multiple} (for --depth {Depth}), from {smallest} to {SsmOptions.MaxImageSize} (got {ImageSize}{nearest}).");
        }
        if (Width is < InpaintingNetworkOptions.MinTrainingBaseWidth or > InpaintingNetworkOptions.MaxBaseWidth)
            return ValidationResult.Error($"--width must be between {InpaintingNetworkOptions.MinTrainingBaseWidth} and {InpaintingNetworkOptions.MaxBaseWidth} (got {Width}).");
        if (Epochs is < 1) return ValidationResult.Error($"--epochs must be positive (got {Epochs}).");
        if (!(LearningRate > 0 && LearningRate <= TrainingOptions.MaxLearningRate))
            return ValidationResult.Error($"--learning-rate must be a positive number, at most {TrainingOptions.MaxLearningRate:G3} (got {LearningRate}).");
        if (BatchSize < 1) return ValidationResult.Error($"--batch-size must be positive (got {BatchSize}).");
        if (TimeBudget is { } budget && !(budget > 0 && budget <= MaxTimeBudgetMinutes))   // NaN and infinity too: no TimeSpan holds them
            return ValidationResult.Error($"--time-budget must be a positive number of minutes, at most {MaxTimeBudgetMinutes:N0} (got {TimeBudget}).");
        // A time span counts in ticks of 100 ns: 1e-300 minutes was a budget of none, which the model refused in its own terms.
        if (TimeBudgetSpan is { Ticks: 0 })
            return ValidationResult.Error($"--time-budget must be a positive number of minutes, at most {MaxTimeBudgetMinutes:N0} (got {TimeBudget}, less than the 100 ns a time is counted in).");
        if (CheckpointEvery < 0) return ValidationResult.Error($"--checkpoint-every must be 0 (none) or a number of epochs (got {CheckpointEvery}).");
        if (Channels.Trim() is not ("1" or "3") && !Channels.Equals("auto", StringComparison.OrdinalIgnoreCase))
            return ValidationResult.Error($"--channels must be auto, 1 or 3 (got '{Channels}').");
        if (!(Holdout > MinHoldout && Holdout < MaxHoldout))   // the engine's range (TrainingOptions.Validate)
            return ValidationResult.Error($"--holdout must be more than {MinHoldout} and less than {MaxHoldout} (got {Holdout}).");
        if (ParseName<InputNormalization>(Normalization) is null) return Choice<InputNormalization>("--normalization", Normalization);
        if (ParseName<RestorationError>(Error) is null) return Choice<RestorationError>("--error", Error);
        if (ScoreError is not null && ParseName<RestorationError>(ScoreError) is null) return Choice<RestorationError>("--score-error", ScoreError);
        if (ParseName<NetworkPrecision>(Precision) is null) return Choice<NetworkPrecision>("--precision", Precision);
        if (Rounds is < 1 or > MaxRounds) return ValidationResult.Error($"--rounds must be between 1 and {MaxRounds} (got {Rounds}).");
        if (Sigma is { } sigma && !(sigma >= 0 && sigma <= ImageSize))
            return ValidationResult.Error($"--sigma must be from 0 (no smoothing) to --image-size ({ImageSize}) pixels (got {sigma}).");
        return ValidationResult.Success();
    }
}
