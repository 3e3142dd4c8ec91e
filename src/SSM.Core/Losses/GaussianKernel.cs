using static TorchSharp.torch;

namespace SSM.Core.Losses;

/// <summary>Normalised Gaussian kernels for SSIM windows and anomaly-map smoothing.</summary>
public static class GaussianKernel
{
    /// <summary>1-D kernel of <paramref name="size"/> taps summing to 1: [size].</summary>
    public static Tensor OneD(int size, double sigma, Device? device = null) => tensor(Taps(size, sigma), device: device);

    private static float[] Taps(int size, double sigma)
    {
        if (size < 1 || size % 2 == 0) throw new ArgumentOutOfRangeException(nameof(size), size, "Kernel size must be odd and positive.");
        if (sigma <= 0) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "Sigma must be positive.");
        var taps = new float[size];
        double sum = 0;
        for (int i = 0; i < size; i++)
        {
            double d = i - size / 2;
            taps[i] = (float)Math.Exp(-d * d / (2 * sigma * sigma));
            sum += taps[i];
        }
        for (int i = 0; i < size; i++) taps[i] = (float)(taps[i] / sum);
        return taps;
    }

    /// <summary>2-D kernel [1, 1, size, size] summing to 1: SSIM's window as the paper convolves it. The library blurs with
    /// <see cref="Band"/> instead, which tests compare with this.</summary>
    public static Tensor TwoD(int size, double sigma, Device? device = null)
    {
        using var k = OneD(size, sigma, device);
        return k.outer(k).view(1, 1, size, size);
    }

    /// <summary>
    /// The 1-D kernel applied with zero padding to <paramref name="length"/> samples, as a matrix [length, length]: row i
    /// holds the taps centred on sample i, cut off at the ends. Symmetric, so blurring the rows and columns of images
    /// [..., H, W] is <c>band(H).matmul(x).matmul(band(W))</c>. Two small matrix products instead of a convolution,
    /// whose CPU backward is slow for one channel: SSIM of 4 images at 64 x 64, forward and backward, took 13 ms with the
    /// 11 x 11 convolution and 1 ms with these (the Xeon, 2026-12-01).
    /// </summary>
    public static Tensor Band(int length, int size, double sigma, Device? device = null)
    {
        if (length < 1) throw new ArgumentOutOfRangeException(nameof(length), length, "Length must be positive.");
        var k = Taps(size, sigma);
        var band = new float[length * length];
        int half = size / 2;
        for (int i = 0; i < length; i++)
            for (int j = Math.Max(0, i - half); j <= Math.Min(length - 1, i + half); j++)
                band[i * length + j] = k[j - i + half];
        return tensor(band, [length, length], device: device);
    }

    /// <summary>The odd kernel size that covers +-4 sigma (as scipy / kornia do for smoothing).</summary>
    public static int SizeFor(double sigma) => 2 * (int)Math.Ceiling(4 * sigma) + 1;
}
