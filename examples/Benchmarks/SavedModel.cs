using Microsoft.ML;
using SSM.Core;
using SSM.MLNet;

namespace SSM.Benchmarks;

internal static class SavedModel
{
    /// <summary>The engine model of a model.zip (read through ML.NET, as `ssm train` saves it) or of an SsmModel.bin, and
    /// what to dispose when done with it.</summary>
    public static (SsmModel Model, IDisposable Owner) Load(string path)
    {
        if (!path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            var model = SsmModel.Load(path);
            return (model, model);
        }
        var ssm = SsmAnomalyTransformer.From(new MLContext().Model.Load(path, out _));
        return (ssm.Model, ssm);
    }
}
