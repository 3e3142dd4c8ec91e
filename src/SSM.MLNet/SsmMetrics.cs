using SSM.Core.Evaluation;

namespace SSM.MLNet;

/// <summary>Image- and pixel-level metrics of an SSM model on labelled images (see <see cref="SsmEvaluator"/>).</summary>
public sealed record SsmMetrics
{
    /// <summary>Number of images evaluated.</summary>
    public int ImageCount { get; init; }

    /// <summary>Number of anomalous images among them.</summary>
    public int AnomalousCount { get; init; }

    /// <summary>Area under the image-level ROC curve of the Score column (ties count one half).</summary>
    public double ImageAuroc { get; init; }

    /// <summary>Best image-level F1 over all thresholds on the Score column.</summary>
    public double ImageF1Max { get; init; }

    /// <summary>The Score threshold (anomalous when Score ≥ it) that reaches <see cref="ImageF1Max"/>: a round value midway
    /// between the lowest score it flags and the highest it passes where three decimals fit (<see cref="RoundThreshold"/>),
    /// so it decides the same printed, and when scores move in their last digits. Give it to <c>transformer.WithThreshold</c>
    /// to keep it.</summary>
    public float ImageF1Threshold { get; init; }

    /// <summary>
    /// The thresholds that flag at most 1, 5 and 10 % of the normal rows (<see cref="FalseAlarmThreshold.CommonRates"/>), each
    /// finding every anomalous row scoring above the normal rows it must pass, midway between the lowest of those and the
    /// normal row below it (room on both sides for scores that move in their last digits), with what it decides: how an
    /// inspection line picks its threshold ("at most 5 % of good parts rejected"), as <c>ssm evaluate</c> lists them. Give one to
    /// <c>transformer.WithThreshold</c> to keep it (in the Score column's units).
    /// </summary>
    public IReadOnlyList<FalseAlarmThreshold> FalseAlarmThresholds { get => falseAlarmThresholds; init => falseAlarmThresholds = new([.. value]); }

    /// <summary>Confusion counts of the PredictedLabel column (the model's own threshold); null when no predicted label column was given.</summary>
    public ConfusionCounts? Confusion { get; init; }

    /// <summary>Area under the pixel-level ROC curve over all anomaly maps; null without a ground-truth mask column.</summary>
    public double? PixelAuroc { get; init; }

    /// <summary>Best pixel-level F1; null without a ground-truth mask column.</summary>
    public double? PixelF1Max { get; init; }

    /// <summary>The AnomalyMap value (anomalous pixel when ≥ it) that reaches <see cref="PixelF1Max"/>, a round value marking
    /// the same pixels as <see cref="ImageF1Threshold"/> is; null without a ground-truth mask column. Give it to
    /// <c>transformer.WithMaskThreshold</c> for predicted masks that mark there.</summary>
    public float? PixelF1Threshold { get; init; }

    /// <summary>Area under the per-region-overlap curve up to 30% false-positive rate, normalised to [0, 1]; null without a ground-truth mask column.</summary>
    public double? Aupro { get; init; }

    /// <summary>
    /// 95 % bootstrap intervals of <see cref="ImageAuroc"/> and, with masks, <see cref="PixelAuroc"/> and <see cref="Aupro"/>:
    /// how far another test set with the same numbers of normal and anomalous images could move them (1000 draws, seed 0).
    /// Null unless asked for (<c>intervals: true</c>).
    /// </summary>
    public BootstrapIntervals? Intervals { get; init; }

    /// <summary>
    /// Each category on its own (<see cref="CategoryMetrics"/>): the categories without an anomalous row first, then the
    /// others in the order their first row comes; a defect category's rows ranked with every normal row alone, image AUROC
    /// and, with masks, pixel AUROC and AUPRO; how many rows the predicted label flags. Null unless a category column was given.
    /// </summary>
    public IReadOnlyList<CategoryMetrics>? Categories { get => categories; init => categories = value is null ? null : new([.. value]); }

    // The lists are kept as Items, so that two metrics with equal entries are equal records, as for every other member.
    private readonly Items<FalseAlarmThreshold> falseAlarmThresholds = new([]);
    private readonly Items<CategoryMetrics>? categories;

    private sealed class Items<T>(T[] items) : IReadOnlyList<T>, IEquatable<Items<T>>
    {
        public T this[int index] => items[index];
        public int Count => items.Length;
        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)items).GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        public bool Equals(Items<T>? other) => other is not null && items.SequenceEqual(other);
        public override bool Equals(object? obj) => Equals(obj as Items<T>);
        public override int GetHashCode() => items.Aggregate(items.Length, (hash, item) => HashCode.Combine(hash, item));
    }
}
