using SSM.Core.Losses;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Losses;

public class MsGmsTests
{
    [Fact]
    public void IdenticalImagesHaveZeroLossAndZeroMap()
    {
        using var x = rand(2, 3, 32, 32);
        Assert.Equal(0.0, MsGms.Loss(x, x).item<float>(), 6);
        using var map = MsGms.Map(x, x);
        Assert.Equal(new long[] { 2, 1, 32, 32 }, map.shape);
        Assert.True(map.abs().max().item<float>() < 1e-6f);
    }

    [Fact]
    public void StepEdgeAgainstFlatImageMatchesHandValue()
    {
        // Left half 0, right half 1. Next to the edge (inner rows) Prewitt/3 gives |g| = 1 in the image,
        // 0 in the flat restoration, so GMS = (2 * 1 * 1e-6 + c) / (1 + 1e-12 + c) with g_R = sqrt(eps) = 1e-6.
        var v = new float[64];
        for (int y = 0; y < 8; y++) for (int x = 4; x < 8; x++) v[y * 8 + x] = 1f;
        using var image = tensor(v, [1, 1, 8, 8]);
        using var flat = full(1, 1, 8, 8, 0.5f);
        using var gms = MsGms.Gms(image, flat);
        double expected = (2 * 1e-6 + MsGms.C) / (1 + 1e-12 + MsGms.C);
        for (int y = 1; y < 7; y++)
        {
            Assert.Equal(expected, gms[0, 0, y, 3].item<float>(), 5);
            Assert.Equal(expected, gms[0, 0, y, 4].item<float>(), 5);
            Assert.Equal(1.0, gms[0, 0, y, 1].item<float>(), 5); // flat in both
        }
    }

    /// <summary>The image and the restoration at each MS-GMS scale, written out here: average-pooled by 2 between scales.</summary>
    private static IEnumerable<(int Scale, Tensor Image, Tensor Restoration)> Scales(Tensor image, Tensor restoration)
    {
        for (int s = 0; s < MsGms.Scales; s++)
        {
            if (s > 0) (image, restoration) = (nn.functional.avg_pool2d(image, 2), nn.functional.avg_pool2d(restoration, 2));
            yield return (s, image, restoration);
        }
    }

    [Fact]
    public void PyramidHalvesEachScaleAndTheMapAveragesTheScalesUpsampled()
    {
        // Scale s is the image average-pooled s times: a slip that pooled one scale too few or too many keeps every
        // other test's values (identical images still give 0), so the map is rebuilt here from one-scale GMS.
        using var image = rand([1, 1, 32, 32], generator: new TorchSharp.torch.Generator(3));
        using var restoration = rand([1, 1, 32, 32], generator: new TorchSharp.torch.Generator(4));
        var pyramid = MsGms.GradientPyramid(image);
        using var expected = zeros(1, 1, 32, 32);
        foreach (var (s, pooledImage, pooledRestoration) in Scales(image, restoration))
        {
            Assert.Equal(new long[] { 1, 1, 32 >> s, 32 >> s }, pyramid[s].shape);
            using var dissimilarity = 1 - MsGms.Gms(pooledImage, pooledRestoration);
            using var upsampled = nn.functional.interpolate(dissimilarity, size: [32, 32], mode: InterpolationMode.Bilinear, align_corners: false);
            expected.add_(upsampled / MsGms.Scales);
        }
        using var map = MsGms.Map(image, restoration);
        Assert.True((map - expected).abs().max().item<float>() < 1e-5f);
        foreach (var level in pyramid) level.Dispose();
    }

    /// <summary>The loss is the mean over every scale of mean(1 - GMS), rebuilt here from one-scale GMS: identical images
    /// (0) and a gradient, the other tests of the loss, hold for any number of scales.</summary>
    [Fact]
    public void LossIsTheMeanOverTheScalesOfOneMinusGms()
    {
        using var image = rand([2, 1, 32, 32], generator: new TorchSharp.torch.Generator(5));
        using var restoration = rand([2, 1, 32, 32], generator: new TorchSharp.torch.Generator(6));
        double expected = 0;
        foreach (var (_, pooledImage, pooledRestoration) in Scales(image, restoration))
        {
            using var gms = MsGms.Gms(pooledImage, pooledRestoration);
            expected += (1 - gms.mean().item<float>()) / MsGms.Scales;
        }
        using var loss = MsGms.Loss(image, restoration);
        Assert.Equal(expected, loss.item<float>(), 5);
    }

    [Fact]
    public void MedianRemovesASinglePixelSpike()
    {
        var v = new float[25];
        v[12] = 1f;
        using var image = tensor(v, [1, 1, 5, 5]);
        using var median = MsGms.Median3x3(image);
        Assert.Equal(0f, median.abs().max().item<float>());
    }

    [Fact]
    public void ColourImagesAreComparedOnTheirChannelMean()
    {
        using var rgb = rand(1, 3, 16, 16);
        using var gray = rgb.mean([1], keepdim: true);
        using var other = rand(1, 1, 16, 16);
        using var a = MsGms.Map(rgb, other.expand(1, 3, 16, 16));
        using var b = MsGms.Map(gray, other);
        Assert.True(a.allclose(b, atol: 1e-6));
    }

    [Fact]
    public void LossIsDifferentiable()
    {
        using var x = rand(1, 1, 16, 16);
        using var y = rand(1, 1, 16, 16).requires_grad_(true);
        using var loss = MsGms.Loss(x, y);
        loss.backward();
        Assert.NotNull(y.grad);
        Assert.True(y.grad!.abs().sum().item<float>() > 0);
    }

    /// <summary>The shifted-difference Prewitt is the Prewitt convolution (zero borders), in value and in the input's
    /// gradient; the reference runs in float64, which libtorch never hands to oneDNN.</summary>
    [Fact]
    public void PrewittEqualsThePrewittConvolutionInValueAndGradient()
    {
        using var scope = NewDisposeScope();
        var x = rand([3, 1, 9, 13], generator: new TorchSharp.torch.Generator(5), dtype: ScalarType.Float64);
        var weights = randn([3, 2, 9, 13], dtype: ScalarType.Float64);
        const double t = 1.0 / 3;
        var kernels = tensor(new[] { t, 0, -t, t, 0, -t, t, 0, -t, t, t, t, 0, 0, 0, -t, -t, -t }, [2, 1, 3, 3]);

        var a = x.detach().requires_grad_(true);
        var (gx, gy) = MsGms.Prewitt(a);
        cat([gx, gy], 1).mul(weights).sum().backward();
        var b = x.detach().requires_grad_(true);
        var reference = nn.functional.conv2d(b, kernels, padding: [1, 1]);
        reference.mul(weights).sum().backward();

        Assert.True(cat([gx, gy], 1).allclose(reference, rtol: 0, atol: 1e-12));
        Assert.True(a.grad!.allclose(b.grad!, rtol: 0, atol: 1e-12));
        Assert.True(gx.abs().max().item<double>() > 0.1 && gy.abs().max().item<double>() > 0.1);   // not trivially zero
    }
}

public class MedianTests
{
    [Fact]
    public void SortingNetworkMedianEqualsTheFifthOfNineNeighbours()
    {
        using var gen = new TorchSharp.torch.Generator(4);
        // Rounded values give many ties, the hard case for a sorting network.
        using var x = rand(new long[] { 2, 1, 13, 17 }, generator: gen).mul(8).round();
        using var median = MsGms.Median3x3(x);
        using var padded = nn.functional.pad(x, [1, 1, 1, 1], TorchSharp.PaddingModes.Replicate);
        using var patches = nn.functional.unfold(padded, 3);
        var (reference, _) = patches.kthvalue(5, 1);
        Assert.True(median.reshape(2, -1).eq(reference).all().item<bool>());
    }

    [Fact]
    public void WithGradientsTheValuesAreTheSameAndEachPixelsGradientGoesToOneNeighbour()
    {
        using var gen = new TorchSharp.torch.Generator(5);
        using var x0 = rand(new long[] { 2, 1, 9, 11 }, generator: gen).mul(4).round();   // ties again
        using var x = x0.detach().requires_grad_(true);
        using var withGrad = MsGms.Median3x3(x);
        using var without = MsGms.Median3x3(x0);
        Assert.True(withGrad.eq(without).all().item<bool>());
        withGrad.sum().backward();
        // d(sum of medians)/dx counts how often each pixel was picked; every output pixel picks exactly one.
        Assert.Equal(2 * 9 * 11, x.grad!.sum().item<float>());
        Assert.True(x.grad!.eq(x.grad!.round()).all().item<bool>());
    }

    [Fact]
    public void GradientGoesToThePixelThatIsTheMedian()
    {
        // Distinct values: at the centre of a 3x3 image (replicated borders do not reach it) the median is 5, at (0, 2).
        using var x = tensor(new float[] { 1, 9, 5, 2, 8, 3, 7, 4, 6 }, [1, 1, 3, 3]).requires_grad_(true);
        using var median = MsGms.Median3x3(x);
        Assert.Equal(5f, median[0, 0, 1, 1].item<float>());
        median[0, 0, 1, 1].backward();
        var expected = new float[9];
        expected[2] = 1;
        Assert.Equal(expected, x.grad!.reshape(-1).data<float>().ToArray());
    }
}
