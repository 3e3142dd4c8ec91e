namespace SSM.Core.Data.Synthesis;

/// <summary>
/// An irregular, rotated ellipse with a soft edge: the radius is wobbled by a few low harmonics of the angle,
/// so spots, holes and discoloured regions look organic rather than geometric.
/// </summary>
internal sealed class BlobShape
{
    private const int Harmonics = 3;
    private readonly float _cx, _cy, _radius, _aspect, _cos, _sin, _softness;
    private readonly float[] _amplitudes = new float[Harmonics], _phases = new float[Harmonics];

    /// <param name="rng">Source of the orientation, wobble and position.</param>
    /// <param name="width">Width of the image the blob must fit in.</param>
    /// <param name="height">Its height.</param>
    /// <param name="radius">Mean radius along the major axis in pixels.</param>
    /// <param name="aspect">Minor / major axis ratio in (0, 1].</param>
    /// <param name="wobble">Largest relative radius change per harmonic.</param>
    /// <param name="softness">Width of the edge ramp in pixels.</param>
    public BlobShape(Random rng, int width, int height, float radius, float aspect, float wobble, float softness)
    {
        _radius = radius; _aspect = aspect; _softness = Math.Max(softness, 0.5f);
        float angle = rng.Uniform(0f, MathF.PI);
        _cos = MathF.Cos(angle); _sin = MathF.Sin(angle);
        for (int k = 0; k < Harmonics; k++)
        {
            _amplitudes[k] = rng.Uniform(0f, wobble);
            _phases[k] = rng.Uniform(0f, 2f * MathF.PI);
        }
        // Keep the whole blob inside the image so the defect is never cut away by the border.
        float marginX = Math.Min(Extent, width / 2f - 1f), marginY = Math.Min(Extent, height / 2f - 1f);
        _cx = rng.Uniform(marginX, width - marginX);
        _cy = rng.Uniform(marginY, height - marginY);
    }

    /// <summary>Largest distance from the centre at which <see cref="Alpha"/> can be non-zero.</summary>
    public float Extent => _radius * (1f + _amplitudes.Sum()) + _softness;

    /// <summary>Bounding box (inclusive-exclusive) of the non-zero alpha, clipped to the image.</summary>
    public (int X0, int Y0, int X1, int Y1) Bounds(int width, int height)
    {
        float e = Extent + 1f;
        return (Math.Max(0, (int)(_cx - e)), Math.Max(0, (int)(_cy - e)),
                Math.Min(width, (int)MathF.Ceiling(_cx + e)), Math.Min(height, (int)MathF.Ceiling(_cy + e)));
    }

    /// <summary>Coverage of pixel (x, y): 1 inside, 0 outside, a smooth ramp across the edge.</summary>
    public float Alpha(int x, int y)
    {
        float dx = x + 0.5f - _cx, dy = y + 0.5f - _cy;
        float major = dx * _cos + dy * _sin, minor = (-dx * _sin + dy * _cos) / _aspect;
        float r = MathF.Sqrt(major * major + minor * minor);
        float theta = MathF.Atan2(minor, major);
        float edge = _radius;
        for (int k = 0; k < Harmonics; k++) edge += _radius * _amplitudes[k] * MathF.Sin((k + 2) * theta + _phases[k]);
        float t = Math.Clamp((edge + _softness / 2f - r) / _softness, 0f, 1f);
        return t * t * (3f - 2f * t);
    }
}
