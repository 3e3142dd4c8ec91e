using System.Security.Cryptography;
using System.Text.Json;
using SSM.Core.Data;
using SSM.Core.IO;
using SSM.Core.Network;

namespace SSM.Core.Training;

/// <summary>
/// A training checkpoint (a <see cref="SignedFile"/>): progress, network weights and Adam's state.
/// Randomness is drawn per epoch from the seed, so weights + optimizer state after epoch e are all
/// a resumed run needs to continue exactly as an uninterrupted one would.
/// </summary>
internal static class TrainingCheckpoint
{
    public const string FileName = "ssm-training.checkpoint";
    public static ReadOnlySpan<byte> Signature => "SSMCKPT1"u8;
    /// <summary>2: the optimizer state is our <see cref="Adam"/>'s, no longer TorchSharp's.</summary>
    public const int FormatVersion = 2;
    private const string Kind = "SSM training checkpoint";

    /// <summary>What a checkpoint records besides tensors.</summary>
    /// <param name="Fingerprint">Hash of the settings and training images it belongs to.</param>
    /// <param name="EpochsDone">Epochs completed.</param>
    /// <param name="PlannedEpochs">Epochs the learning-rate schedule is stretched over.</param>
    /// <param name="ElapsedSeconds">Training time spent so far (counts against the time budget).</param>
    /// <param name="Loss">The mean loss of epoch <paramref name="EpochsDone"/>; null in checkpoints written before it was recorded.</param>
    /// <param name="Settings">The settings that shape the weights, as hashed (JSON); null in checkpoints written before
    /// 2026-12-05, whose refusal cannot say which setting differs.</param>
    /// <param name="Images">The images' own hash (<see cref="ImageCache.Fingerprint"/>, hex); null before 2026-12-05.</param>
    public sealed record Progress(string Fingerprint, int EpochsDone, int PlannedEpochs, double ElapsedSeconds, double? Loss = null,
        string? Settings = null, string? Images = null);

    /// <summary>What identifies a training run: every setting that shapes the weights, and the images; their hash, and
    /// each apart, so that a checkpoint of another run can say what differs.</summary>
    public sealed record Run(string Fingerprint, string Settings, string Images)
    {
        /// <summary>The run of <paramref name="options"/> on <paramref name="images"/>.</summary>
        public static Run Of(SsmOptions options, ImageCache images)
        {
            byte[] settings = ShapingSettings(options), pixels = images.Fingerprint();
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            hash.AppendData(settings);
            hash.AppendData(pixels);
            return new(Convert.ToHexString(hash.GetHashAndReset()), System.Text.Encoding.UTF8.GetString(settings), Convert.ToHexString(pixels));
        }

        /// <summary>The progress to record after <paramref name="epochsDone"/> epochs.</summary>
        public Progress Progress(int epochsDone, int plannedEpochs, double elapsedSeconds, double loss) =>
            new(Fingerprint, epochsDone, plannedEpochs, elapsedSeconds, loss, Settings, Images);

        /// <summary>The settings that differ between this run and the one <paramref name="kept"/> recorded ("Training.Epochs"
        /// 4, now 5), empty when the checkpoint does not record them; and whether the images do, false when it does not record them.</summary>
        public (IReadOnlyList<CheckpointDifference> Settings, bool ImagesDiffer) Differences(Progress kept)
        {
            var differences = new List<CheckpointDifference>();
            if (kept.Settings is { } before)
            {
                var (old, now) = (Flatten(before), Flatten(Settings));
                foreach (string name in old.Keys.Union(now.Keys).Order(StringComparer.Ordinal))
                {
                    string? was = old.GetValueOrDefault(name), @is = now.GetValueOrDefault(name);
                    // A value computed from settings (Network.SizeMultiple from Depth) is no setting of its own to name.
                    if (was != @is && Property(name) is not { CanWrite: false })
                        differences.Add(new(name, Readable(name, was), Readable(name, @is)));
                }
            }
            return (differences, kept.Images is not null && kept.Images != Images);
        }

        /// <summary>A recorded value as its setting is written: an enum's name (the JSON holds its number: "Normalization 1,
        /// now 0" said nothing), a tile grid as described ("2x2 overlapping tiles"; none recorded is whole images), other values
        /// as recorded.</summary>
        private static string? Readable(string path, string? value)
        {
            if (path == nameof(SsmOptions.Tiles))
                return (value is null ? TileGrid.Whole : JsonSerializer.Deserialize<TileGrid>(value) ?? TileGrid.Whole).Describe();
            var type = Property(path)?.PropertyType is { } t ? Nullable.GetUnderlyingType(t) ?? t : null;
            return type is { IsEnum: true } && long.TryParse(value, out long number) ? Enum.ToObject(type, number).ToString() : value;
        }

        /// <summary>The property of <see cref="SsmOptions"/> at a recorded path; null for one this version does not have.</summary>
        private static System.Reflection.PropertyInfo? Property(string path)
        {
            System.Reflection.PropertyInfo? property = null;
            Type? type = typeof(SsmOptions);
            foreach (string part in path.Split('.'))
            {
                property = type?.GetProperty(part);
                type = property?.PropertyType;
            }
            return property;
        }

        /// <summary>Each setting's path and JSON value; a tile grid is one setting, as it is set.</summary>
        private static Dictionary<string, string> Flatten(string json)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            void Walk(System.Text.Json.Nodes.JsonNode? node, string path)
            {
                if (node is System.Text.Json.Nodes.JsonObject o && path != nameof(SsmOptions.Tiles))
                    foreach (var (key, child) in o) Walk(child, path.Length == 0 ? key : $"{path}.{key}");
                else values[path] = node?.ToJsonString() ?? "null";
            }
            Walk(System.Text.Json.Nodes.JsonNode.Parse(json), "");
            return values;
        }
    }

    /// <summary>The settings half of <see cref="Run.Fingerprint"/>, alone.</summary>
    public static string SettingsFingerprint(SsmOptions options) => Convert.ToHexString(SHA256.HashData(ShapingSettings(options)));

    /// <summary>Every setting that shapes the weights, as JSON: today's defaults included, so a checkpoint written by a
    /// version with other defaults (or without a setting) does not match. Scoring settings do not shape them: a stopped or
    /// finished training continues, or is calibrated afresh, under other ones (before 2026-12-03 they were hashed too, and
    /// Fit refused the checkpoint of a training that differed in smoothing or refinement rounds alone).</summary>
    private static byte[] ShapingSettings(SsmOptions options) => JsonSerializer.SerializeToUtf8Bytes(options with
    {
        // Cell sizes resolved, so a checkpoint written when the defaults were different does not match.
        Masking = options.Masking with { CellSizes = options.Masking.ResolveCellSizes(options.ImageSize), ScoringGroups = NotShaping.Masking.ScoringGroups },
        Training = options.Training with { TimeBudget = null, CheckpointFolder = null, CheckpointEvery = 1 },
        Scoring = NotShaping.Scoring,
    });

    // What the settings that do not shape the weights are hashed as: one fixed value each.
    private static readonly SsmOptions NotShaping = new();

    /// <summary>Creates the folder and writes a probe file in it (deleted on close); throws <see cref="IOException"/> naming
    /// the folder when either fails.</summary>
    public static void CheckWritable(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            // A name of its own: two trainings probing one folder at once must not take each other's probe for a fault.
            using var probe = new FileStream(Path.Combine(folder, $"{FileName}.{Guid.NewGuid():N}.probe"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write training checkpoints to '{Path.GetFullPath(folder)}': {e.Message}", e);
        }
    }

    /// <summary>Writes atomically: a run killed while writing keeps the previous checkpoint.</summary>
    public static void Save(string folder, Progress progress, InpaintingNetwork network, Adam optimizer)
    {
        Directory.CreateDirectory(folder);
        using var optimizerState = new MemoryStream();
        using (var writer = new BinaryWriter(optimizerState, System.Text.Encoding.UTF8, leaveOpen: true))
            optimizer.Save(writer);
        string path = Path.Combine(folder, FileName), temporary = path + ".tmp";
        using (var file = File.Create(temporary))
        {
            SignedFile.Write(file, Signature, FormatVersion,
                JsonSerializer.SerializeToUtf8Bytes(progress), Weights.Save(network), optimizerState.ToArray());
            file.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>What a refused checkpoint leaves a training to do: training neither deletes nor overwrites one it cannot continue.</summary>
    internal const string Advice = " Delete it, or choose another checkpoint folder.";

    /// <summary>The progress recorded by the folder's checkpoint, or null when it holds none.</summary>
    /// <param name="folder">The checkpoint folder.</param>
    /// <param name="toContinue">Whether a training reads it to continue from it: a refusal then ends on what to do
    /// (<see cref="Advice"/>). A caller that only looks gets the reason alone: the command line starts afresh itself, and
    /// told its user to delete a checkpoint it deleted.</param>
    /// <exception cref="InvalidDataException">The checkpoint is damaged, foreign, or of another format version.</exception>
    public static Progress? Read(string folder, bool toContinue) => ReadFile(folder, toContinue)?.Progress;

    /// <summary>The folder's checkpoint: its progress and its sections (progress, weights, optimizer state); null when the
    /// folder holds none. A checkpoint of an earlier format is refused here, so that what reads the progress alone (Fit's
    /// "continuing the training" line) does not take for continuable a checkpoint that training would refuse.</summary>
    private static (Progress Progress, byte[][] Sections)? ReadFile(string folder, bool toContinue)
    {
        string path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            byte[][] sections;
            int version;
            using (var file = File.OpenRead(path))
                (version, sections) = SignedFile.Read(file, Signature, FormatVersion, 3, $"{Kind} '{path}'");
            if (version < FormatVersion)
                throw new InvalidDataException($"The checkpoint '{path}' was written by an earlier version of SSM.MLNet, whose optimizer state this one cannot read.");
            return (Json.Parse<Progress>(sections[0], Kind), sections);
        }
        // A newer format's refusal says what to do already (update the package), and is marked as such.
        catch (InvalidDataException ex) when (toContinue && !NewerFormat.Is(ex))
        {
            throw new InvalidDataException(ex.Message + Advice, ex);
        }
    }

    /// <summary>The error for a checkpoint of a training with other settings or images, naming what differs where the
    /// checkpoint records it (a review's Epochs 4 against 5 was told only "other settings or images").</summary>
    public static CheckpointMismatchException OtherRun(string folder, Run run, Progress kept)
    {
        var (settings, imagesDiffer) = run.Differences(kept);
        return new(Path.Combine(folder, FileName), settings, imagesDiffer);
    }

    /// <summary>
    /// Restores weights and optimizer state from the folder's checkpoint, if there is one.
    /// Throws when the checkpoint belongs to other settings or images.
    /// </summary>
    public static Progress? TryResume(string folder, Run run, InpaintingNetwork network, Adam optimizer)
    {
        if (ReadFile(folder, toContinue: true) is not (var progress, var sections)) return null;
        if (progress.Fingerprint != run.Fingerprint) throw OtherRun(folder, run, progress);
        using (var reader = new BinaryReader(new MemoryStream(sections[1], writable: false)))
            network.load(reader, strict: true);
        using (var reader = new BinaryReader(new MemoryStream(sections[2], writable: false)))
            optimizer.Load(reader);
        return progress;
    }
}
