using Microsoft.ML;
using Microsoft.ML.Data;

namespace SSM.MLNet.Tests;

/// <summary>A row of 16 x 16 grey values in the column <see cref="FitWarnings.TinyVectorOptions"/> reads: the input of
/// the tests that train a tiny vector model.</summary>
internal sealed class TinyVectorRow
{
    public const int Size = 16;

    [VectorType(Size * Size)] public float[] Pixels { get; set; } = [];

    /// <summary>The images as rows of <paramref name="context"/>.</summary>
    public static IDataView Load(MLContext context, IEnumerable<float[]> images) =>
        context.Data.LoadFromEnumerable(images.Select(p => new TinyVectorRow { Pixels = p }).ToList());
}
