using static TorchSharp.torch;
using SSM.Core.Torch;

namespace SSM.Core.Data;

/// <summary>How each image's intensities are mapped before the network sees it (in training and in scoring alike).</summary>
public enum InputNormalization
{
    /// <summary>Pixel values in [0, 1] as loaded.</summary>
    None = 0,

    /// <summary>
    /// Each image is standardised by its own mean and standard deviation and mapped so that mean ± 4 standard deviations
    /// span [0, 1] (values beyond are clipped); one mean and deviation for all channels of a colour image. Removes differences of
    /// lamp brightness and exposure between images (not of the light's colour: a colour model sees a warmer lamp), and stretches
    /// dark, low-contrast images so that MS-GMS (whose constant c is tuned for full-range images) sees their texture.
    /// </summary>
    PerImage = 1,
}

/// <summary>Applies an <see cref="InputNormalization"/> to a batch [B, C, S, S].</summary>
public static class InputNormalizer
{
    /// <summary>Standard deviations on either side of the mean that map to 0 and 1.</summary>
    public const float Spread = 4f;

    /// <summary>
    /// The default least standard deviation an image is divided by (<see cref="SsmOptions.NormalizationStdFloor"/>): one
    /// level of 16-bit data, the finest the library reads. One 8-bit level (1/255, <see cref="EightBitStdFloor"/>) was the
    /// floor before; it left 16-bit scans whose content spans a few hundred levels nearly unstretched, and a model trained
    /// on such a texture scored an obvious patch far below its own training images (NarrowRangeTests: about -8 against at
    /// most 3; 20.5 with this floor).
    /// </summary>
    public const float DefaultStdFloor = 1f / 65535f;

    /// <summary>The floor of models saved before model format 9 (one 8-bit level); they keep it, as they were calibrated with it.</summary>
    public const float EightBitStdFloor = 1f / 255f;

    /// <summary>The normalised batch as a model of <paramref name="options"/> sees it: its normalisation with its floor.</summary>
    public static Tensor Apply(Tensor images, SsmOptions options) => Apply(images, options.Normalization, options.NormalizationStdFloor);

    /// <summary>The normalised batch (the input itself for <see cref="InputNormalization.None"/>); <paramref name="stdFloor"/>
    /// is the least standard deviation an image is divided by.</summary>
    public static Tensor Apply(Tensor images, InputNormalization mode, float stdFloor = DefaultStdFloor)
    {
        if (mode == InputNormalization.None) return images;
        using var scope = NewDisposeScope();
        long[] dims = [1, 2, 3];
        var mean = images.mean(dims, keepdim: true);
        // A flat image has no contrast to stretch: the floor keeps it flat instead of amplifying rounding noise.
        var std = images.std(dims, keepdim: true).clamp_min(Scalars.Real(stdFloor));
        return images.sub(mean).div(std.Times(2 * Spread)).Plus(0.5).clamp(Scalars.Integer(0), Scalars.Integer(1)).MoveToOuterDisposeScope();
    }
}
