using static SSM.Core.Data.Synthesis.RandomExtensions;

namespace SSM.Core.Data.Synthesis;

/// <summary>
/// Luminance fields (values around [0, 1], clamped later) of each texture family. Family constants (period,
/// base orientation, contrast) are fixed; phase, offsets, noise and small variations of period and angle
/// are drawn per image so no two normal images are alike.
/// </summary>
internal static class TextureFields
{
    public static float[] Render(TextureKind kind, int size, Random rng) => kind switch
    {
        TextureKind.Woven => Woven(size, rng),
        TextureKind.Grainy => Grainy(size, rng),
        TextureKind.Striped => Striped(size, rng),
        TextureKind.BrushedMetal => BrushedMetal(size, rng),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown texture kind."),
    };

    // Basket weave: in the checkerboard of thread crossings, the weft lies on top in one colour of cells and the warp
    // in the other; a top thread is bright along its middle, darkens where it dives under, and shows fibre lines.
    private static float[] Woven(int size, Random rng)
    {
        float period = size / 8f * rng.Uniform(0.92f, 1.08f);
        float angle = Degrees(rng.Uniform(-4f, 4f));
        float phaseU = rng.Uniform(0f, 2f), phaseV = rng.Uniform(0f, 2f);
        float cos = MathF.Cos(angle), sin = MathF.Sin(angle);
        var threads = new ValueNoise(rng);
        var fibres = new ValueNoise(rng);
        var field = new float[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                float px = x + 0.5f, py = y + 0.5f;
                float u = (px * cos + py * sin) / period + phaseU;
                float v = (-px * sin + py * cos) / period + phaseV;
                int iu = (int)MathF.Floor(u), iv = (int)MathF.Floor(v);
                float fu = u - iu, fv = v - iv;
                bool weftOnTop = ((iu + iv) & 1) == 0;
                float across = weftOnTop ? fv : fu, along = weftOnTop ? fu : fv;
                int thread = weftOnTop ? iv : iu + 32;
                float profile = MathF.Pow(MathF.Sin(MathF.PI * across), 0.6f);
                float dive = 0.72f + 0.28f * MathF.Sin(MathF.PI * along);
                float fibre = 0.07f * MathF.Sin(2f * MathF.PI * (4f * across + 0.6f * fibres.Sample(px / 3f, py / 3f)));
                float threadTone = 0.12f * (threads.Cell(thread, 7) - 0.5f);
                field[y * size + x] = 0.12f + 0.74f * profile * dive + fibre + threadTone + 0.025f * rng.RoughGaussian();
            }
        return field;
    }

    // Leather / sandpaper: three octaves of isotropic noise plus per-pixel grain.
    private static float[] Grainy(int size, Random rng)
    {
        float coarse = size / 4f * rng.Uniform(0.9f, 1.1f), medium = size / 16f * rng.Uniform(0.9f, 1.1f), fine = 1.6f;
        var n1 = new ValueNoise(rng);
        var n2 = new ValueNoise(rng);
        var n3 = new ValueNoise(rng);
        float ox = rng.Uniform(0f, 64f), oy = rng.Uniform(0f, 64f);
        var field = new float[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                float px = x + ox, py = y + oy;
                float value = 0.5f
                    + 0.40f * (n1.Sample(px / coarse, py / coarse) - 0.5f)
                    + 0.45f * (n2.Sample(px / medium, py / medium) - 0.5f)
                    + 0.35f * (n3.Sample(px / fine, py / fine) - 0.5f)
                    + 0.04f * rng.RoughGaussian();
                field[y * size + x] = value;
            }
        return field;
    }

    // Diagonal stripes with softened square-wave profile; low-frequency phase wobble keeps them from being perfect.
    private static float[] Striped(int size, Random rng)
    {
        float period = size / 7f * rng.Uniform(0.92f, 1.08f);
        float angle = Degrees(30f + rng.Uniform(-4f, 4f));
        float phase = rng.Uniform(0f, 1f);
        float cos = MathF.Cos(angle), sin = MathF.Sin(angle);
        var wobble = new ValueNoise(rng);
        var grain = new ValueNoise(rng);
        float wobbleScale = size / 3f, sharp = MathF.Tanh(2.5f);
        var field = new float[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                float px = x + 0.5f, py = y + 0.5f;
                float t = (px * cos + py * sin) / period + phase + 0.5f * (wobble.Sample(px / wobbleScale, py / wobbleScale) - 0.5f);
                float stripe = MathF.Tanh(2.5f * MathF.Sin(2f * MathF.PI * t)) / sharp;
                field[y * size + x] = 0.5f + 0.33f * stripe + 0.12f * (grain.Sample(px / 2f, py / 2f) - 0.5f) + 0.025f * rng.RoughGaussian();
            }
        return field;
    }

    // Brushed steel: noise stretched along the brushing direction (long in u, about a pixel across in v),
    // over a broad sheen gradient.
    private static float[] BrushedMetal(int size, Random rng)
    {
        float angle = Degrees(rng.Uniform(-3f, 3f));
        float cos = MathF.Cos(angle), sin = MathF.Sin(angle);
        var streaks = new ValueNoise(rng);
        var fineStreaks = new ValueNoise(rng);
        var sheen = new ValueNoise(rng);
        float longScale = size / 2f, shortScale = size / 6f, sheenScale = size * 0.8f;
        float ox = rng.Uniform(0f, 64f), oy = rng.Uniform(0f, 64f);
        var field = new float[size * size];
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                float px = x + 0.5f, py = y + 0.5f;
                float u = px * cos + py * sin, v = -px * sin + py * cos;
                float value = 0.55f
                    + 0.30f * (streaks.Sample(u / longScale + ox, v / 1.3f + oy) - 0.5f)
                    + 0.22f * (fineStreaks.Sample(u / shortScale, v / 0.8f) - 0.5f)
                    + 0.30f * (sheen.Sample(px / sheenScale + ox, py / sheenScale) - 0.5f)
                    + 0.015f * rng.RoughGaussian();
                field[y * size + x] = value;
            }
        return field;
    }
}
