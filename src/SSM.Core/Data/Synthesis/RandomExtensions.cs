namespace SSM.Core.Data.Synthesis;

internal static class RandomExtensions
{
    /// <summary>Uniform in [min, max).</summary>
    public static float Uniform(this Random rng, float min, float max) => min + (max - min) * rng.NextSingle();

    /// <summary>Approximately standard normal (sum of three uniforms): cheap, bounded, and enough for pixel noise.</summary>
    public static float RoughGaussian(this Random rng) => (rng.NextSingle() + rng.NextSingle() + rng.NextSingle() - 1.5f) * 2f;

    /// <summary>+1 or -1 with equal probability.</summary>
    public static float Sign(this Random rng) => rng.Next(2) == 0 ? -1f : 1f;

    public static float Degrees(float degrees) => degrees * MathF.PI / 180f;
}
