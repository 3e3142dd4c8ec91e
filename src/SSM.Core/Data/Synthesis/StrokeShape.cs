namespace SSM.Core.Data.Synthesis;

/// <summary>
/// A thin, slightly curved line (quadratic Bézier) with anti-aliased edges and tapered ends: the shape of a scratch.
/// </summary>
internal sealed class StrokeShape
{
    private const int Segments = 24;
    private readonly float[] _xs = new float[Segments + 1], _ys = new float[Segments + 1];
    private readonly float _halfWidth;

    public StrokeShape(Random rng, int imageWidth, int imageHeight, float length, float width, float bend)
    {
        _halfWidth = width / 2f;
        float angle = rng.Uniform(0f, MathF.PI);
        float dx = MathF.Cos(angle) * length / 2f, dy = MathF.Sin(angle) * length / 2f;
        float margin = 2f + width;
        // Centre chosen so both ends stay inside the image.
        float cx = rng.Uniform(Math.Min(margin + MathF.Abs(dx), imageWidth / 2f), Math.Max(imageWidth - margin - MathF.Abs(dx), imageWidth / 2f));
        float cy = rng.Uniform(Math.Min(margin + MathF.Abs(dy), imageHeight / 2f), Math.Max(imageHeight - margin - MathF.Abs(dy), imageHeight / 2f));
        float offset = rng.Uniform(-bend, bend) * length;
        float ctrlX = cx - MathF.Sin(angle) * offset, ctrlY = cy + MathF.Cos(angle) * offset;
        for (int i = 0; i <= Segments; i++)
        {
            float t = (float)i / Segments, a = (1 - t) * (1 - t), b = 2 * (1 - t) * t, c = t * t;
            _xs[i] = Math.Clamp(a * (cx - dx) + b * ctrlX + c * (cx + dx), 1f, imageWidth - 1f);
            _ys[i] = Math.Clamp(a * (cy - dy) + b * ctrlY + c * (cy + dy), 1f, imageHeight - 1f);
        }
    }

    /// <summary>Bounding box (inclusive-exclusive) of the non-zero alpha, clipped to the image.</summary>
    public (int X0, int Y0, int X1, int Y1) Bounds(int width, int height)
    {
        float e = _halfWidth + 2f;
        return (Math.Max(0, (int)(_xs.Min() - e)), Math.Max(0, (int)(_ys.Min() - e)),
                Math.Min(width, (int)MathF.Ceiling(_xs.Max() + e)), Math.Min(height, (int)MathF.Ceiling(_ys.Max() + e)));
    }

    /// <summary>Coverage of pixel (x, y), fading out over the last tenth of the stroke at either end.</summary>
    public float Alpha(int x, int y)
    {
        float px = x + 0.5f, py = y + 0.5f, best = float.MaxValue, bestT = 0f;
        for (int i = 0; i < Segments; i++)
        {
            float ax = _xs[i], ay = _ys[i], bx = _xs[i + 1] - ax, by = _ys[i + 1] - ay;
            float lenSq = bx * bx + by * by;
            float s = lenSq > 0f ? Math.Clamp(((px - ax) * bx + (py - ay) * by) / lenSq, 0f, 1f) : 0f;
            float ex = px - ax - s * bx, ey = py - ay - s * by, dSq = ex * ex + ey * ey;
            if (dSq < best) { best = dSq; bestT = (i + s) / Segments; }
        }
        float coverage = Math.Clamp(_halfWidth + 0.5f - MathF.Sqrt(best), 0f, 1f);
        float taper = Math.Clamp(Math.Min(bestT, 1f - bestT) * 10f, 0f, 1f);
        return coverage * taper;
    }
}
