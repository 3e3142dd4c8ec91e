using Microsoft.ML;
using SSM.Cli.Inputs;
using SSM.Cli.Models;

namespace SSM.Cli.Tests;

[Collection("cli")]
public sealed class ModelRunnerTests(TrainedModelFixture fx)
{
    /// <summary>--max-megapixels reaches the model's own reader, which keeps the library's default otherwise: a larger limit
    /// than the default is not refused inside after the command's check let the image through.</summary>
    [Fact]
    public void The_command_lines_pixel_limit_is_the_loaded_models()
    {
        var mlContext = new MLContext(seed: 0);
        using (var limited = (IDisposable)ModelRunner.Load(mlContext, fx.Model, maxPixels: 500_000_000))
            Assert.Equal(500_000_000, ModelRunner.SsmOf((ITransformer)limited).MaxImagePixels);
        using (var none = (IDisposable)ModelRunner.Load(mlContext, fx.Model, maxPixels: 0))
            Assert.Equal(0, ModelRunner.SsmOf((ITransformer)none).MaxImagePixels);
        using (var plain = (IDisposable)ModelRunner.Load(mlContext, fx.Model))
            Assert.Equal(SSM.MLNet.SsmAnomalyDetectionOptions.DefaultMaxImagePixels, ModelRunner.SsmOf((ITransformer)plain).MaxImagePixels);
        Assert.Equal(180_000_000, new SSM.Cli.Commands.PredictSettings().MaxPixels);   // the command line's default is the library's
    }

    /// <summary>The caller's per-image work failing with the exception types a file the model cannot read brings is not
    /// taken for such a file: not swallowed by --keep-going's list, not reported as unreadable files.</summary>
    [Fact]
    public void A_failure_of_the_per_image_work_comes_out_as_itself()
    {
        var mlContext = new MLContext(seed: 0);
        var model = ModelRunner.Load(mlContext, fx.Model);
        using var _ = model as IDisposable;
        // A file the model cannot read after the failing image: the retry that lists such files would have found it.
        string corrupt = Path.Combine(Cli.TempFolder("runner-corrupt"), "corrupt.png");
        File.WriteAllText(corrupt, "not a picture");
        string[] images = [.. Directory.GetFiles(Path.Combine(fx.Data, "test", "good"), "*.png").Order(), corrupt];
        var unusable = new List<UnusableFile>();
        int seen = 0;
        var failure = Record.Exception(() => ModelRunner.ScoreEach(mlContext, model, images, s =>
        {
            if (++seen == 2) throw new InvalidOperationException("the caller's own failure");
        }, unusable: unusable));
        Assert.IsType<InvalidOperationException>(failure);
        Assert.Equal("the caller's own failure", failure.Message);
        Assert.Empty(unusable);
        Assert.Equal(2, seen);
    }
}
