using Microsoft.ML;
using Microsoft.ML.Runtime;
using SSM.Core.Torch;

namespace SSM.MLNet.Tests;

/// <summary>A machine whose libtorch convolutions had to be mended (OneDnnCheck) says so in Fit's log, once, and one
/// whose did not says nothing of it.</summary>
public sealed class OneDnnWarningTests
{
    private sealed class VectorRow
    {
        [Microsoft.ML.Data.VectorType(16 * 16)] public float[] Pixels { get; set; } = [];
    }

    [Fact]
    public void Fit_logs_the_libtorch_finding_exactly_when_there_is_one()
    {
        var context = new MLContext(seed: 1);
        var warnings = new List<string>();
        context.Log += (_, e) => { if (e.Kind == ChannelMessageKind.Warning && e.RawMessage.Contains("oneDNN")) lock (warnings) warnings.Add(e.RawMessage); };
        var rows = SSM.Core.Data.SyntheticDataset.Generate(new SSM.Core.Data.SyntheticDatasetOptions { ImageSize = 16, TrainCount = 8, TestGoodCount = 0, TestDefectCount = 0 })
            .Train.Select(i => new VectorRow { Pixels = i.Pixels });

        (context.Transforms.DetectAnomaliesSsm(FitWarnings.TinyVectorOptions(16)).Fit(context.Data.LoadFromEnumerable(rows)) as IDisposable)?.Dispose();

        Assert.Equal(OneDnnCheck.Finding is null ? [] : ["SSM: " + OneDnnCheck.Finding], warnings);
    }
}
