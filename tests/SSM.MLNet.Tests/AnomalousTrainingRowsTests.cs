using Microsoft.ML;
using Microsoft.ML.Data;
using SSM.Core.Data;

namespace SSM.MLNet.Tests;

/// <summary>Training rows labelled anomalous (a TrainTestSplit of a labelled set, not filtered) are trained on, with a warning.</summary>
public sealed class AnomalousTrainingRowsTests
{
    private const int Size = 16;

    private sealed class BooleanLabelRow
    {
        [VectorType(Size * Size)] public float[] Pixels { get; set; } = [];
        public bool Label { get; set; }
    }

    private sealed class SingleLabelRow
    {
        [VectorType(Size * Size)] public float[] Pixels { get; set; } = [];
        public float Label { get; set; }
    }

    private sealed class IntLabelRow
    {
        [VectorType(Size * Size)] public float[] Pixels { get; set; } = [];
        public int Label { get; set; }
    }

    private static readonly float[][] Images = [.. SyntheticDataset.Generate(new SyntheticDatasetOptions
        { ImageSize = Size, TrainCount = 8, TestGoodCount = 0, TestDefectCount = 0 }).Train.Select(i => i.Pixels)];

    private static List<string> Warnings<T>(IEnumerable<T> rows) where T : class =>
        FitWarnings.Of(context => context.Transforms.DetectAnomaliesSsm(FitWarnings.TinyVectorOptions(Size)).Fit(context.Data.LoadFromEnumerable(rows)));

    private static string? LabelWarning(List<string> warnings) => warnings.SingleOrDefault(w => w.Contains("labelled anomalous"));

    [Fact]
    public void Boolean_labels_that_are_true_are_counted_and_named()
    {
        var warning = LabelWarning(Warnings(Images.Select((p, i) => new BooleanLabelRow { Pixels = p, Label = i % 4 == 1 })));
        Assert.NotNull(warning);
        Assert.StartsWith("SSM: 2 of 8 training rows are labelled anomalous in column 'Label'.", warning);
        Assert.Contains("FilterRowsByColumn", warning);
    }

    [Fact]
    public void Single_labels_above_zero_are_anomalous_as_in_MLNets_anomaly_evaluation()
    {
        var warning = LabelWarning(Warnings(Images.Select((p, i) => new SingleLabelRow { Pixels = p, Label = i == 3 ? 1f : 0f })));
        Assert.StartsWith("SSM: 1 of 8 training rows are labelled anomalous", warning);
    }

    [Fact]
    public void A_key_label_counts_the_key_of_true_whatever_its_number()
    {
        // The first row is the defect: MapValueToKey numbers by first appearance, so true is key 1 here.
        var rows = Images.Select((p, i) => new BooleanLabelRow { Pixels = p, Label = i == 0 });
        var warning = LabelWarning(FitWarnings.Of(context =>
        {
            var data = context.Data.LoadFromEnumerable(rows);
            var keyed = context.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
            return context.Transforms.DetectAnomaliesSsm(FitWarnings.TinyVectorOptions(Size)).Fit(keyed);
        }));
        Assert.StartsWith("SSM: 1 of 8 training rows are labelled anomalous", warning);
    }

    [Fact]
    public void Normal_labels_warn_nothing()
    {
        Assert.Null(LabelWarning(Warnings(Images.Select(p => new BooleanLabelRow { Pixels = p }))));
        Assert.Null(LabelWarning(Warnings(Images.Select(p => new SingleLabelRow { Pixels = p }))));
    }

    [Fact]
    public void A_label_of_another_type_is_said_to_be_unchecked()
    {
        var warning = LabelWarning(Warnings(Images.Select((p, i) => new IntLabelRow { Pixels = p, Label = i == 3 ? 1 : 0 })));
        Assert.NotNull(warning);
        Assert.StartsWith("SSM: column 'Label' is Int32, a label type whose anomalous value SSM does not know, so the training rows were not checked", warning);
    }
}
