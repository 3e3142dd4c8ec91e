namespace SSM.MLNet;

/// <summary>
/// The colour scale of a model's heat maps: map value 0 dark blue, <see cref="Limit"/> green, <see cref="High"/> (twice the
/// limit) full red. Map value 0 is the held-out normal images' mean with standardised maps, and no restoration error with raw
/// maps. The scale comes from the model alone, never from the other images of a run, so the same image gets the same
/// colours whether it is drawn alone or among others, and overlays of different runs of one model compare.
/// </summary>
/// <param name="Limit">The model's normal limit in map units: where an image's map maximum reaches its default threshold, 3
/// standard deviations above the mean held-out normal image score.</param>
public readonly record struct HeatScale(float Limit)
{
    /// <summary>Map value drawn full red: twice <see cref="Limit"/>, so the limit sits mid-scale.</summary>
    public float High => 2 * Limit;

    /// <summary>Where <paramref name="value"/> falls on the colour map, 0 (blue) to 1 (red).</summary>
    public float Fraction(float value) => Math.Clamp(value / Math.Max(1e-12f, High), 0f, 1f);

    /// <summary>
    /// The scale of <paramref name="ssm"/> for an image of this original size: from its calibration, not from its threshold,
    /// so a copy with another threshold (<see cref="SsmAnomalyTransformer.WithThreshold"/>, which moves the contour) draws the
    /// same colours. The size matters only to a model trained on images of several sizes
    /// (<see cref="SsmAnomalyTransformer.MapOffset"/>).
    /// </summary>
    public static HeatScale Of(SsmAnomalyTransformer ssm, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(ssm);
        float limit = SsmAnomalyTransformer.DefaultThreshold(ssm.Calibration, SsmScoreNormalization.Raw) + ssm.MapOffset(width, height);
        // Raw scores are maxima of non-negative errors or of maps standardised around 0, so the limit is positive; the
        // floor only keeps a degenerate calibration from dividing by zero.
        return new HeatScale(Math.Max(limit, 1e-6f));
    }
}
