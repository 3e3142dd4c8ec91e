using SkiaSharp;

namespace SSM.MLNet;

/// <summary>A jet-like colour map for anomaly heat maps (blue = normal, red = anomalous).</summary>
internal static class HeatColors
{
    /// <summary>The colour at <paramref name="t"/> of the scale, 0 (blue) to 1 (red).</summary>
    public static SKColor At(float t)
    {
        t = Math.Clamp(t, 0f, 1f);
        float r = Math.Clamp(1.5f - Math.Abs(4f * t - 3f), 0f, 1f);
        float g = Math.Clamp(1.5f - Math.Abs(4f * t - 2f), 0f, 1f);
        float b = Math.Clamp(1.5f - Math.Abs(4f * t - 1f), 0f, 1f);
        return new SKColor((byte)(r * 255), (byte)(g * 255), (byte)(b * 255));
    }
}
