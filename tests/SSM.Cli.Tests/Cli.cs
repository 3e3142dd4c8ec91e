using Spectre.Console;
using SSM.Cli;

namespace SSM.Cli.Tests;

/// <summary>Runs the CLI in-process through its entry point with a captured, non-interactive console.</summary>
public static class Cli
{
    public static (int Code, string Output) Run(params string[] args) => Run(args, CancellationToken.None);

    /// <summary>A German shell's numbers (decimal comma, dot between thousands), built from the invariant culture: a system
    /// without ICU data (invariant globalization) has no "de-DE" to make.</summary>
    public static System.Globalization.CultureInfo DecimalComma()
    {
        var culture = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = ".";
        return culture;
    }

    public static (int Code, string Output) Run(string[] args, CancellationToken cancellation)
    {
        var writer = new StringWriter();
        int code = CliApp.Run(args, Captured(writer), cancellation);
        return (code, writer.ToString());
    }

    /// <summary>Runs and stops the command (as Ctrl+C does) once its output contains <paramref name="trigger"/>.</summary>
    public static (int Code, string Output) RunUntil(string[] args, string trigger)
    {
        using var stop = new CancellationTokenSource();
        var writer = new StoppingWriter(trigger, stop);
        int code = CliApp.Run(args, Captured(writer), stop.Token);
        return (code, writer.ToString());
    }

    private sealed class StoppingWriter(string trigger, CancellationTokenSource stop) : StringWriter
    {
        public override void Write(char value) { base.Write(value); Check(); }
        public override void Write(string? value) { base.Write(value); Check(); }
        public override void Write(char[] buffer, int index, int count) { base.Write(buffer, index, count); Check(); }
        private void Check() { if (!stop.IsCancellationRequested && ToString().Contains(trigger, StringComparison.Ordinal)) stop.Cancel(); }
    }

    /// <summary>Output with Spectre's line wrapping (at 160 columns in tests) undone, for phrases a wrap may split.</summary>
    public static string Flat(string output) => output.Replace("\n", " ").Replace("  ", " ");

    /// <summary>Runs with warnings and errors on their own console, as the terminal's standard error.</summary>
    public static (int Code, string Output, string Errors) RunSplit(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        int code = CliApp.Run(args, Captured(output), CancellationToken.None, Captured(errors));
        return (code, output.ToString(), errors.ToString());
    }

    /// <summary>A non-interactive console that writes to <paramref name="writer"/>.</summary>
    public static IAnsiConsole Captured(StringWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 160;
        return console;
    }

    /// <summary>Every temp folder of this test run; deleted when the test process exits, after every collection: a
    /// collection's fixture that deleted it could pull folders from under tests of other collections still running.</summary>
    public static readonly string TempRoot = Path.Combine(Path.GetTempPath(), "ssm-cli-tests", Environment.ProcessId.ToString());

    static Cli()
    {
        // The exit handler does not always finish (a CI run's left 63 folders, 15 MB: the test host is ended soon after the
        // last test), so each run also deletes the roots of runs whose process is gone.
        string parent = Path.GetDirectoryName(TempRoot)!;
        foreach (string root in Directory.Exists(parent) ? Directory.GetDirectories(parent) : [])
            if (int.TryParse(Path.GetFileName(root), out int pid) && pid != Environment.ProcessId && !IsRunning(pid)) DeleteQuietly(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteQuietly(TempRoot);
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }   // no such process
    }

    private static void DeleteQuietly(string folder)
    {
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static string TempFolder(string name)
    {
        string folder = Path.Combine(TempRoot, $"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>A folder of <paramref name="count"/> grey noise images of 32 px, like no generated one, named
    /// <paramref name="stem"/>0.png, <paramref name="stem"/>1.png, ...</summary>
    public static string NoiseImages(string name, int count, int seed, string stem = "noise")
    {
        string folder = TempFolder(name);
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
            SSM.Core.Data.ImageFile.Save(new SSM.Core.Data.FloatImage(1, 32, 32, [.. Enumerable.Range(0, 32 * 32).Select(_ => random.NextSingle())]),
                Path.Combine(folder, $"{stem}{i}.png"));
        return folder;
    }

    /// <summary>Copies every file below <paramref name="from"/> to the same place below <paramref name="to"/>.</summary>
    public static void CopyTree(string from, string to)
    {
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    /// <summary>Writes the first half of <paramref name="source"/>'s bytes to <paramref name="destination"/>: a truncated image file.</summary>
    public static string WriteTruncated(string source, string destination)
    {
        File.Copy(source, destination);
        SSM.Core.Tests.Data.BrokenFiles.CutInHalf(destination);
        return destination;
    }

    /// <summary>True when the text looks like a .NET stack trace.</summary>
    public static bool HasStackTrace(string text) => text.Contains("   at ", StringComparison.Ordinal) || text.Contains("--- End of", StringComparison.Ordinal);
}
