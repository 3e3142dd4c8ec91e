using SSM.Core.Data;
using SSM.Core.Network;
using System.Text.Json.Serialization;

namespace SSM.Core;

/// <summary>Every setting of an SSM model; the defaults are the ones chosen for a 2-core CPU.</summary>
public sealed record SsmOptions
{
    /// <summary>Side S of the square images the network sees; inputs are resized to S x S. Default 64.
    /// Must be a multiple of 2^(Depth-1), from <see cref="MinImageSize"/> to <see cref="MaxImageSize"/>.</summary>
    public int ImageSize { get; init; } = 64;

    /// <summary>Smallest <see cref="ImageSize"/>: 8. MS-GMS compares gradients at four scales
    /// (<see cref="Losses.MsGms.Scales"/>), halving the image three times: below 8 px a side, libtorch fails inside the first
    /// training step.</summary>
    public const int MinImageSize = 8;

    /// <summary>The smallest <see cref="ImageSize"/> a network of <paramref name="depth"/> trains at: <see cref="MinImageSize"/>,
    /// or twice the size multiple, 2^depth, where that is larger, so that its bottleneck is at least 2 x 2. At 2^(depth-1),
    /// a 1 x 1 bottleneck, boundary sweeps' trainings diverged at depths 4 to 8 in most runs, whatever the learning rate
    /// (2026-12-05); models saved before still load (<see cref="Validate"/>).</summary>
    public static int SmallestImageSize(int depth) => Math.Max(MinImageSize, 2 * new InpaintingNetworkOptions { Depth = depth }.SizeMultiple);

    /// <summary>Throws when a training would start from settings that <see cref="Validate"/> lets a saved model have but
    /// that do not train: an image size under <see cref="SmallestImageSize"/>, or a width under
    /// <see cref="InpaintingNetworkOptions.MinTrainingBaseWidth"/>.</summary>
    public void ValidateForTraining()
    {
        Validate();
        if (ImageSize < SmallestImageSize(Network.Depth))
            throw new ArgumentOutOfRangeException(nameof(ImageSize), ImageSize,
                $"Image size must be at least {SmallestImageSize(Network.Depth)} (2^Depth) to train a network of depth {Network.Depth}: a smaller one leaves a 1 x 1 bottleneck, whose training diverges.");
        if (Network.BaseWidth < InpaintingNetworkOptions.MinTrainingBaseWidth)
            throw new ArgumentOutOfRangeException(nameof(Network.BaseWidth), Network.BaseWidth,
                $"Base width must be at least {InpaintingNetworkOptions.MinTrainingBaseWidth} to train: a network of width 1 diverges.");
    }

    /// <summary>Largest <see cref="ImageSize"/>: 1024.</summary>
    public const int MaxImageSize = 1024;

    /// <summary>How each image's intensities are normalised before the network sees it. Default <see cref="InputNormalization.PerImage"/>
    /// (on MTD: image AUROC 0.609 -> 0.667 with everything else equal; examples/Benchmarks/HISTORY.md).</summary>
    public InputNormalization Normalization { get; init; } = InputNormalization.PerImage;

    /// <summary>The least standard deviation (in [0, 1] intensity units) <see cref="InputNormalization.PerImage"/> divides an
    /// image by, so that a flat image stays flat instead of amplifying rounding noise. Default one 16-bit level
    /// (<see cref="InputNormalizer.DefaultStdFloor"/>), so 16-bit scans of narrow range are stretched like any other; models
    /// saved before this setting existed used one 8-bit level (1/255) and keep it when loaded. In (0, 1].</summary>
    public float NormalizationStdFloor { get; init; } = InputNormalizer.DefaultStdFloor;

    /// <summary>Tiles each image is cut into before the network sees it (<see cref="TileGrid"/>): for defects of a few pixels in
    /// large or long images, which resizing the whole image to S x S would shrink away. Default null: the whole image, one tile.
    /// Training then learns from every tile of every image, so an epoch takes about as many times longer as there are tiles.
    /// A grid of one tile is kept as null, so a model of whole images is one whatever says so.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TileGrid? Tiles { get => tiles; init => tiles = value is { Count: 1 } ? null : value; }

    private readonly TileGrid? tiles;

    /// <summary><see cref="Tiles"/>, or one tile when it is null.</summary>
    [JsonIgnore]
    public TileGrid Grid => Tiles ?? TileGrid.Whole;

    /// <summary>The size every image is resized to before it is cut into <see cref="Tiles"/>, and of its anomaly map:
    /// S x S for one tile, Columns x S by Rows x S for a grid.</summary>
    [JsonIgnore]
    public (int Width, int Height) ReadSize => Grid.ReadSize(ImageSize);

    /// <summary>Shape of the inpainting U-Net. Default: <see cref="InpaintingNetworkOptions.Compact"/>.</summary>
    public InpaintingNetworkOptions Network { get; init; } = new();

    /// <summary>Complementary masks used in training and scoring.</summary>
    public MaskingOptions Masking { get; init; } = new();

    /// <summary>Training schedule and loss.</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>Anomaly map, image score and progressive refinement.</summary>
    public ScoringOptions Scoring { get; init; } = new();

    /// <summary>
    /// The epochs a run on <paramref name="device"/> trains: <see cref="TrainingOptions.Epochs"/> when set, else the default
    /// of the precision it resolves to there (<see cref="TrainingOptions.EpochsOn"/>) divided by the tiles per image, at
    /// least 1: an epoch over N tiles takes as many steps as N epochs of whole images, so the default keeps the steps, and
    /// about the time, of whole images. On a walkthrough's 2048 x 256 strips, 8 x 1 side-by-side tiles of 128 px for 13
    /// epochs (105 / 8) are about the 12 that found 20 of 24 defects, and 16 x 2 tiles for 3 epochs (105 / 32) found all 24;
    /// overlapping 8 x 1 tiles (15) train 7 (docs/reliability.md, "Small defects in large or long images").
    /// </summary>
    public int EpochsOn(TorchSharp.torch.Device device) => Training.Epochs ?? PerTile(Training.EpochsOn(device));

    /// <summary>A default number of epochs over whole images, as epochs over this grid's tiles: divided by the tiles per image,
    /// at least 1, so that the steps stay the same (<see cref="EpochsOn"/>).</summary>
    public int PerTile(int wholeImageEpochs) => Math.Max(1, (int)Math.Round((double)wholeImageEpochs / Grid.Count));

    /// <summary>Throws with the setting's name when a value is out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Network, nameof(Network));
        ArgumentNullException.ThrowIfNull(Masking, nameof(Masking));
        ArgumentNullException.ThrowIfNull(Training, nameof(Training));
        ArgumentNullException.ThrowIfNull(Scoring, nameof(Scoring));
        if (!Enum.IsDefined(Normalization)) throw new ArgumentOutOfRangeException(nameof(Normalization), Normalization, "Unknown input normalisation.");
        if (!(NormalizationStdFloor > 0 && NormalizationStdFloor <= 1))
            throw new ArgumentOutOfRangeException(nameof(NormalizationStdFloor), NormalizationStdFloor, "The normalisation's least standard deviation must be in (0, 1].");
        Network.Validate();
        Tiles?.Validate();
        // A saved model may be as small as its network takes (1 x 1 bottleneck); training asks more (ValidateForTraining).
        int smallest = Math.Max(MinImageSize, Network.SizeMultiple);
        if (ImageSize < smallest || ImageSize % Network.SizeMultiple != 0)
            throw new ArgumentOutOfRangeException(nameof(ImageSize), ImageSize,
                $"Image size must be a multiple of {Network.SizeMultiple} (2^(Depth-1)) for a network of depth {Network.Depth}, at least {smallest}.");
        if (ImageSize > MaxImageSize) throw new ArgumentOutOfRangeException(nameof(ImageSize), ImageSize, $"Image size must be at most {MaxImageSize}.");
        Masking.Validate(ImageSize);
        Training.Validate();
        Scoring.Validate(ImageSize);
    }
}
