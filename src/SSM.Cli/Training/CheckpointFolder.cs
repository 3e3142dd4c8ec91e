using System.Globalization;
using System.Text.Json;
using SSM.Cli.Outputs;
using SSM.Core.Training;

namespace SSM.Cli.Training;

/// <summary>
/// Where <c>ssm train</c> keeps the engine's training checkpoints: a hidden sibling of the output folder,
/// <c>.&lt;output&gt;.checkpoint-&lt;stamp&gt;</c>, named by a stamp of the command's settings and training files. The same
/// command after Ctrl+C or a crash continues from the last checkpoint, and the engine ends with the weights an uninterrupted
/// run has. Another command for that output starts from the beginning in a folder of its own, so a mistyped command does
/// not destroy a stopped training. Once an output is written, every checkpoint folder of that output is deleted.
/// </summary>
public sealed class CheckpointFolder
{
    private const string HistoryFile = "epochs.json", ThreadsFile = "threads.txt";
    private readonly string parent, prefix;

    private CheckpointFolder(string path, string parent, string prefix, (int Done, int Planned)? kept, IReadOnlyList<EpochReport> history, string? note)
    {
        Path = path;
        this.parent = parent;
        this.prefix = prefix;
        Kept = kept;
        History = history;
        Note = note;
    }

    /// <summary>The folder (<see cref="SSM.MLNet.SsmAnomalyDetectionOptions.CheckpointFolder"/>).</summary>
    public string Path { get; }

    /// <summary>The checkpoint this run continues from: epochs done and planned; null when it starts from the beginning.</summary>
    public (int Done, int Planned)? Kept { get; }

    /// <summary>The epochs the stopped runs reported up to <see cref="Kept"/> (for the loss chart); empty when starting over.</summary>
    public IReadOnlyList<EpochReport> History { get; }

    /// <summary>A warning: the stopped trainings of other commands kept for this output, or this command's unreadable
    /// checkpoint; null when there is nothing to say.</summary>
    public string? Note { get; }

    /// <summary>
    /// The checkpoint folder of this command (<paramref name="settings"/>, the engine settings they make, and each training
    /// file's path, length and time of writing) for the output <paramref name="outputFolder"/>: as it was left when it
    /// holds a checkpoint, else new.
    /// </summary>
    /// <param name="threads">The thread count libtorch computes with in this run: kept beside the checkpoint, and a
    /// continuation with another count is said (its sums run in another order, so its model is neither count's).</param>
    /// <param name="engine">The engine settings of the run: their fingerprint (<see cref="SsmTrainer.CheckpointSettingsFingerprint"/>)
    /// joins the stamp, so that a version of the library with other defaults or settings starts afresh instead of
    /// continuing a checkpoint its training would refuse.</param>
    public static CheckpointFolder Open(string outputFolder, IEnumerable<(string Key, string Value)> settings, SSM.Core.SsmOptions engine,
        IReadOnlyList<string> trainPaths, int threads)
    {
        string stamp = CommandStamp.Of([.. settings, ("engine", SsmTrainer.CheckpointSettingsFingerprint(engine))], trainPaths);
        var (parent, prefix, path) = KeptFolders.Beside(outputFolder, "checkpoint", stamp);
        var notes = new List<string>();
        try
        {
            foreach (string other in KeptFolders.Others(parent, prefix, path))
                notes.Add($"'{other}' holds a stopped training of other settings, images or library version for this output{Progress(other)}: this one starts " +
                          "from the beginning, and that one is deleted when this one's output is written.");
            if (KeptFolders.Holds(path, stamp))
            {
                try
                {
                    if (SsmTrainer.ReadCheckpoint(path) is { } kept)
                    {
                        string file = System.IO.Path.Combine(path, ThreadsFile);
                        // Kept by a version before the counts were: who trained the epochs so far is unknown (0).
                        var runs = File.Exists(file) ? ReadRuns(file) : [(0, 0)];
                        if (ThreadsNote(runs, kept.EpochsDone, kept.PlannedEpochs, threads) is { } other) notes.Add($"the stopped training kept in '{path}' {other}");
                        File.WriteAllLines(file, [.. runs.Select(Line), Line((threads, kept.EpochsDone))]);
                        return new CheckpointFolder(path, parent, prefix, kept, ReadHistory(path, kept.EpochsDone), Joined(notes));
                    }
                }
                catch (InvalidDataException ex)
                {
                    notes.Add($"the checkpoint in '{path}' cannot be read ({ex.Message}); training starts from the beginning.");
                }
            }
            KeptFolders.StartAfresh(path, stamp);
            File.WriteAllLines(System.IO.Path.Combine(path, ThreadsFile), [Line((threads, 0))]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot keep checkpoints in '{path}': {ex.Message} (--checkpoint-every 0 keeps none).", ex);
        }
        return new CheckpointFolder(path, parent, prefix, null, [], Joined(notes));
    }

    /// <summary>
    /// What to say of continuing with <paramref name="threads"/> a training whose runs so far each started at an epoch with
    /// a thread count (0: unknown), in order, and which has <paramref name="done"/> of <paramref name="planned"/> epochs:
    /// null when every run that trained an epoch used this count or none is known, and when no epoch is left to train
    /// (calibration and scores do not depend on the count). A run stopped before its first checkpoint trained nothing.
    /// </summary>
    public static string? ThreadsNote(IReadOnlyList<(int Threads, int Start)> runs, int done, int planned, int threads)
    {
        if (done >= planned) return null;
        var trained = runs.Where((r, i) => (i + 1 < runs.Count ? runs[i + 1].Start : done) > r.Start).Select(r => r.Threads).ToList();
        var known = trained.Where(n => n > 0).Distinct().ToList();
        if (known.Count == 0 || known.All(n => n == threads)) return null;
        string advice = trained[0] > 0 ? $" Give --threads {trained[0]} to continue as it began." : "";
        return $"was trained with {string.Join(" and ", known)} thread(s) and this run trains with {threads}: libtorch sums in another order " +
               $"on another count, so the model will differ from an uninterrupted run's.{advice}";
    }

    private static List<(int Threads, int Start)> ReadRuns(string file) =>
        [.. File.ReadAllLines(file).Select(l => l.Split(' ')).Where(p => p.Length == 2)
            .Select(p => (int.TryParse(p[0], NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 0,
                          int.TryParse(p[1], NumberStyles.None, CultureInfo.InvariantCulture, out int e) ? e : 0))];

    private static string Line((int Threads, int Start) run) => string.Create(CultureInfo.InvariantCulture, $"{run.Threads} {run.Start}");

    private static string? Joined(List<string> notes) => notes.Count == 0 ? null : string.Join(Environment.NewLine, notes);

    private static string Progress(string folder)
    {
        try { return SsmTrainer.ReadCheckpoint(folder) is { } kept ? $" (after epoch {kept.EpochsDone} of {kept.PlannedEpochs})" : ""; }
        catch (InvalidDataException) { return ""; }
    }

    /// <summary>
    /// After Ctrl+C: the exception to report. When a checkpoint was written, it says where and from which epoch the same
    /// command continues, and the epochs seen up to it are kept for the next run's loss chart; otherwise the folder is
    /// deleted and the stop is reported as it is.
    /// </summary>
    public OperationCanceledException Stopped(OperationCanceledException stop, IReadOnlyList<EpochReport> epochsSeen)
    {
        (int EpochsDone, int PlannedEpochs)? saved;
        try { saved = SsmTrainer.ReadCheckpoint(Path); }
        catch (InvalidDataException) { saved = null; }
        if (saved is not { } kept)
        {
            Delete();
            return stop;
        }
        var history = History.Concat(epochsSeen).Where(e => e.Epoch <= kept.EpochsDone).ToList();
        File.WriteAllText(System.IO.Path.Combine(Path, HistoryFile), JsonSerializer.Serialize(history));
        return new StoppedException($"The training up to epoch {kept.EpochsDone} of {kept.PlannedEpochs} is kept in '{Path}': " +
                                    "the same command continues after it.", stop);
    }

    /// <summary>After a failure (an unreadable training image, a full disk): the folder is removed unless it holds a
    /// checkpoint, which the same command continues from. A run that failed before training leaves nothing behind.</summary>
    public void DeleteUnlessKept()
    {
        try { if (SsmTrainer.ReadCheckpoint(Path) is not null) return; }
        catch (InvalidDataException) { }   // a damaged checkpoint is nothing to continue from: it goes with the folder
        Delete();
    }

    /// <summary>Removes this command's folder: nothing in it was worth keeping.</summary>
    public void Delete() => KeptFolders.Remove(Path);

    /// <summary>Removes every checkpoint folder of the output: it is written, and a stopped training of any command would
    /// only write it again.</summary>
    public void DeleteAll()
    {
        KeptFolders.RemoveAll(parent, prefix);
    }

    private static List<EpochReport> ReadHistory(string path, int epochsDone)
    {
        try
        {
            var history = JsonSerializer.Deserialize<List<EpochReport>>(File.ReadAllText(System.IO.Path.Combine(path, HistoryFile))) ?? [];
            return [.. history.Where(e => e.Epoch <= epochsDone)];
        }
        catch (Exception ex) when (ex is IOException or JsonException) { return []; }   // a crash leaves none: the chart starts later
    }
}
