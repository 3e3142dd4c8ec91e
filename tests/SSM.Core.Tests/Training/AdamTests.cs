using SSM.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Training;

public class AdamTests
{
    /// <summary>TorchSharp's Adam (torch.optim.Adam's update) as the reference; ours differs only in keeping its scalars alive.</summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(1e-2)]
    public void TakesTheStepsOfTorchsAdam(double weightDecay)
    {
        manual_seed(5);
        using var start = randn(4, 3);
        using var ours = start.clone().requires_grad_();
        var adam = new Adam([ours], learningRate: 0.01, weightDecay);
        using var theirs = new TorchSharp.Modules.Parameter(start.clone());
        using var reference = optim.Adam([theirs], 0.01, weight_decay: weightDecay);
        for (int step = 0; step < 20; step++)
        {
            if (step == 10) { adam.LearningRate = 0.001; foreach (var g in reference.ParamGroups) g.LearningRate = 0.001; }
            using var target = randn(4, 3);
            adam.ZeroGrad();
            reference.zero_grad();
            using (var loss = ours.sub(target).pow(2).sum()) loss.backward();
            using (var loss = theirs.sub(target).pow(2).sum()) loss.backward();
            adam.Step();
            reference.step();
        }
        // Bit for bit: the same operations in the same order, so models train exactly as they did with TorchSharp's Adam.
        Assert.True(ours.equal(theirs).all().item<bool>(), $"max difference {ours.sub(theirs).abs().max().item<float>()}");
        Assert.False(ours.allclose(start), "no step was taken");
        adam.Dispose();
    }

    [Fact]
    public void SavedStateResumesExactly()
    {
        manual_seed(6);
        using var a = randn(5).requires_grad_();
        using var b = a.detach().clone().requires_grad_();
        using var first = new Adam([a], 0.01, 0);
        void Train(Adam adam, Tensor p, int steps)
        {
            for (int i = 0; i < steps; i++)
            {
                adam.ZeroGrad();
                using var loss = p.pow(2).sum();
                loss.backward();
                adam.Step();
            }
        }
        Train(first, a, 10);
        using var second = new Adam([b], 0.01, 0);
        Train(second, b, 5);
        using var state = new MemoryStream();
        using (var writer = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true)) second.Save(writer);
        using var resumed = new Adam([b], 0.01, 0);
        state.Position = 0;
        using (var reader = new BinaryReader(state)) resumed.Load(reader);
        Train(resumed, b, 5);
        Assert.True(a.equal(b).all().item<bool>(), "5 + 5 steps across a save differ from 10 steps");
    }

    [Fact]
    public void StateSavedForOtherParametersIsRefused()
    {
        using var a = zeros(3).requires_grad_();
        using var b = zeros(2).requires_grad_();
        using var one = new Adam([a], 0.01, 0);
        using var state = new MemoryStream();
        using (var writer = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true)) one.Save(writer);
        using var two = new Adam([a, b], 0.01, 0);
        state.Position = 0;
        using var reader = new BinaryReader(state);
        var e = Assert.Throws<InvalidDataException>(() => two.Load(reader));
        Assert.Equal("The optimizer state holds 1 parameter; the network has 2.", e.Message);
    }
}
