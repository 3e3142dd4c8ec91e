namespace SSM.Cli.Outputs;

/// <summary>The names of the files the commands write into their output folder. Other commands find a model's record,
/// a predict output or a finished category by these names, so each is written in one place.</summary>
public static class OutputFiles
{
    /// <summary>The saved ML.NET model (train; evaluate writes a copy with its threshold).</summary>
    public const string Model = "model.zip";
    /// <summary>The record of the command: settings, training and metrics (<see cref="MetricsFile"/>).</summary>
    public const string Metrics = "metrics.json";
    public const string Report = "report.html";
    public const string ConsumeCode = "ConsumeModel.cs";
    /// <summary>The table predict writes beside its heat maps; a folder holding it is a predict output, not input.</summary>
    public const string Predictions = "predictions.csv";
}
