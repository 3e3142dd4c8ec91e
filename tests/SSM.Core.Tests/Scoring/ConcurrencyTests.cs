using SSM.Core.Tests.Training;

namespace SSM.Core.Tests.Scoring;

public class ConcurrencyTests : IClassFixture<TinyModelFixture>
{
    private readonly TinyModelFixture fixture;

    public ConcurrencyTests(TinyModelFixture fixture) => this.fixture = fixture;

    [Fact]
    public void EightThreadsScoringAtOnceGetExactlyTheSequentialScores()
    {
        var images = fixture.Data.Test.Select(t => t.Image).Take(16).ToList();
        var sequential = images.Select(i => fixture.Model.Score([i])[0]).ToList();
        var concurrent = new Core.ImageScore[images.Count];
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = t; i < images.Count; i += 8) concurrent[i] = fixture.Model.Score([images[i]])[0];
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        for (int i = 0; i < images.Count; i++)
        {
            Assert.Equal(sequential[i].Score, concurrent[i].Score);
            Assert.Equal(sequential[i].Map, concurrent[i].Map);
        }
    }

    /// <summary>libtorch may pick other convolution kernels for other batch sizes: agreement, not bit-equality.</summary>
    [Fact]
    public void BatchedAndSingleScoringAgree()
    {
        var images = fixture.Data.Test.Select(t => t.Image).Take(8).ToList();
        var batched = fixture.Model.Score(images, batchSize: 8);
        var single = images.Select(i => fixture.Model.Score([i])[0]).ToList();
        for (int i = 0; i < images.Count; i++)
            Assert.Equal(single[i].Score, batched[i].Score, 1e-5f * Math.Max(1f, Math.Abs(single[i].Score)));
    }
}
