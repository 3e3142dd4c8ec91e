using System.Text.Json;
using SSM.Cli.Scoring;

namespace SSM.Cli.Outputs;

/// <summary>
/// Where <c>ssm predict</c> keeps the images it has done, so that the same command after Ctrl+C, a failure or a crash goes
/// on after them instead of scoring a folder of thousands again: a hidden sibling of the output folder,
/// <c>.&lt;output&gt;.predict-&lt;stamp&gt;</c>, named by a <see cref="CommandStamp"/> of the model, the settings that shape the
/// output, and each input file. It holds the pictures drawn and a line per image done (its row, written once its pictures
/// are), and the run's output takes them in place, so it is the output of an uninterrupted run. Another command for that
/// output starts afresh in a folder of its own; once an output is written, every such folder of it is deleted.
/// </summary>
public sealed class KeptPredictions : IDisposable
{
    private const string RowsFile = "rows.jsonl";

    // A score may be NaN (an image no number describes, flagged): written as "NaN", as metrics.json writes one.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
    private readonly string parent, prefix;
    private readonly StreamWriter rows;
    private readonly Lock gate = new();
    private int added;

    private KeptPredictions(string folder, string parent, string prefix, Dictionary<string, PredictionRow> kept, string? note)
    {
        Folder = folder;
        this.parent = parent;
        this.prefix = prefix;
        Kept = kept;
        Note = note;
        rows = new StreamWriter(new FileStream(Path.Combine(folder, RowsFile), FileMode.Append, FileAccess.Write, FileShare.Read));
    }

    /// <summary>The folder: the pictures are drawn into it, by their names relative to the output.</summary>
    public string Folder { get; }

    /// <summary>The rows a stopped run of this command did, by image path; empty when it starts from the beginning.</summary>
    public IReadOnlyDictionary<string, PredictionRow> Kept { get; }

    /// <summary>A warning: stopped predicts of other commands kept for this output; null when there is nothing to say.</summary>
    public string? Note { get; }

    /// <summary>Images done: those kept and those added since.</summary>
    public int Count => Kept.Count + Volatile.Read(ref added);

    /// <summary>
    /// The folder of this command (<paramref name="settings"/> and each of <paramref name="images"/>) for the output
    /// <paramref name="outputFolder"/>: as a stopped run left it, else new. A kept row whose pictures are gone is not kept.
    /// Open it while the output is locked (<see cref="OutputStaging"/>): two runs never write one folder.
    /// </summary>
    public static KeptPredictions Open(string outputFolder, IEnumerable<(string Key, string Value)> settings, IReadOnlyList<string> images)
    {
        string stamp = CommandStamp.Of(settings, images);
        var (parent, prefix, folder) = KeptFolders.Beside(outputFolder, "predict", stamp);
        try
        {
            var others = KeptFolders.Others(parent, prefix, folder);
            string? note = others.Count == 0 ? null : string.Join(Environment.NewLine, others.Select(o =>
                $"'{o}' holds a stopped predict of another model, settings, images or ssm build for this output: this one starts from the " +
                "beginning, and that one is deleted when this one's output is written."));
            var kept = new Dictionary<string, PredictionRow>(StringComparer.Ordinal);
            if (KeptFolders.Holds(folder, stamp))
                foreach (var row in ReadRows(Path.Combine(folder, RowsFile)))
                    if (Drawn(folder, row)) kept[row.Path] = row;
            if (kept.Count == 0) KeptFolders.StartAfresh(folder, stamp);
            // Only the rows kept go on: a line a crash cut short, or one whose picture is gone, is scored again.
            else File.WriteAllLines(Path.Combine(folder, RowsFile), kept.Values.Select(r => JsonSerializer.Serialize(r, Json)));
            return new KeptPredictions(folder, parent, prefix, kept, note);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot keep predict's progress in '{folder}': {ex.Message}", ex);
        }
    }

    private static IEnumerable<PredictionRow> ReadRows(string file)
    {
        if (!File.Exists(file)) yield break;
        foreach (string line in File.ReadLines(file))
        {
            PredictionRow? row;
            try { row = JsonSerializer.Deserialize<PredictionRow>(line, Json); }
            catch (JsonException) { continue; }
            if (row?.Path is not null) yield return row;
        }
    }

    private static bool Drawn(string folder, PredictionRow row) =>
        new[] { row.HeatMap, row.Mask }.All(f => f is null || File.Exists(Path.Combine(folder, f)));

    /// <summary>Records an image done, its pictures written (any thread). Each line reaches the file before the next image's:
    /// a crash loses at most the images being drawn.</summary>
    public void Add(PredictionRow row)
    {
        string line = JsonSerializer.Serialize(row, Json);
        lock (gate)
        {
            rows.WriteLine(line);
            rows.Flush();
            added++;
        }
    }

    /// <summary>Moves the pictures into the output's staging folder (the run succeeded).</summary>
    public void MoveInto(OutputStaging staging)
    {
        foreach (string file in Directory.EnumerateFiles(Folder, "*.png", SearchOption.AllDirectories))
        {
            string destination = staging.PathOf(Path.GetRelativePath(Folder, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Move(file, destination, overwrite: true);
        }
    }

    /// <summary>The message of a stopped run that did some images: where they are kept and that the same command goes on
    /// after them; with none done, the folder is removed and the stop reported as it is.</summary>
    public OperationCanceledException Stopped(OperationCanceledException stop, int images)
    {
        Dispose();
        if (Count == 0)
        {
            KeptFolders.Remove(Folder);
            return stop;
        }
        return new StoppedException($"The {Count} of {images} images done are kept in '{Folder}': the same command goes on after them.", stop);
    }

    /// <summary>After a failure: what to say of the images done (kept, as after a stop); null when none was, and the
    /// folder is removed.</summary>
    public string? Failed(int images)
    {
        Dispose();
        if (Count > 0) return $"the {Count} of {images} images done before the failure are kept in '{Folder}': the same command goes on after them.";
        KeptFolders.Remove(Folder);
        return null;
    }

    /// <summary>Removes every such folder of the output: it is written, and a stopped predict of any command would only
    /// write it again.</summary>
    public void DeleteAll()
    {
        Dispose();
        KeptFolders.RemoveAll(parent, prefix);
    }

    public void Dispose() => rows.Dispose();
}
