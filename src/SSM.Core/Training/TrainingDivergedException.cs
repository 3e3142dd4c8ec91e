namespace SSM.Core.Training;

/// <summary>
/// A training whose network's weights stopped being numbers: stopped before a checkpoint keeps them or a model is made of
/// them (diverged weights score every image NaN). Its message says what to change; a program that trains unattended can
/// catch it by type and train again with another seed or a lower learning rate.
/// </summary>
public sealed class TrainingDivergedException : InvalidOperationException
{
    /// <summary>A training that diverged in <paramref name="epoch"/> (1 = the first) at <paramref name="learningRate"/>,
    /// whose loss was <paramref name="loss"/> (finite when only its last step broke the weights).</summary>
    public TrainingDivergedException(int epoch, double loss, double learningRate)
        : this(epoch, loss, learningRate, "learning rate", "seed", null) { }

    private TrainingDivergedException(int epoch, double loss, double learningRate, string rateName, string seedName, Exception? inner)
        : base(Describe(epoch, loss, learningRate, rateName, seedName), inner)
    {
        Epoch = epoch;
        Loss = loss;
        LearningRate = learningRate;
    }

    /// <summary>The epoch it diverged in, 1 for the first.</summary>
    public int Epoch { get; }

    /// <summary>The epoch's mean loss: NaN or infinite, or finite when its last step alone left the weights not numbers.</summary>
    public double Loss { get; }

    /// <summary>The learning rate it was given.</summary>
    public double LearningRate { get; }

    /// <summary>The message in other words for the two settings to change, as a command line names its options.</summary>
    /// <param name="learningRate">What the learning rate is called, e.g. "--learning-rate".</param>
    /// <param name="seed">What the seed is called, e.g. "--seed".</param>
    public string MessageNaming(string learningRate, string seed) => Describe(Epoch, Loss, LearningRate, learningRate, seed);

    /// <summary>This exception, its message in <see cref="MessageNaming"/>'s words, for a layer whose settings have other
    /// names to throw in its place (this one its inner exception).</summary>
    public TrainingDivergedException Naming(string learningRate, string seed) => new(Epoch, Loss, LearningRate, learningRate, seed, this);

    private static string Describe(int epoch, double loss, double rate, string rateName, string seedName)
    {
        string given = rate.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"The training diverged in epoch {epoch}: " + (double.IsFinite(loss)
            // A sweep's network that diverged so trained with another seed, not with a tenth of the learning rate.
            ? $"its last step left the network's weights not numbers (NaN). Another {seedName} may train it (the {rateName} is {given})."
            : $"its loss is {loss.ToString(System.Globalization.CultureInfo.InvariantCulture)}, and the network's weights are no longer numbers. " +
              $"A lower {rateName} (it is {given}) trains; so does another {seedName}, when the rate is the default.");
    }
}
