using SSM.Core.Data;
using SSM.Core.Network;
using SSM.Core.Scoring;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Scoring;

/// <summary>Calibration's own arithmetic, without a trained network: the quantile that gives refinement's threshold, the normal
/// scores' mean and spread every score is normalised by, and which of its parts a scorer gets.</summary>
public class CalibrationTests
{
    /// <summary>numpy's default quantile (linear between the two nearest ranks), whatever order the values come in.</summary>
    [Theory]
    [InlineData(new float[] { 3, 1, 2, 4 }, 0.5, 2.5f)]
    [InlineData(new float[] { 3, 1, 2, 4 }, 0.25, 1.75f)]
    [InlineData(new float[] { 3, 1, 2, 4 }, 1.0, 4f)]
    [InlineData(new float[] { 3, 1, 2, 4 }, 0.0, 1f)]
    [InlineData(new float[] { 10, 0 }, 0.99, 9.9f)]
    [InlineData(new float[] { 7 }, 0.99, 7f)]
    public void QuantileIsNumpysLinearInterpolation(float[] values, double q, float expected)
    {
        Assert.Equal(expected, Calibration.Quantile([.. values], q), 5);
    }

    /// <summary>The sample standard deviation (n - 1), never below 1e-6, so a z-score stays finite: one score, or equal
    /// ones, spread by the floor alone; none reads as a mean of 0.</summary>
    [Theory]
    [InlineData(new float[] { 1, 3 }, 2f, 1.4142135f)]
    [InlineData(new float[] { 5, 1, 3 }, 3f, 2f)]
    [InlineData(new float[] { 2, 2, 2 }, 2f, 1e-6f)]
    [InlineData(new float[] { 4 }, 4f, 1e-6f)]
    [InlineData(new float[0], 0f, 1e-6f)]
    public void NormalScoresGiveTheirMeanAndSampleDeviation(float[] scores, float mean, float std)
    {
        var calibration = new Calibration { NormalImageScores = scores };
        Assert.Equal(mean, calibration.NormalMean, 5);
        Assert.Equal(std, calibration.NormalStd, 6);
    }

    /// <summary>A model file's missing scores read as none, as they did before the scores were copied on setting.</summary>
    [Fact]
    public void NoNormalScoresReadAsNone()
    {
        var calibration = System.Text.Json.JsonSerializer.Deserialize<Calibration>("""{"NormalImageScores":null}""")!;
        Assert.Empty(calibration.NormalImageScores);
        Assert.Empty(new Calibration { NormalImageScores = null! }.NormalImageScores);
    }

    /// <summary>A scorer gets the map statistics only when the options standardise maps, the size effect only when they
    /// correct sizes, and the contrast floor only when they normalise each image, with the normal scores' mean and spread.</summary>
    [Fact]
    public void AScorerGetsThePartsItsOptionsUse()
    {
        var options = new SsmOptions { ImageSize = 16, Network = new InpaintingNetworkOptions { BaseWidth = 4, Depth = 3 } };
        using var network = new InpaintingNetwork(options.Network);
        var calibration = new Calibration
        {
            RefinementThreshold = 0.5f,
            MapStatistics = NormalMapStatistics.Compute([.. Enumerable.Range(0, 3).Select(i => Enumerable.Repeat(0.1f * (i + 1), 2 * 16 * 16).ToArray())], kinds: 2),
            SizeEffect = new SizeEffect(0.1f, 0.2f, 0.3f, 0.4f),
            Contrast = new ContrastRange(Math.Log(0.2), 0.1),
            NormalImageScores = [1, 3],
        };
        Assert.Equal(InputNormalization.PerImage, options.Normalization);
        using (var all = calibration.CreateScorer(network, options, 0.25f))
        {
            Assert.Same(calibration.MapStatistics, all.Standardization);
            Assert.Same(calibration.SizeEffect, all.SizeEffect);
            Assert.Equal((calibration.Contrast, 2f, calibration.NormalStd), all.LowContrast);
            Assert.Equal(0.25f, all.RefinementThreshold);
        }
        var none = options with
        {
            Normalization = InputNormalization.None,
            Scoring = options.Scoring with { StandardizeMaps = false, SizeCorrection = false },
        };
        using var bare = calibration.CreateScorer(network, none, null);
        Assert.Null(bare.Standardization);
        Assert.Null(bare.SizeEffect);
        Assert.Null(bare.LowContrast);
        Assert.Null(bare.RefinementThreshold);
    }
}
