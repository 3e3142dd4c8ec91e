namespace SSM.Core.Evaluation;

/// <summary>
/// The least float a test holds for (false below some value, true from it up), found a few float steps from a value
/// computed in one go: a line drawn as mean + threshold x std, or a score put back into map units, can lie a step off
/// the one the scores' own arithmetic draws. At a threshold copied from an image's score a flagged image then had an
/// empty mask, or a passed one a contour pixel.
/// </summary>
public static class LeastFloat
{
    /// <summary>Float steps <see cref="Where"/> goes at most each way: rounding moves such a line by one or two.</summary>
    public const int MaxSteps = 64;

    /// <summary>The least float near <paramref name="near"/> that <paramref name="holds"/> for; <paramref name="near"/>
    /// itself when it is not finite.</summary>
    public static float Where(Func<float, bool> holds, float near)
    {
        ArgumentNullException.ThrowIfNull(holds);
        if (!float.IsFinite(near)) return near;
        float value = near;
        for (int step = 0; step < MaxSteps && !holds(value); step++) value = MathF.BitIncrement(value);
        for (int step = 0; step < MaxSteps && holds(MathF.BitDecrement(value)); step++) value = MathF.BitDecrement(value);
        return value;
    }
}
