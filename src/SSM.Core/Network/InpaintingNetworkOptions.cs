namespace SSM.Core.Network;

/// <summary>Shape of the inpainting U-Net (paper, section 3).</summary>
public sealed record InpaintingNetworkOptions
{
    /// <summary>Image channels C: 1 (grayscale) or 3 (RGB). Default 1.</summary>
    public int InputChannels { get; init; } = 1;

    /// <summary>Width of the first encoder level; level i has BaseWidth * 2^min(i, 3) channels. Default 16.</summary>
    public int BaseWidth { get; init; } = 16;

    /// <summary>Largest <see cref="BaseWidth"/>: 1024.</summary>
    public const int MaxBaseWidth = 1024;

    /// <summary>The smallest <see cref="BaseWidth"/> that trains: 2. Width 1 diverged in every boundary sweep's training, at
    /// every depth, seed and learning rate tried (2026-12-05); models saved with it still load.</summary>
    public const int MinTrainingBaseWidth = 2;

    /// <summary>Number of encoder levels (the image is halved Depth - 1 times). Default 4.</summary>
    public int Depth { get; init; } = 4;

    /// <summary>A CPU-friendly network: widths 16-32-64-128, 0.93 M parameters (one channel). The default.</summary>
    public static InpaintingNetworkOptions Compact(int channels = 1) => new() { InputChannels = channels };

    /// <summary>The authors' widths and depth: 64-128-256-512-512, five levels; 35.8 M parameters (three channels), against
    /// the paper's 33.3 M, because each encoder level here halves the resolution with a strided 4x4 convolution at the
    /// incoming width and then runs two 3x3 convolutions, where the authors' strided convolution changes the width and
    /// one 3x3 convolution follows. Every model and measurement of this library has the extra convolution.</summary>
    public static InpaintingNetworkOptions Authors(int channels = 3) => new() { InputChannels = channels, BaseWidth = 64, Depth = 5 };

    /// <summary>Channel count of every encoder level, e.g. 64,128,256,512,512 for the authors' preset.</summary>
    public int[] LevelWidths() =>
        Enumerable.Range(0, Depth).Select(i => BaseWidth * (1 << Math.Min(i, 3))).ToArray();

    /// <summary>Fewest levels of the U-Net (<see cref="Depth"/>).</summary>
    public const int MinDepth = 2;

    /// <summary>Most levels of the U-Net (<see cref="Depth"/>).</summary>
    public const int MaxDepth = 8;

    /// <summary>What image sides must be multiples of (and the smallest the network itself accepts; see <see cref="SsmOptions.MinImageSize"/>).</summary>
    public int SizeMultiple => 1 << (Depth - 1);

    /// <summary>Throws when a setting is out of range.</summary>
    public void Validate()
    {
        if (InputChannels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(InputChannels), InputChannels, "Input channels must be 1 (grayscale) or 3 (RGB).");
        if (BaseWidth < 1 || BaseWidth > MaxBaseWidth) throw new ArgumentOutOfRangeException(nameof(BaseWidth), BaseWidth, $"Base width must be between 1 and {MaxBaseWidth}.");
        if (Depth < MinDepth || Depth > MaxDepth) throw new ArgumentOutOfRangeException(nameof(Depth), Depth, $"Depth must be between {MinDepth} and {MaxDepth}.");
    }
}
