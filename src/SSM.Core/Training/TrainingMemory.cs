namespace SSM.Core.Training;

/// <summary>
/// How much memory a training takes on the CPU at its peak, estimated from measured peaks: what a user with large
/// images needs to hear before the system stops the process for lack of memory, which no program can report itself.
/// </summary>
/// <remarks>
/// Measured with <c>ssm train</c> (one epoch, 8 images of 1024 px, peak resident memory; 2026-12-01, AMD EPYC, libtorch 2.10
/// CPU): at 256, 512 and 1024 px, widths 8 to 32, batches 2 to 8, bfloat16 and float32. The estimate is within 10 % of
/// each of them (1024 px: 14.1 GB measured, 14.0 estimated); it falls short at 128 px and below, where it is small. The
/// activations a training step keeps for its gradients dominate: they grow with the image's pixels, the network's width
/// and the masked images of a step (batch x masks); float32 takes 1.9 times bfloat16's.
/// </remarks>
public static class TrainingMemory
{
    private const double FixedBytes = 360e6;              // .NET, libtorch, the network, a few images
    private const double BytesPerPixel = 5_630;           // per pixel of the side squared, at width 16 in bfloat16
    private const double BytesPerPixelAndMaskedImage = 615;
    private const double Float32Factor = 1.9;

    /// <summary>The estimated peak memory, in bytes, of training with <paramref name="options"/> on the CPU.</summary>
    /// <param name="options">The settings: image size, width, batch size and masks per cell size count.</param>
    /// <param name="bfloat16">Whether the network trains in bfloat16 (<see cref="TrainingOptions.Precision"/> resolved).</param>
    /// <param name="networkImages">The images (or tiles) the network trains on, when known: fewer than a batch make smaller
    /// steps, and each is cached at 16 bits.</param>
    public static long EstimateBytes(SsmOptions options, bool bfloat16, int? networkImages = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        double pixels = (double)options.ImageSize * options.ImageSize;
        int maskedImages = Math.Min(options.Training.BatchSize, networkImages ?? int.MaxValue) * options.Masking.Groups;
        double perPixel = (BytesPerPixel + BytesPerPixelAndMaskedImage * maskedImages) * options.Network.BaseWidth / 16.0;
        // The cache holds every image or tile the network trains on at 16 bits, and cutting an image holds its tiles as
        // floats at once: a few MB for whole images of 64 px, 126 MB an image for 961 overlapping tiles of 256 px.
        int channels = options.Network.InputChannels;
        double cache = (double)(networkImages ?? 0) * channels * pixels * 2 + (double)options.Grid.Count * channels * pixels * 4;
        return (long)(FixedBytes + pixels * perPixel * (bfloat16 ? 1 : Float32Factor) + cache);
    }

    /// <summary>The memory this process may use: the machine's, or its container's limit.</summary>
    public static long MachineBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Bytes as people read them: "13.7 GB".</summary>
    public static string Describe(long bytes) => $"{bytes / 1e9:0.#} GB";
}
