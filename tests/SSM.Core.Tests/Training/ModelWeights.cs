namespace SSM.Core.Tests.Training;

/// <summary>A model's weights, every parameter's in order: two trainings learnt the same exactly when these are equal.</summary>
internal static class ModelWeights
{
    public static float[] Of(SsmModel model) => [.. model.Network.parameters().SelectMany(p => p.data<float>().ToArray())];
}
