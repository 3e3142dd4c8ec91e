namespace SSM.Core.Data.Synthesis;

/// <summary>Turns a texture family's luminance field into a gray or coloured <see cref="FloatImage"/>.</summary>
internal static class TextureSynthesizer
{
    /// <summary>A new random instance of <paramref name="kind"/>, size x size, with 1 or 3 channels.</summary>
    public static FloatImage Render(TextureKind kind, int size, int channels, Random rng)
    {
        float[] field = TextureFields.Render(kind, size, rng);
        // Per-image exposure: enough variation that the mean brightness alone does not separate good from defective.
        float contrast = rng.Uniform(0.9f, 1.1f), offset = rng.Uniform(-0.04f, 0.04f);
        for (int i = 0; i < field.Length; i++)
            field[i] = Math.Clamp((field[i] - 0.5f) * contrast + 0.5f + offset, 0f, 1f);

        if (channels == 1) return new FloatImage(1, size, size, field);

        (Rgb dark, Rgb light) = Palette(kind);
        int plane = size * size;
        var pixels = new float[3 * plane];
        for (int c = 0; c < 3; c++)
        {
            // Small per-image tint so colour statistics vary too.
            float lo = dark[c] * rng.Uniform(0.97f, 1.03f), hi = Math.Min(1f, light[c] * rng.Uniform(0.98f, 1.02f));
            for (int i = 0; i < plane; i++) pixels[c * plane + i] = lo + (hi - lo) * field[i];
        }
        return new FloatImage(3, size, size, pixels);
    }

    private static (Rgb Dark, Rgb Light) Palette(TextureKind kind) => kind switch
    {
        TextureKind.Woven => (new(0.22f, 0.16f, 0.09f), new(0.95f, 0.87f, 0.70f)),       // canvas
        TextureKind.Grainy => (new(0.20f, 0.11f, 0.06f), new(0.78f, 0.55f, 0.36f)),      // leather
        TextureKind.Striped => (new(0.08f, 0.16f, 0.34f), new(0.80f, 0.86f, 0.95f)),     // blue and white cloth
        TextureKind.BrushedMetal => (new(0.25f, 0.27f, 0.30f), new(0.88f, 0.90f, 0.93f)), // steel
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown texture kind."),
    };

    private readonly record struct Rgb(float R, float G, float B)
    {
        public float this[int c] => c switch { 0 => R, 1 => G, _ => B };
    }
}
