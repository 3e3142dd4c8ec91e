using SSM.Core.Losses;

namespace SSM.Core.Tests.Losses;

public class GaussianKernelTests
{
    /// <summary>The taps are exp(-d^2 / 2 sigma^2) over the distance d from the centre, divided by their sum: checked at a
    /// sigma other than 1, where sigma^2 and 2 sigma differ.</summary>
    [Theory]
    [InlineData(11, 1.5)]
    [InlineData(5, 0.5)]
    public void TapsAreTheNormalisedGaussianOfTheDistanceFromTheCentre(int size, double sigma)
    {
        var gaussian = Enumerable.Range(0, size).Select(i => Math.Exp(-(i - size / 2) * (i - size / 2) / (2 * sigma * sigma))).ToArray();
        double sum = gaussian.Sum();
        using var taps = GaussianKernel.OneD(size, sigma);
        var actual = taps.data<float>().ToArray();
        Assert.Equal(size, actual.Length);
        for (int i = 0; i < size; i++) Assert.Equal(gaussian[i] / sum, actual[i], 6);
        Assert.Equal(1.0, actual.Sum(), 5);
    }

    [Fact]
    public void OneTapIsTheWholeWeightAndALengthOfOneIsABandOfOne()
    {
        using var taps = GaussianKernel.OneD(1, 2.0);
        Assert.Equal(new[] { 1f }, taps.data<float>().ToArray());
        using var band = GaussianKernel.Band(1, 5, 1.0);
        using var centre = GaussianKernel.OneD(5, 1.0);
        Assert.Equal(new[] { centre[2].item<float>() }, band.data<float>().ToArray());   // the taps beyond the one sample are cut
    }

    [Theory]
    [InlineData(0, 1.0)]
    [InlineData(-3, 1.0)]
    [InlineData(4, 1.0)]    // even: no centre tap
    [InlineData(5, 0.0)]
    [InlineData(5, -1.0)]
    public void RejectsKernelsWithoutACentreOrASpread(int size, double sigma)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => GaussianKernel.OneD(size, sigma));
        Assert.Equal(sigma > 0 ? "size" : "sigma", e.ParamName);
    }

    [Fact]
    public void RejectsABandOfNoSamples() =>
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => GaussianKernel.Band(0, 3, 1.0)).ParamName);

    [Fact]
    public void BandRowsHoldTheCentredTapsCutAtTheEnds()
    {
        using var band = GaussianKernel.Band(4, 3, 1.0);
        using var taps = GaussianKernel.OneD(3, 1.0);
        float a = taps[0].item<float>(), b = taps[1].item<float>();
        Assert.Equal(new[] { b, a, 0, 0, a, b, a, 0, 0, a, b, a, 0, 0, a, b }, band.reshape(-1).data<float>().ToArray());
    }

    /// <summary>The smoothing kernel reaches 4 sigma each side, rounded up to whole pixels.</summary>
    [Theory]
    [InlineData(2.0, 17)]
    [InlineData(1.5, 13)]
    [InlineData(1.0, 9)]
    [InlineData(0.3, 5)]
    public void SizeForCoversFourSigmaEachSide(double sigma, int expected) => Assert.Equal(expected, GaussianKernel.SizeFor(sigma));
}
