using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using SSM.Cli.Commands;

namespace SSM.Cli;

/// <summary>The `ssm` command line: one entry point, used by Program and (in-process) by the tests and examples.</summary>
public static class CliApp
{
    /// <summary>The tool's version, with the commit it was built from when the build knew it ("1.0.0+3f2a...").</summary>
    public static string Version { get; } =
        typeof(CliApp).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "unknown";

    /// <summary>Runs one command; returns its exit code (0 = success). Errors print one message, never a stack trace.</summary>
    /// <param name="args">Command-line arguments, e.g. <c>["train", "data/", "--epochs", "20"]</c>.</param>
    /// <param name="console">Where to write, errors included; null = the terminal (progress bars when interactive, plain lines
    /// otherwise), with errors on standard error, and Ctrl+C / SIGTERM stopping the command cleanly.</param>
    /// <param name="cancellation">Stops the command: training stops at the next batch, nothing is written, exit code 130
    /// (143 when SIGTERM stopped it).</param>
    /// <param name="errors">Where warnings and errors go when <paramref name="console"/> is given; null = that console.</param>
    public static int Run(string[] args, IAnsiConsole? console = null, CancellationToken cancellation = default, IAnsiConsole? errors = null)
    {
        // metrics.json, the report, predictions.csv and the checkpoint stamp are read by scripts and by the next run, whatever
        // the shell's locale: "2,5" from a German one would not parse, and a resumed training would not find its checkpoint.
        var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
        try { return RunInvariant(args, console, cancellation, errors); }
        finally { (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture); }
    }

    private static int RunInvariant(string[] args, IAnsiConsole? console, CancellationToken cancellation, IAnsiConsole? errors)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var signals = console is null ? StopSignals.Register(stop) : null;
        if (console is null)
        {
            // Redirected output (CI logs, pipes) has no terminal width: do not wrap messages and tables at 80 columns, and
            // drop the padding Spectre adds to reach 200.
            if (Console.IsOutputRedirected)
            {
                console = AnsiConsole.Create(new AnsiConsoleSettings
                {
                    // What AnsiConsole.Console chooses for a redirected stream; it cannot tell through the wrapper.
                    Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No,
                    Out = new AnsiConsoleOutput(new TrimmedLines(Console.Out)),
                });
                console.Profile.Width = 200;
            }
            else console = AnsiConsole.Console;
            // Scripts tell errors from results by stream: errors go to standard error.
            errors = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
            if (Console.IsErrorRedirected) errors.Profile.Width = 4000;   // one line per message in logs, however long
        }
        else errors ??= console;
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("ssm");
            config.SetApplicationVersion(Version);
            config.ConfigureConsole(console);
            config.Settings.Registrar.RegisterInstance(new Warnings(errors));
            config.SetApplicationCulture(CultureInfo.InvariantCulture);
            // A mistyped option (--epoch for --epochs) must stop the command, not leave a 30-minute training on its defaults.
            config.UseStrictParsing();
            config.SetExceptionHandler((ex, _) =>
            {
                ErrorReporter.Write(errors, ex, args);
                return ErrorReporter.ExitCode(ex);
            });
            config.AddCommand<TrainCommand>("train")
                .WithDescription("Train on defect-free images (MVTec layout or a plain folder); writes model.zip, metrics.json, report.html, ConsumeModel.cs.")
                .WithExample("train", "data/mvtec/carpet", "--epochs", "40", "--output", "runs/carpet")
                .WithExample("train", "data/synthetic", "--normalization", "None", "--output", "runs/synthetic");
            config.AddCommand<EvaluateCommand>("evaluate")
                .WithDescription("Score a labelled test set (MVTec layout, or a CSV of paths and labels) or a folder of good images with a trained model; writes metrics.json, report.html and model.zip (a copy, with --calibrate-on, --threshold and --mask-threshold applied).")
                .WithExample("evaluate", "runs/carpet/model.zip", "data/mvtec/carpet");
            config.AddCommand<PredictCommand>("predict")
                .WithDescription("Score an image or a folder of images; writes heat-map overlays, predictions.csv and summary.json (the model and threshold that decided), and with --masks each image's predicted mask.")
                .WithExample("predict", "runs/carpet/model.zip", "new-images/");
            config.AddCommand<InfoCommand>("info")
                .WithDescription("Say what a model.zip is: its identity (network sha256), threshold, settings and training, with the data and ssm version of its training's metrics.json when that lies beside it.")
                .WithExample("info", "runs/carpet/model.zip")
                .WithExample("info", "runs/carpet/model.zip", "--json");
            config.AddCommand<GenerateCommand>("generate")
                .WithDescription("Write the built-in synthetic dataset (textures with defects) in MVTec layout; with --from, one made of your own good images, a share of them with painted defects.")
                .WithExample("generate", "--output", "data/synthetic");
        });
        if (args.Length == 0)
        {
            // Spectre prints the help and exits 0; a script that ran `ssm $command` with an empty variable must not pass.
            app.Run(["--help"], stop.Token);
            errors.MarkupLine("[red]error:[/] no command given: ssm train | evaluate | predict | info | generate (ssm <command> --help).");
            return ErrorReporter.Usage;
        }
        if (RepeatedOptions.Find(args) is { } repeated)
        {
            errors.MarkupLine($"[red]error:[/] {Markup.Escape(repeated)}");
            return ErrorReporter.Usage;
        }
        int code = app.Run(args, stop.Token);
        return code == ErrorReporter.Cancelled && signals?.Received == System.Runtime.InteropServices.PosixSignal.SIGTERM
            ? ErrorReporter.Terminated : code;
    }
}
