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
    /// (ML.NET's anomaly label), or a UInt32 key of two values (<see cref="AnomalousKey"/>; MapValueToKey's keys).</summary>
    public static bool IsLabelType(DataViewType type) =>
        type is BooleanDataViewType || type == NumberDataViewType.Single || type == NumberDataViewType.Double ||
        type is KeyDataViewType { Count: 2, RawType: var raw } && raw == typeof(uint);

    /// <summary>
    /// The anomalous key of a two-valued key label, read from its key values where they say it: what MapValueToKey makes of
    /// a label numbers its values in order of first appearance by default, so a test set that starts with a defect makes
    /// the anomalous value key 1 (where ML.NET's anomaly evaluator counts key 2, and inverts the AUC). The anomalous value:
    /// Boolean <c>true</c>; a number above 0, of any type (as a Single label would be read); of text, the one that is not a
    /// normal label of a labels CSV (<see cref="SSM.Core.Data.LabelsCsv.NormalLabels"/>: good, normal, ok, pass, 0, false). Without such values, key 2, as ML.NET.
    /// </summary>
    public static uint AnomalousKey(DataViewSchema.Column label)
    {
        int at = -1;
        if (label.HasKeyValues(BooleanDataViewType.Instance)) at = KeyValues<bool>(label).IndexOf(true);
        else if (NumberKeyValues(label) is { } numbers) at = OnlyOne(numbers.Select(v => v > 0));
        else if (label.HasKeyValues(TextDataViewType.Instance))
            at = OnlyOne(KeyValues<ReadOnlyMemory<char>>(label).Select(v => !SSM.Core.Data.LabelsCsv.NormalLabels.Contains(v.ToString().Trim())));
        return at >= 0 ? (uint)at + 1 : 2;
    }

    /// <summary>The key values as numbers, when they are numbers of any type (an int label's key as a float's); else null.</summary>
    private static List<double>? NumberKeyValues(DataViewSchema.Column label)
    {
        var values = label.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
        if (values?.Type is not VectorDataViewType { ItemType: NumberDataViewType number }) return null;
        var read = typeof(AnomalousTrainingRows).GetMethod(nameof(KeyValues), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(number.RawType);
        return [.. ((System.Collections.IEnumerable)read.Invoke(null, [label])!).Cast<object>().Select(v => Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture))];
    }

    private static List<T> KeyValues<T>(DataViewSchema.Column column)
    {
        VBuffer<T> values = default;
        column.GetKeyValues(ref values);
        return [.. values.DenseValues()];
    }

    /// <summary>The index of the one true flag of two, or -1 (none or both: nothing to go by).</summary>
    private static int OnlyOne(IEnumerable<bool> flags)
    {
        var list = flags.ToList();
        return list.Count(f => f) == 1 ? list.IndexOf(true) : -1;
    }

    /// <summary>The label column, when it has a type whose anomalous value is known (<see cref="IsLabelType"/>).</summary>
    public static DataViewSchema.Column? FindLabel(DataViewSchema schema) =>
        schema.GetColumnOrNull(LabelColumnName) is { } c && IsLabelType(c.Type) ? c : null;

    /// <summary>The warning for a label column of a type whose anomalous value is not known (an Int32 or text label), or
    /// null: its rows are not checked, and that is said rather than passed over (a review's int labels trained 4 defects
    /// without a word, where a Single label warned).</summary>
    /// <param name="schema">The rows' schema.</param>
    /// <param name="what">The rows: "training" or "calibration".</param>
    public static string? UncheckedLabel(DataViewSchema schema, string what) =>
        schema.GetColumnOrNull(LabelColumnName) is { } c && !IsLabelType(c.Type)
            ? $"SSM: column '{LabelColumnName}' is {c.Type}, a label type whose anomalous value SSM does not know, so the {what} rows were " +
              "not checked for rows labelled anomalous (which it would learn as normal). A Boolean, Single or Double label, or a key of " +
              "two values, is checked."
            : null;

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

    /// <summary>The warning for rows labelled anomalous among those a model is calibrated on
    /// (<see cref="SsmAnomalyTransformer.Recalibrate"/>): their scores would count as normal ones.</summary>
    public static string CalibrationWarning(int anomalous, int rows) =>
        $"SSM: {anomalous} of {rows} calibration rows are labelled anomalous in column '{LabelColumnName}'. Their scores count as " +
        "normal ones, so the threshold rises until such defects pass: calibrate on the normal rows only (filtered as for training).";

    public static string Warning(int anomalous, int rows) =>
        $"SSM: {anomalous} of {rows} training rows are labelled anomalous in column '{LabelColumnName}'. SSM learns what normal looks " +
        "like from every row it is trained on, so it would learn these defects as normal: train on the normal rows only " +
        "(a Single label: mlContext.Data.FilterRowsByColumn(data, \"Label\", upperBound: 0.5); a Boolean one: " +
        "mlContext.Data.FilterByCustomPredicate<YourRow>(data, row => row.Label), which drops the rows it is true for; a key label: " +
        "filter before MapValueToKey).";
}
