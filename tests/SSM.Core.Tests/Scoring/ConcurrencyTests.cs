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

    /// <summary>A server swaps models while requests score: Dispose waits for the calls already running, and every later
    /// call fails with ObjectDisposedException, never with libtorch's errors about freed tensors.</summary>
    [Fact]
    public void DisposingWhileOtherThreadsScoreLetsRunningCallsFinish()
    {
        using var copy = new MemoryStream();
        fixture.Model.Save(copy);
        copy.Position = 0;
        var model = SsmModel.Load(copy);   // its own network, which Dispose frees
        var images = fixture.Data.Test.Select(t => t.Image).Take(2).ToList();
        var expected = fixture.Model.Score(images, batchSize: 2);
        var (scored, failures) = DisposeUnderLoad.Run(
            // A call that ran did so on the whole network.
            () => () => Assert.Equal(expected[0].Map, model.Score(images, batchSize: 2)[0].Map),
            model.Dispose);
        Assert.True(scored >= 20, $"only {scored} calls scored before the Dispose");
        Assert.Equal(4, failures.Length);
        Assert.All(failures, e => Assert.Contains("SSM model was disposed", Assert.IsType<ObjectDisposedException>(e).Message));
        Assert.Throws<ObjectDisposedException>(() => model.Save(new MemoryStream()));
        Assert.Throws<ObjectDisposedException>(() => model.Scorer);
        Assert.Throws<ObjectDisposedException>(() => model.CreateScorer(null));
        model.Dispose();   // a second Dispose does nothing
    }

    /// <summary>
    /// TorchSharp 0.107 hands a temporary Scalar's handle to native code without keeping the Scalar alive, so a garbage
    /// collection started by another thread during the call can finalise it and free the value mid-call ("Unknown scalar
    /// type", or a silently wrong value). Our code passes only scalars it keeps alive; here another thread collects
    /// continuously while the scorer and the loss run, and every result must match the undisturbed one.
    /// </summary>
    [Fact]
    public void ScoringAndTheLossSurviveGarbageCollectionsOnAnotherThread()
    {
        var images = fixture.Data.Test.Select(t => t.Image).Take(4).ToList();
        var expected = fixture.Model.Score(images);
        using var x = TorchSharp.torch.rand(2, 1, 32, 32);
        using var y = TorchSharp.torch.rand(2, 1, 32, 32);
        using var expectedLoss = SSM.Core.Losses.MsGms.Loss(x, y);
        using var expectedSsim = SSM.Core.Losses.Ssim.Mean(x, y);
        GcPressure.Repeat(TimeSpan.FromSeconds(3), () =>
        {
            var scores = fixture.Model.Score(images);
            for (int i = 0; i < images.Count; i++) Assert.Equal(expected[i].Map, scores[i].Map);
            using var loss = SSM.Core.Losses.MsGms.Loss(x, y);
            using var ssim = SSM.Core.Losses.Ssim.Mean(x, y);
            Assert.Equal(expectedLoss.item<float>(), loss.item<float>());
            Assert.Equal(expectedSsim.item<float>(), ssim.item<float>());
        });
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

    [Fact]
    public void AScoringBatchOfNoImagesIsRefused()
    {
        var images = fixture.Data.Test.Select(t => t.Image).Take(2).ToList();
        Assert.Throws<ArgumentOutOfRangeException>(() => fixture.Model.Score(images, batchSize: 0));
        Assert.Throws<ArgumentNullException>(() => fixture.Model.Score(null!));
    }
}
