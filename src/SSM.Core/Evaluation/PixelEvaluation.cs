namespace SSM.Core.Evaluation;

/// <summary>Pixel-level (segmentation) metrics of a set of anomaly maps, as computed by <see cref="PixelMetrics.Evaluate(IReadOnlyList{LabeledAnomalyMap}, double)"/>.</summary>
/// <param name="Auroc">Pixel AUROC over all pixels of all images.</param>
/// <param name="F1Max">Best pixel F1 over all thresholds.</param>
/// <param name="F1Threshold">The threshold reaching <paramref name="F1Max"/> (anomalous when score &gt;= it).</param>
/// <param name="Aupro">Normalized area under the PRO curve up to <paramref name="MaxFpr"/>.</param>
/// <param name="MaxFpr">The AUPRO integration limit used.</param>
public readonly record struct PixelEvaluation(double Auroc, double F1Max, float F1Threshold, double Aupro, double MaxFpr);
