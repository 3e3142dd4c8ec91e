namespace SSM.Core.Training;

/// <summary>
/// Which images of a batch are flipped and turned (<see cref="TrainingOptions.Flip"/>, <see cref="TrainingOptions.Rotate"/>):
/// each of the three drawn for each image on its own, so a batch holds all eight symmetries of the square.
/// </summary>
/// <param name="FlipH">Images mirrored left to right.</param>
/// <param name="FlipV">Images mirrored top to bottom.</param>
/// <param name="Turn">Images transposed (<see cref="QuarterTurns"/>).</param>
internal sealed record Augmentation(bool[] FlipH, bool[] FlipV, bool[] Turn)
{
    /// <summary>The draws for <paramref name="count"/> images. Each of the three lists draws <paramref name="count"/> numbers
    /// of <paramref name="rng"/> when its option is on and none when it is off, in this order: a seed's models depend on it.</summary>
    public static Augmentation Draw(Random rng, int count, TrainingOptions training)
    {
        bool[] Each(bool asked) => [.. Enumerable.Range(0, count).Select(_ => asked && rng.Next(2) == 1)];
        var flipH = Each(training.Flip);
        var flipV = Each(training.Flip);
        return new Augmentation(flipH, flipV, Each(training.Rotate));
    }
}
