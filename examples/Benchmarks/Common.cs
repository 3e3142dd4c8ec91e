using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SSM.Benchmarks;

/// <summary>--name value and --flag arguments.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string?> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> used = new(StringComparer.Ordinal);

    public static Arguments Parse(string[] args)
    {
        var a = new Arguments();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            string name = args[i][2..];
            string? value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            a.values[name] = value;
        }
        return a;
    }

    /// <summary>The leading words of <paramref name="args"/> (files, as `compare A.bin B.bin --bootstrap 100` takes) and
    /// the options after them.</summary>
    public static (string[] Files, Arguments Options) FilesThenOptions(string[] args)
    {
        string[] files = [.. args.TakeWhile(s => !s.StartsWith("--", StringComparison.Ordinal))];
        return (files, Parse(args[files.Length..]));
    }

    /// <summary>The dataset of --data, else MTD beside the repository (whether that folder exists is the caller's question).</summary>
    public string DataFolder() => String("data") ?? Repository.MtdFolder()
        ?? throw new ArgumentException("No --data given and SSM.MLNet.sln not found above the working directory.");

    /// <summary>Whether --<paramref name="name"/> was given; a word after it is refused, not dropped (it was meant for something).</summary>
    public bool Flag(string name)
    {
        used.Add(name);
        if (values.TryGetValue(name, out var value) && value is not null) throw new ArgumentException($"--{name} takes no value (got '{value}').");
        return values.ContainsKey(name);
    }

    public string? String(string name) { used.Add(name); return values.TryGetValue(name, out var v) ? v ?? throw new ArgumentException($"--{name} needs a value.") : null; }

    public int? Int(string name) => String(name) is { } s
        ? int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v : throw new ArgumentException($"--{name} needs a whole number (got '{s}').")
        : null;

    public double? Double(string name) => String(name) is { } s
        ? double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
            : throw new ArgumentException($"--{name} needs a finite number (got '{s}').")
        : null;

    /// <summary>An enum value by name, in any letter case; a wrong one is named with the values there are.</summary>
    public T? Enum<T>(string name) where T : struct, System.Enum => String(name) is { } s
        ? System.Enum.TryParse<T>(s, ignoreCase: true, out var v) && System.Enum.IsDefined(v) ? v
            : throw new ArgumentException($"--{name} is one of {string.Join(", ", System.Enum.GetNames<T>())} (got '{s}').")
        : null;

    /// <summary>Throws for options no command asked about (typos).</summary>
    public void RejectUnknown()
    {
        var unknown = values.Keys.Where(k => !used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"Unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}.");
    }
}

internal static class Repository
{
    /// <summary>The folder holding SSM.MLNet.sln, searched upwards from the working directory and then from the executable.</summary>
    public static string? Root()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "SSM.MLNet.sln"))) return dir.FullName;
        return null;
    }

    /// <summary>The MTD dataset beside the project (../shared/datasets/mtd from the repository root), or null when the
    /// repository is not found; whether the folder exists is the caller's question.</summary>
    public static string? MtdFolder() => Root() is { } root ? Path.GetFullPath(Path.Combine(root, "..", "shared", "datasets", "mtd")) : null;
}

internal static class Indices
{
    /// <summary>Every k-th of <paramref name="count"/> indices, about <paramref name="limit"/> of them (all without a limit);
    /// lists sorted by category keep every category.</summary>
    public static int[] Every(int count, int? limit)
    {
        if (limit is not { } l || l >= count) return Enumerable.Range(0, count).ToArray();
        double step = (double)count / l;
        return Enumerable.Range(0, l).Select(i => (int)Math.Floor(i * step)).Distinct().ToArray();
    }
}

internal static class Machine
{
    /// <summary>The 1/5/15-minute load averages (Linux), or "n/a".</summary>
    public static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>How to start this benchmark program again with <paramref name="args"/> (standard output redirected): measurements
    /// whose peaks or process-wide settings must not mix run in a child of their own. Under `dotnet run` the host is
    /// dotnet, which needs the assembly first.</summary>
    public static ProcessStartInfo Self(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(Machine).Assembly.Location);
        foreach (string a in args) start.ArgumentList.Add(a);
        return start;
    }
}

internal static class Report
{
    /// <summary>Prints a finished report and, with --out, writes it to that file too.</summary>
    public static void Emit(string report, string? outPath)
    {
        Console.WriteLine();
        Console.WriteLine(report);
        if (outPath is null) return;
        File.WriteAllText(outPath, report);
        Console.WriteLine($"Written to {Path.GetFullPath(outPath)}.");
    }
}

/// <summary>
/// Samples the process working set (Process.WorkingSet64, i.e. resident memory incl. native libtorch
/// allocations) every 100 ms on a background thread; <see cref="StartPhase"/> resets the phase maximum.
/// </summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly Thread thread;
    private volatile bool stop;
    private long phasePeak;

    public MemorySampler()
    {
        thread = new Thread(Loop) { IsBackground = true, Name = "memory sampler" };
        thread.Start();
    }

    /// <summary>The process's resident memory now, in bytes.</summary>
    public static long Current()
    {
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64;
    }

    private void Loop()
    {
        while (!stop)
        {
            long now = Current();
            long seen;
            do seen = Interlocked.Read(ref phasePeak);
            while (now > seen && Interlocked.CompareExchange(ref phasePeak, now, seen) != seen);
            Thread.Sleep(100);
        }
    }

    public void StartPhase() => Interlocked.Exchange(ref phasePeak, Current());

    public double PhasePeakMb => Math.Max(Interlocked.Read(ref phasePeak), Current()) / (1024.0 * 1024.0);

    public static double ProcessPeakMb()
    {
        using var p = Process.GetCurrentProcess();
        return p.PeakWorkingSet64 / (1024.0 * 1024.0);
    }

    public void Dispose()
    {
        stop = true;
        thread.Join();
    }
}

/// <summary>A markdown table, columns padded for reading in a terminal.</summary>
internal sealed class MarkdownTable(params string[] headers)
{
    private readonly List<string[]> rows = new();

    public void Add(params string[] cells) => rows.Add(cells);

    public override string ToString()
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        sb.AppendLine("| " + string.Join(" | ", headers.Select((h, i) => h.PadRight(widths[i]))) + " |");
        sb.AppendLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (var r in rows) sb.AppendLine("| " + string.Join(" | ", r.Select((c, i) => c.PadRight(widths[i]))) + " |");
        return sb.ToString();
    }
}

internal static class Format
{
    public static string F3(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
    public static string F1(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
    public static string F0(double v) => v.ToString("F0", CultureInfo.InvariantCulture);
    public static string Duration(TimeSpan t) => t.TotalMinutes >= 1 ? $"{t.TotalMinutes.ToString("F1", CultureInfo.InvariantCulture)} min" : $"{t.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)} s";
}

/// <summary>Metrics of each defect category on its own: that category's images with the good ones.</summary>
internal static class PerCategory
{
    /// <summary>The defect categories (every category but <paramref name="goodCategory"/>) in order of first appearance:
    /// the columns of every per-category row.</summary>
    public static IEnumerable<string> Defects(IReadOnlyList<string> categories, string goodCategory) =>
        categories.Distinct().Where(c => c != goodCategory);

    /// <summary>Per defect category (in order of first appearance): image AUROC of <paramref name="scores"/> against the good
    /// images (<see cref="SSM.Core.Evaluation.CategoryMetrics"/>).</summary>
    public static List<(string Category, double Auroc)> ImageAurocs(IReadOnlyList<float> scores, IReadOnlyList<string> categories, string goodCategory) =>
        [.. SSM.Core.Evaluation.CategoryMetrics.Compute(categories, [.. categories.Select(c => c != goodCategory)], scores)
            .Where(c => c.ImageAuroc is not null).Select(c => (c.Category, c.ImageAuroc!.Value))];

    /// <summary>Per defect category (in order of first appearance): pixel AUROC and the share of its images' pixels marked defective.</summary>
    public static List<(string Category, double PixelAuroc, double DefectShare)> Pixels(IReadOnlyList<float[]> maps,
        IReadOnlyList<bool[]> masks, IReadOnlyList<string> categories, string goodCategory)
    {
        var result = new List<(string, double, double)>();
        foreach (string c in Defects(categories, goodCategory))
        {
            var ix = Enumerable.Range(0, categories.Count).Where(i => categories[i] == goodCategory || categories[i] == c).ToArray();
            double auroc = SSM.Core.Evaluation.PixelMetrics.Auroc(ix.Select(i => maps[i]).ToList(), ix.Select(i => masks[i]).ToList());
            var own = ix.Where(i => categories[i] == c).ToArray();
            double share = own.Average(i => masks[i].Count(m => m) / (double)masks[i].Length);
            result.Add((c, auroc, share));
        }
        return result;
    }

    /// <summary>Per defect category: pixel AUROC of its defective pixels against the normal pixels of its own images only,
    /// i.e. localisation inside a tile with no help from how anomalous the whole tile looks.</summary>
    public static List<(string Category, double Auroc)> WithinImages(IReadOnlyList<float[]> maps, IReadOnlyList<bool[]> masks,
        IReadOnlyList<string> categories, string goodCategory) =>
        Defects(categories, goodCategory).Select(c =>
        {
            var own = Enumerable.Range(0, categories.Count).Where(i => categories[i] == c).ToArray();
            var positives = own.SelectMany(i => maps[i].Where((_, p) => masks[i][p])).ToArray();
            var negatives = own.SelectMany(i => maps[i].Where((_, p) => !masks[i][p])).ToArray();
            var labels = new bool[positives.Length + negatives.Length];
            Array.Fill(labels, true, 0, positives.Length);
            return (c, SSM.Core.Evaluation.Roc.Auroc([.. positives, .. negatives], labels));
        }).ToList();
}
