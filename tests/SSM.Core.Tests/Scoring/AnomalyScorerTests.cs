using SSM.Core.Network;
using SSM.Core.Scoring;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Scoring;

public class AnomalyScorerTests : IDisposable
{
    private static readonly SsmOptions Options = new()
    {
        ImageSize = 16,
        Network = new InpaintingNetworkOptions { BaseWidth = 4, Depth = 3 },
        Scoring = new ScoringOptions { RefinementRounds = 2 },
    };
    private readonly InpaintingNetwork network;

    public AnomalyScorerTests()
    {
        manual_seed(11);
        network = new InpaintingNetwork(Options.Network);
        network.eval();
    }

    public void Dispose() => network.Dispose();

    [Fact]
    public void ScoreIsTheMaximumOfTheMap()
    {
        using var scorer = new AnomalyScorer(network, Options, refinementThreshold: null);
        using var images = rand(3, 1, 16, 16);
        using var scored = scorer.Score(images);
        Assert.Equal(new long[] { 3, 1, 16, 16 }, scored.Maps.shape);
        Assert.True(scored.Scores.allclose(scored.Maps.amax([1, 2, 3])));
    }

    [Fact]
    public void AnImageScoresTheSameAloneAndInABatch()
    {
        using var scorer = new AnomalyScorer(network, Options, refinementThreshold: 0.05f);
        using var images = rand(4, 1, 16, 16);
        using var together = scorer.Score(images);
        using var alone = scorer.Score(images[2..3]);
        Assert.True(alone.Maps.allclose(together.Maps[2..3], rtol: 1e-4, atol: 1e-6));
    }

    [Fact]
    public void ForwardChunkingDoesNotChangeScores()
    {
        using var images = rand(3, 1, 16, 16);
        using var big = new AnomalyScorer(network, Options, refinementThreshold: null);
        using var small = new AnomalyScorer(network, Options with { Scoring = Options.Scoring with { MaxForwardBatch = 2 } }, refinementThreshold: null);
        using var a = big.Score(images);
        using var b = small.Score(images);
        Assert.True(a.Maps.allclose(b.Maps, rtol: 1e-4, atol: 1e-6));
    }

    [Fact]
    public void RefinementThatFindsEveryCellNormalRestoresNothing()
    {
        // Every cell normal -> every pixel visible in every mask -> restoration = input -> map 0.
        using var scorer = new AnomalyScorer(network, Options, refinementThreshold: float.MaxValue);
        using var images = rand(2, 1, 16, 16);
        using var scored = scorer.Score(images, rounds: 2);
        Assert.Equal(0f, scored.Scores.abs().max().item<float>(), 6);
    }

    [Fact]
    public void RefinementThatFindsNothingNormalRepeatsTheFirstRound()
    {
        using var scorer = new AnomalyScorer(network, Options, refinementThreshold: -1f);
        using var images = rand(2, 1, 16, 16);
        using var one = scorer.Score(images, rounds: 1);
        using var two = scorer.Score(images, rounds: 2);
        Assert.True(one.Maps.allclose(two.Maps, atol: 1e-6));
    }

    [Fact]
    public void RefinementNeedsACalibratedThreshold()
    {
        using var scorer = new AnomalyScorer(network, Options, refinementThreshold: null);
        using var images = rand(1, 1, 16, 16);
        Assert.Throws<InvalidOperationException>(() => scorer.Score(images, rounds: 2));
    }
}
