namespace SSM.Core.Data.Synthesis;

/// <summary>
/// Smooth 2-D value noise in [0, 1] over a periodic random lattice: each instance draws its own lattice,
/// which is what makes every synthetic image a different sample of the same texture family.
/// </summary>
internal sealed class ValueNoise
{
    // 64 lattice cells is more than any texture scale uses across one image, so the period never shows.
    private const int Size = 64;
    private readonly float[] _lattice = new float[Size * Size];

    public ValueNoise(Random rng)
    {
        for (int i = 0; i < _lattice.Length; i++) _lattice[i] = rng.NextSingle();
    }

    /// <summary>Noise at lattice coordinates (x, y); one lattice cell is one "feature" of the noise.</summary>
    public float Sample(float x, float y)
    {
        float fx = MathF.Floor(x), fy = MathF.Floor(y);
        int x0 = Wrap((int)fx), y0 = Wrap((int)fy);
        int x1 = (x0 + 1) & (Size - 1), y1 = (y0 + 1) & (Size - 1);
        float tx = Smooth(x - fx), ty = Smooth(y - fy);
        float top = Lerp(_lattice[y0 * Size + x0], _lattice[y0 * Size + x1], tx);
        float bottom = Lerp(_lattice[y1 * Size + x0], _lattice[y1 * Size + x1], tx);
        return Lerp(top, bottom, ty);
    }

    /// <summary>A lattice value by integer index, used as a random per-thread or per-cell constant.</summary>
    public float Cell(int i, int j) => _lattice[Wrap(j) * Size + Wrap(i)];

    private static int Wrap(int i) => i & (Size - 1);
    private static float Smooth(float t) => t * t * (3f - 2f * t);
    private static float Lerp(float a, float b, float t) => a + (b - a) * t;
}
