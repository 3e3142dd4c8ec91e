using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SSM.Core.Training;

namespace SSM.Cli.Running;

/// <summary>
/// Where <c>ssm train</c> keeps the engine's training checkpoints: a hidden sibling of the output folder,
/// <c>.&lt;output&gt;.checkpoint</c>, stamped with the command's settings and training files. The same command after Ctrl+C
/// or a crash continues from the last checkpoint, and the engine ends with the weights an uninterrupted run has; any other
/// command for that output starts over. Deleted once the output is written.
/// </summary>
public sealed class CheckpointFolder
{
    private const string StampFile = "command.stamp", HistoryFile = "epochs.json";

    private CheckpointFolder(string path, (int Done, int Planned)? kept, IReadOnlyList<EpochReport> history, string? discarded)
    {
        Path = path;
        Kept = kept;
        History = history;
        Discarded = discarded;
    }

    /// <summary>The folder (<see cref="SSM.MLNet.SsmAnomalyDetectionOptions.CheckpointFolder"/>).</summary>
    public string Path { get; }

    /// <summary>The checkpoint this run continues from: epochs done and planned; null when it starts from the beginning.</summary>
    public (int Done, int Planned)? Kept { get; }

    /// <summary>The epochs the stopped runs reported up to <see cref="Kept"/> (for the loss chart); empty when starting over.</summary>
    public IReadOnlyList<EpochReport> History { get; }

    /// <summary>Why an earlier checkpoint in the folder was thrown away (another command's, or unreadable); null otherwise.</summary>
    public string? Discarded { get; }

    /// <summary>
    /// The checkpoint folder of the output <paramref name="outputFolder"/>: kept as it is when its stamp is this command's
    /// (<paramref name="settings"/> and each training file's path, length and time of writing), else emptied and stamped.
    /// </summary>
    public static CheckpointFolder Open(string outputFolder, IEnumerable<KeyValuePair<string, string>> settings, IReadOnlyList<string> trainPaths)
    {
        string target = System.IO.Path.GetFullPath(outputFolder).TrimEnd(System.IO.Path.DirectorySeparatorChar);
        string path = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(target) ?? target, $".{System.IO.Path.GetFileName(target)}.checkpoint");
        string stamp = Stamp(settings, trainPaths);
        string? discarded = null;
        try
        {
            if (File.Exists(System.IO.Path.Combine(path, StampFile)) && File.ReadAllText(System.IO.Path.Combine(path, StampFile)) == stamp)
            {
                try
                {
                    if (SsmTrainer.ReadCheckpoint(path) is { } kept)
                        return new CheckpointFolder(path, kept, ReadHistory(path, kept.EpochsDone), null);
                }
                catch (InvalidDataException ex)
                {
                    discarded = $"the checkpoint in '{path}' cannot be read ({ex.Message}); training starts from the beginning.";
                }
            }
            else if (Directory.Exists(path))
                discarded = $"'{path}' held a stopped training of other settings or images; this one starts from the beginning.";
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            Directory.CreateDirectory(path);
            File.WriteAllText(System.IO.Path.Combine(path, StampFile), stamp);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"Cannot keep checkpoints in '{path}': {ex.Message} (--checkpoint-every 0 keeps none).", ex);
        }
        return new CheckpointFolder(path, null, [], discarded);
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
                                    "the same command continues from there.", stop);
    }

    /// <summary>Removes the folder (the output is written, or nothing was worth keeping).</summary>
    public void Delete()
    {
        try { if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static string Stamp(IEnumerable<KeyValuePair<string, string>> settings, IReadOnlyList<string> trainPaths)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in settings.OrderBy(kv => kv.Key, StringComparer.Ordinal)) text.Append(key).Append('=').Append(value).Append('\n');
        foreach (string file in trainPaths)
        {
            var info = new FileInfo(file);
            text.Append(info.FullName).Append('\t').Append(info.Length).Append('\t').Append(info.LastWriteTimeUtc.Ticks).Append('\n');
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
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
