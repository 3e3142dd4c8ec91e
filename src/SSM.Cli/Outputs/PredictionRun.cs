using System.Text.Json;

namespace SSM.Cli.Outputs;

/// <summary>
/// predict's record of its run, summary.json beside predictions.csv: which model and threshold labelled the images, for a
/// nightly run archived and read later (predictions.csv's columns stay as scripts read them). Keys as metrics.json's.
/// </summary>
/// <param name="Command">"predict".</param>
/// <param name="Version">The ssm that wrote it, with its commit.</param>
/// <param name="Model">The model file read, as a full path.</param>
/// <param name="NetworkSha256">The model's identity (<see cref="ModelIdentity"/>).</param>
/// <param name="Threshold">The threshold the labels were decided at (--threshold, else the model's).</param>
/// <param name="Input">The image file or folder given, as a full path.</param>
/// <param name="Recursive">True when its subfolders were read (--recursive); left out otherwise.</param>
/// <param name="Images">Images scored.</param>
/// <param name="Anomalous">Of them, flagged.</param>
/// <param name="Unreadable">Files --keep-going could not read.</param>
/// <param name="HeatMaps">Heat maps written.</param>
/// <param name="Masks">Predicted masks written (--masks); left out otherwise.</param>
/// <param name="Seconds">How long the run took.</param>
/// <param name="MaskThreshold">The model's mask threshold the masks and contours were drawn at (--mask-threshold, else the
/// model's); left out when they mark where each image's verdict lies.</param>
/// <param name="ContinuedAfterImages">The images a stopped run of the same command had done, which this run took as they
/// were (<see cref="KeptPredictions"/>); left out for a run from the start.</param>
public sealed record PredictionRun(string Command, string? Version, string Model, string NetworkSha256, float Threshold, string Input,
    bool? Recursive, int Images, int Anomalous, int Unreadable, int HeatMaps, int? Masks, double Seconds,
    int? ContinuedAfterImages = null, float? MaskThreshold = null)
{
    public const string FileName = "summary.json";

    public void Write(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, MetricsFile.Json));

    public static PredictionRun Read(string path) => JsonSerializer.Deserialize<PredictionRun>(File.ReadAllText(path), MetricsFile.Json)!;
}
