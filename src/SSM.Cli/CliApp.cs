using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using SSM.Cli.Commands;

namespace SSM.Cli;

/// <summary>The `ssm` command line: one entry point, used by Program and (in-process) by the tests and examples.</summary>
public static class CliApp
{
    /// <summary>Runs one command; returns its exit code (0 = success). Errors print one message, never a stack trace.</summary>
    /// <param name="args">Command-line arguments, e.g. <c>["train", "data/", "--epochs", "20"]</c>.</param>
    /// <param name="console">Where to write; null = the terminal (progress bars when interactive, plain lines otherwise).</param>
    public static int Run(string[] args, IAnsiConsole? console = null)
    {
        if (console is null)
        {
            console = AnsiConsole.Console;
            // Redirected output (CI logs, pipes) has no terminal width: do not wrap messages and tables at 80 columns.
            if (Console.IsOutputRedirected) console.Profile.Width = 200;
        }
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("ssm");
            config.ConfigureConsole(console);
            config.SetApplicationCulture(CultureInfo.InvariantCulture);
            // A mistyped option (--epoch for --epochs) must stop the command, not leave a 30-minute training on its defaults.
            config.UseStrictParsing();
            config.SetExceptionHandler((ex, _) =>
            {
                ErrorReporter.Write(console, ex);
                return ErrorReporter.ExitCode(ex);
            });
            config.AddCommand<TrainCommand>("train")
                .WithDescription("Train on defect-free images (MVTec layout or a plain folder); writes model.zip, metrics.json, report.html, ConsumeModel.cs.")
                .WithExample("train", "data/mvtec/carpet", "--epochs", "40", "--output", "runs/carpet")
                .WithExample("train", "data/synthetic", "--normalization", "None", "--output", "runs/synthetic");
            config.AddCommand<EvaluateCommand>("evaluate")
                .WithDescription("Score a labelled test set (MVTec layout) with a trained model; writes metrics.json and report.html.")
                .WithExample("evaluate", "runs/carpet/model.zip", "data/mvtec/carpet");
            config.AddCommand<PredictCommand>("predict")
                .WithDescription("Score an image or a folder of images; writes heat-map overlays and predictions.csv.")
                .WithExample("predict", "runs/carpet/model.zip", "new-images/");
            config.AddCommand<GenerateCommand>("generate")
                .WithDescription("Write the built-in synthetic dataset (textures with defects) in MVTec layout.")
                .WithExample("generate", "--output", "data/synthetic");
        });
        return app.Run(args);
    }
}
