using SSM.Core.Network;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Network;

/// <summary>Our BatchNorm2d replaces torch's only to keep a scalar alive: it must compute what torch's does.</summary>
public class BatchNorm2dTests
{
    [Fact]
    public void TrainsAndEvaluatesAsTorchsBatchNorm2d()
    {
        using var ours = new BatchNorm2d(3);
        using var torchs = nn.BatchNorm2d(3);
        using var x = rand(4, 3, 5, 5).mul(3).add(1);
        for (int step = 0; step < 2; step++)
        {
            using var a = ours.forward(x);
            using var b = torchs.forward(x);
            Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-6));
        }
        var oursState = ours.state_dict();
        foreach (var (name, expected) in torchs.state_dict())
            Assert.True(oursState[name].allclose(expected, rtol: 1e-5, atol: 1e-6), name);   // running mean and variance, batches counted: 2
        Assert.Equal(2, oursState["num_batches_tracked"].item<long>());

        ours.eval();
        torchs.eval();
        using var y = rand(2, 3, 5, 5);
        using var evaluated = ours.forward(y);
        using var expectedEvaluated = torchs.forward(y);
        Assert.True(evaluated.allclose(expectedEvaluated, rtol: 1e-5, atol: 1e-6));
        Assert.Equal(2, ours.state_dict()["num_batches_tracked"].item<long>());   // evaluating counts no batch
    }

    [Fact]
    public void RefusesInputWithoutFourDimensions()
    {
        using var norm = new BatchNorm2d(3);
        using var x = rand(4, 3, 5);
        Assert.Contains("4-D", Assert.Throws<ArgumentException>(() => norm.forward(x)).Message);
    }
}
