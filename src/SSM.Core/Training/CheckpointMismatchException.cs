namespace SSM.Core.Training;

/// <summary>One setting a checkpoint was written under that a training now has otherwise.</summary>
/// <param name="Setting">The engine's path of the setting, e.g. "Training.Epochs" or "Network.BaseWidth".</param>
/// <param name="Was">Its value in the checkpoint; null when the checkpoint does not record it.</param>
/// <param name="Now">Its value now; null when this version has no such setting.</param>
public sealed record CheckpointDifference(string Setting, string? Was, string? Now);

/// <summary>
/// A training whose checkpoint folder holds the checkpoint of another run (other settings or images): it neither continues
/// from it nor overwrites it. Its message names what differs where the checkpoint records it, in the engine's names;
/// <see cref="Naming"/> says it in a caller's.
/// </summary>
public sealed class CheckpointMismatchException : InvalidOperationException
{
    /// <summary>The refusal of the checkpoint file <paramref name="path"/>, whose run differs in <paramref name="settings"/>
    /// and, when <paramref name="imagesDiffer"/>, in the training images or their order.</summary>
    public CheckpointMismatchException(string path, IReadOnlyList<CheckpointDifference> settings, bool imagesDiffer)
        : this(path, settings, imagesDiffer, static s => s, null) { }

    private CheckpointMismatchException(string path, IReadOnlyList<CheckpointDifference> settings, bool imagesDiffer, Func<string, string?> name, Exception? inner)
        : base(Describe(path, settings, imagesDiffer, name), inner)
    {
        Path = path;
        Settings = settings;
        ImagesDiffer = imagesDiffer;
    }

    /// <summary>The checkpoint file refused.</summary>
    public string Path { get; }

    /// <summary>The settings that differ, in the engine's names; empty when the checkpoint does not record its settings.</summary>
    public IReadOnlyList<CheckpointDifference> Settings { get; }

    /// <summary>Whether the training images, or their order, differ from the checkpoint's.</summary>
    public bool ImagesDiffer { get; }

    /// <summary>This exception, its settings named by <paramref name="name"/>, for a layer whose settings have other names
    /// to throw in its place (this one its inner exception).</summary>
    /// <param name="name">The caller's name of an engine setting ("Training.Epochs" to "SsmAnomalyDetectionOptions.Epochs"),
    /// or null for one its caller cannot set: such differences are left out, and when nothing else differs the message
    /// says the checkpoint is of a version whose defaults differ, which is then the only way they can.</param>
    public CheckpointMismatchException Naming(Func<string, string?> name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return new(Path, Settings, ImagesDiffer, name, this);
    }

    private static string Describe(string path, IReadOnlyList<CheckpointDifference> settings, bool imagesDiffer, Func<string, string?> name)
    {
        var differences = settings.Select(d => name(d.Setting) is { } n ? $"{n} {d.Was ?? "(not recorded)"}, now {d.Now ?? "(not recorded)"}" : null)
            .OfType<string>().ToList();
        if (imagesDiffer) differences.Add("the training images (or their order)");
        return $"The checkpoint '{path}' belongs to a training run with other settings or images " +
               (differences.Count > 0 ? $"({string.Join("; ", differences.Take(5))}{(differences.Count > 5 ? $"; and {differences.Count - 5} more" : "")})"
                   : "(or of a version of SSM.MLNet whose defaults differ)") +
               "." + TrainingCheckpoint.Advice;
    }
}
