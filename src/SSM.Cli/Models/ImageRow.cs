namespace SSM.Cli.Models;

/// <summary>The input row of every saved model: the image file's path (text column "ImagePath"), which the model reads itself.</summary>
public sealed class ImageRow
{
    public string ImagePath { get; set; } = "";
}

/// <summary>One scored image.</summary>
/// <param name="Path">The image file.</param>
/// <param name="Score">The model's score (z-score units by default).</param>
/// <param name="Predicted">Score ≥ threshold.</param>
/// <param name="Map">Anomaly map, <c>MapWidth × MapHeight</c> row-major, raw engine units.</param>
/// <param name="MapWidth">Width of the map (the model's image size, times its tiles across).</param>
/// <param name="MapHeight">Height of the map.</param>
public sealed record ScoredImage(string Path, float Score, bool Predicted, float[] Map, int MapWidth, int MapHeight);
