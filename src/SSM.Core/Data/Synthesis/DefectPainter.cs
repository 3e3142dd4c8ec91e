namespace SSM.Core.Data.Synthesis;

/// <summary>
/// Paints one defect onto a copy of a normal image and derives its ground-truth mask from what actually changed.
/// </summary>
internal static class DefectPainter
{
    /// <summary>
    /// A pixel counts as defective when some channel moved by more than this. Smaller changes (the outer fringe of a
    /// soft edge) are reverted, so the mask marks exactly the changed pixels and nothing outside it differs.
    /// </summary>
    public const float ChangeThreshold = 0.02f;

    // A defect drawn where it happens to match the texture (a bright scratch on bright threads) can change almost
    // nothing; such draws are repeated so every defective image has a visible, non-empty ground truth.
    private const int MaxAttempts = 10;

    public static (FloatImage Image, FloatImage Mask) Paint(FloatImage normal, DefectKind kind, Random rng)
    {
        int minimumPixels = Math.Max(6, normal.Height * normal.Width / 1000);
        (FloatImage Image, FloatImage Mask) result = default;
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            result = PaintOnce(normal, kind, rng);
            if (result.Mask.Pixels.Count(v => v > 0f) >= minimumPixels) break;
        }
        return result;
    }

    private static (FloatImage Image, FloatImage Mask) PaintOnce(FloatImage normal, DefectKind kind, Random rng)
    {
        FloatImage image = normal.Clone();
        switch (kind)
        {
            case DefectKind.Scratch: Scratch(image, rng); break;
            case DefectKind.Spot: Spot(image, rng); break;
            case DefectKind.Hole: Hole(image, rng); break;
            case DefectKind.ColourChange: ColourChange(image, rng); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown defect kind.");
        }
        return (image, MaskOfChanges(normal, image));
    }

    // A bright (polished) or dark (gouged) line a few pixels wide; it barely moves the mean brightness.
    private static void Scratch(FloatImage image, Random rng)
    {
        int size = Scale(image);
        float width = Math.Max(1.2f, size / 64f * rng.Uniform(1.2f, 2.2f));
        var stroke = new StrokeShape(rng, image.Width, image.Height, length: size * rng.Uniform(0.3f, 0.65f), width, bend: 0.12f);
        float target = rng.Next(2) == 0 ? 0.03f : 0.97f, strength = rng.Uniform(0.75f, 0.95f);
        var (x0, y0, x1, y1) = stroke.Bounds(image.Width, image.Height);
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
            {
                float a = stroke.Alpha(x, y) * strength;
                if (a <= 0f) continue;
                for (int c = 0; c < image.Channels; c++) image[c, y, x] += (target - image[c, y, x]) * a;
            }
    }

    // A blob of foreign material: brighter or darker than the surroundings (tinted in colour), with the texture
    // showing through at half contrast. Keeping that contrast below the shift means no pixel inside the blob can end
    // up where it started, so the mask has no holes.
    private static void Spot(FloatImage image, Random rng)
    {
        int size = Scale(image);
        var blob = new BlobShape(rng, image.Width, image.Height, radius: rng.Uniform(size / 12f, size / 6f), aspect: rng.Uniform(0.7f, 1f),
            wobble: 0.1f, softness: Math.Max(1.5f, size / 40f));
        float[] mean = ChannelMeans(image);
        float meanLevel = mean.Average();
        float delta = rng.Uniform(0.28f, 0.4f) * rng.Sign();
        if (meanLevel + delta is > 0.95f or < 0.05f) delta = -delta;
        var colour = new float[image.Channels];
        for (int c = 0; c < colour.Length; c++)
            colour[c] = Math.Clamp(mean[c] + delta + (image.Channels == 3 ? rng.Uniform(-0.15f, 0.15f) : 0f), 0.02f, 0.98f);
        var (x0, y0, x1, y1) = blob.Bounds(image.Width, image.Height);
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
            {
                float a = blob.Alpha(x, y) * 0.9f;
                if (a <= 0f) continue;
                for (int c = 0; c < image.Channels; c++)
                {
                    float stained = colour[c] + 0.5f * (image[c, y, x] - mean[c]);
                    image[c, y, x] = Math.Clamp(image[c, y, x] + (stained - image[c, y, x]) * a, 0f, 1f);
                }
            }
    }

    // A hole shows the dark background through the material; the soft edge stands for frayed borders.
    private static void Hole(FloatImage image, Random rng)
    {
        int size = Scale(image);
        var blob = new BlobShape(rng, image.Width, image.Height, radius: rng.Uniform(size / 14f, size / 8f), aspect: rng.Uniform(0.55f, 0.95f),
            wobble: 0.07f, softness: Math.Max(1.5f, size / 32f));
        float darkness = rng.Uniform(0.02f, 0.08f);
        var (x0, y0, x1, y1) = blob.Bounds(image.Width, image.Height);
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
            {
                float a = blob.Alpha(x, y);
                if (a <= 0f) continue;
                float floor = darkness + 0.02f * rng.NextSingle();
                for (int c = 0; c < image.Channels; c++) image[c, y, x] += (floor - image[c, y, x]) * a;
            }
    }

    // A discoloured region with a broad smooth boundary: gray images get a brightness shift, colour images a hue shift
    // (a chroma offset orthogonal to gray) plus a smaller brightness shift. The texture stays visible inside.
    private static void ColourChange(FloatImage image, Random rng)
    {
        int size = Scale(image);
        float radius = rng.Uniform(size / 7f, size / 4.5f);
        var blob = new BlobShape(rng, image.Width, image.Height, radius, aspect: rng.Uniform(0.6f, 1f), wobble: 0.12f, softness: radius * 0.4f);
        float meanLevel = ChannelMeans(image).Average();
        var shift = new float[image.Channels];
        if (image.Channels == 1)
        {
            float delta = rng.Uniform(0.18f, 0.28f);
            shift[0] = meanLevel > 0.6f ? -delta : meanLevel < 0.4f ? delta : delta * rng.Sign();
        }
        else
        {
            // Unit vectors spanning the plane orthogonal to (1, 1, 1): moving in it changes hue, not brightness.
            float hue = rng.Uniform(0f, 2f * MathF.PI), chroma = rng.Uniform(0.16f, 0.24f);
            float brightness = rng.Uniform(0.04f, 0.1f) * rng.Sign();
            float e1 = MathF.Cos(hue) * chroma, e2 = MathF.Sin(hue) * chroma;
            shift[0] = e1 * 0.8165f + brightness;
            shift[1] = -e1 * 0.4082f + e2 * 0.7071f + brightness;
            shift[2] = -e1 * 0.4082f - e2 * 0.7071f + brightness;
        }
        var (x0, y0, x1, y1) = blob.Bounds(image.Width, image.Height);
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++)
            {
                float a = blob.Alpha(x, y);
                if (a <= 0f) continue;
                for (int c = 0; c < image.Channels; c++) image[c, y, x] = Math.Clamp(image[c, y, x] + shift[c] * a, 0f, 1f);
            }
    }

    // Defects scale with the shorter side, so that on a wide image (a user's own photo; the generator's are square) they fit.
    private static int Scale(FloatImage image) => Math.Min(image.Width, image.Height);

    private static FloatImage MaskOfChanges(FloatImage normal, FloatImage changed)
    {
        int plane = normal.Height * normal.Width;
        var mask = new FloatImage(1, normal.Height, normal.Width);
        float[] before = normal.Pixels, after = changed.Pixels, m = mask.Pixels;
        for (int i = 0; i < plane; i++)
        {
            float largest = 0f;
            for (int c = 0; c < normal.Channels; c++) largest = Math.Max(largest, MathF.Abs(after[c * plane + i] - before[c * plane + i]));
            if (largest > ChangeThreshold) m[i] = 1f;
            else for (int c = 0; c < normal.Channels; c++) after[c * plane + i] = before[c * plane + i];
        }
        return mask;
    }

    private static float[] ChannelMeans(FloatImage image)
    {
        int plane = image.Height * image.Width;
        var means = new float[image.Channels];
        for (int c = 0; c < image.Channels; c++)
        {
            double sum = 0;
            for (int i = 0; i < plane; i++) sum += image.Pixels[c * plane + i];
            means[c] = (float)(sum / plane);
        }
        return means;
    }
}
