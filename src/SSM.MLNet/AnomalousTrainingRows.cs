using Microsoft.ML;
using Microsoft.ML.Data;

namespace SSM.MLNet;

/// <summary>
/// Counts training rows labelled anomalous in a column named "Label" (ML.NET's default label column): SSM learns what
/// normal looks like from every row it is trained on, so a split that still holds defective rows (a TrainTestSplit of a
/// labelled set) teaches it those defects as normal. Fit warns and trains on; it never drops rows itself.
/// </summary>
internal static class AnomalousTrainingRows
{
    public const string LabelColumnName = "Label";

    /// <summary>Whether a label column of this type has a known anomalous value: Boolean true, a Single or Double above 0
    /// (ML.NET's anomaly label), or a key of two values (<see cref="AnomalousKey"/>).</summary>
    public static bool IsLabelType(DataViewType type) =>
        type is BooleanDataViewType || type == NumberDataViewType.Single || type == NumberDataViewType.Double ||
        type is KeyDataViewType { Count: 2, RawType: var raw } && raw == typeof(uint);

    /// <summary>
    /// The anomalous key of a two-valued key label: the key of the value <c>true</c> when the key values are Boolean or the
    /// text "true"/"false" (what MapValueToKey makes of a Boolean label, whose order is that of first appearance by default:
    /// a test set that starts with a defect makes <c>true</c> key 1), else key 2, as ML.NET's anomaly evaluator counts.
    /// </summary>
    public static uint AnomalousKey(DataViewSchema.Column label)
    {
        if (label.HasKeyValues(BooleanDataViewType.Instance))
        {
            VBuffer<bool> flags = default;
            label.GetKeyValues(ref flags);
            int at = flags.DenseValues().ToList().IndexOf(true);
            if (at >= 0) return (uint)at + 1;
        }
        else if (label.HasKeyValues(TextDataViewType.Instance))
        {
            VBuffer<ReadOnlyMemory<char>> names = default;
            label.GetKeyValues(ref names);
            var values = names.DenseValues().Select(n => n.ToString().Trim()).ToList();
            int at = values.FindIndex(v => v.Equals("true", StringComparison.OrdinalIgnoreCase));
            if (at >= 0 && values.Any(v => v.Equals("false", StringComparison.OrdinalIgnoreCase))) return (uint)at + 1;
        }
        return 2;
    }

    /// <summary>The label column, when it has a type whose anomalous value is known (<see cref="IsLabelType"/>).</summary>
    public static DataViewSchema.Column? FindLabel(DataViewSchema schema) =>
        schema.GetColumnOrNull(LabelColumnName) is { } c && IsLabelType(c.Type) ? c : null;

    /// <summary>Whether the cursor's current row is labelled anomalous.</summary>
    public static Func<bool> MakeTest(DataViewRow row, DataViewSchema.Column label)
    {
        var value = ValueGetter(row, label);
        return () => value() > 0;
    }

    /// <summary>The current row's label as a number (a Boolean as 1 or 0), anomalous above 0; NaN as it is, for the caller to
    /// judge. The column's type must pass <see cref="IsLabelType"/>.</summary>
    public static Func<double> ValueGetter(DataViewRow row, DataViewSchema.Column label)
    {
        if (label.Type is BooleanDataViewType)
        {
            var flag = row.GetGetter<bool>(label);
            return () => { bool v = false; flag(ref v); return v ? 1 : 0; };
        }
        if (label.Type is KeyDataViewType)
        {
            var key = row.GetGetter<uint>(label);
            uint anomalous = AnomalousKey(label);
            // Key 0 is ML.NET's missing value: NaN, for the caller to judge.
            return () => { uint k = 0; key(ref k); return k == 0 ? double.NaN : k == anomalous ? 1 : 0; };
        }
        if (label.Type == NumberDataViewType.Single)
        {
            var single = row.GetGetter<float>(label);
            return () => { float v = 0; single(ref v); return v; };
        }
        var number = row.GetGetter<double>(label);
        return () => { double v = 0; number(ref v); return v; };
    }

    public static string Warning(int anomalous, int rows) =>
        $"SSM: {anomalous} of {rows} training rows are labelled anomalous in column '{LabelColumnName}'. SSM learns what normal looks " +
        "like from every row it is trained on, so it would learn these defects as normal: train on the normal rows only " +
        "(a Single label: mlContext.Data.FilterRowsByColumn(data, \"Label\", upperBound: 0.5); a Boolean one: " +
        "mlContext.Data.FilterByCustomPredicate<YourRow>(data, row => row.Label), which drops the rows it is true for).";
}
