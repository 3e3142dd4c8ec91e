using System.Text.RegularExpressions;
using Microsoft.ML;
using Spectre.Console;
using SSM.Cli.Models;
using SSM.Cli.Scoring;
using SSM.Cli.Training;
using SSM.MLNet;

namespace SSM.Cli.Tests;

/// <summary>
/// The live bars a terminal shows, drawn on a console of the test's own that says it is an interactive ANSI terminal
/// (every other test's output is redirected, where the commands write plain lines instead).
/// </summary>
[Collection("cli")]
public sealed class LiveProgressTests(TrainedModelFixture fx)
{
    private static IAnsiConsole Terminal(StringWriter screen) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.Standard, Interactive = InteractionSupport.Yes,
        Out = new AnsiConsoleOutput(screen),
    });

    /// <summary>What the screen shows, without the escape sequences that colour it and move the cursor.</summary>
    private static string Shown(StringWriter screen) => Regex.Replace(screen.ToString(), @"\x1b\[[0-9;?]*[A-Za-z]", "");

    /// <summary>A real training drawn as a bar: it ends on the epochs trained and the last loss at 100 %, the epochs are
    /// returned as the plain lines' are, and the model's warnings are written above the bar in the command's terms, not
    /// to the warnings' stream, whose second writer would break the bar.</summary>
    [Fact]
    public void A_training_is_drawn_as_a_bar_that_ends_on_its_epochs_and_loss_with_the_warnings_above_it()
    {
        var ml = new MLContext(seed: 0);
        string[] images = [.. Directory.GetFiles(Path.Combine(fx.Data, "train", "good")).Order().Take(8)];
        var options = new SsmAnomalyDetectionOptions { ImageSize = 16, BaseWidth = 4, Depth = 2, Epochs = 2, Seed = 0 };
        var screen = new StringWriter();
        var stderr = new StringWriter();

        var (model, epochs) = TrainingProgressView.Run(Terminal(screen), new Warnings(Cli.Captured(stderr)), ml, 2,
            () => ModelRunner.Train(ml, images, options), live: true);

        using ((IDisposable)model)
        {
            Assert.Equal([1, 2], epochs.Select(e => e.Epoch));
            string shown = Shown(screen);
            Assert.Matches($@"trained 2 epochs, loss {Regex.Escape(epochs[^1].Loss.ToString("F4"))} [^\n]*100%", shown);
            // 8 images hold out 2 to calibrate on: the model warns of it, as the command says it.
            Assert.Contains("warning:", shown);
            Assert.Contains("--holdout", shown);
            Assert.DoesNotContain(nameof(SsmAnomalyDetectionOptions.HoldoutFraction), shown);
            Assert.Equal("", stderr.ToString());
        }
    }

    /// <summary>Scoring drawn as a bar: named by what it scores, full when done, the work's result returned; a stop between
    /// images is honoured as on the plain lines.</summary>
    [Fact]
    public void Scoring_is_drawn_as_a_bar_that_fills_and_a_stop_ends_it_between_images()
    {
        var screen = new StringWriter();
        int result = ScoringProgressView.Run(Terminal(screen), "test images", 5, CancellationToken.None, progress =>
        {
            for (int i = 1; i <= 3; i++) progress(i);
            return 42;
        }, live: true);
        Assert.Equal(42, result);
        string shown = Shown(screen);
        // Full when the work returns, whatever count it reported last.
        Assert.Matches(@"scoring 5 test images [^\n]*100%", shown);

        using var stop = new CancellationTokenSource();
        int scored = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => ScoringProgressView.Run(Terminal(new StringWriter()), "images", 5, stop.Token, progress =>
        {
            for (int i = 1; i <= 5; i++)
            {
                progress(i);
                scored = i;
                if (i == 2) stop.Cancel();
            }
            return 0;
        }, live: true));
        Assert.Equal(2, scored);
    }
}
