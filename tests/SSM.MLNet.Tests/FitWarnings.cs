using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace SSM.MLNet.Tests;

/// <summary>The warnings a Fit logs, as a user sees them in <c>MLContext.Log</c>: what the warning tests assert on.</summary>
internal static class FitWarnings
{
    /// <summary>The warning Fit logs about the machine's libtorch (<see cref="SSM.Core.Torch.OneDnnCheck"/>), if any.</summary>
    private static string Machine => "SSM: " + SSM.Core.Torch.OneDnnCheck.Finding;

    /// <summary>Runs <paramref name="fit"/> on a fresh MLContext (seed 1), disposes the model it returns, and gives the
    /// warnings SSM logged meanwhile about the data and settings: not the machine's (<see cref="Machine"/>),
    /// which <c>OneDnnWarningTests</c> checks.</summary>
    public static List<string> Of(Func<MLContext, ITransformer> fit)
    {
        var context = new MLContext(seed: 1);
        var warnings = new List<string>();
        context.Log += (_, e) => { if (e.Kind == ChannelMessageKind.Warning && e.Source.Contains("Ssm") && e.RawMessage != Machine) lock (warnings) warnings.Add(e.RawMessage); };
        (fit(context) as IDisposable)?.Dispose();
        return warnings;
    }

    /// <summary>A one-epoch model of the smallest network on a column "Pixels" of <paramref name="size"/> x <paramref name="size"/> values.</summary>
    public static SsmAnomalyDetectionOptions TinyVectorOptions(int size) => new()
    {
        InputColumnName = "Pixels", ImageSize = size, BaseWidth = 4, Depth = 2, Epochs = 1, VectorWidth = size, VectorHeight = size,
    };
}
