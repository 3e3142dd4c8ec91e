using SSM.Core.Data;

namespace SSM.Core.Tests;

/// <summary>Every range the engine's options check, each named by the exception: the ML.NET options check their own
/// first, but the engine is public and is called directly (the benchmarks, users of SSM.Core).</summary>
public class SsmOptionsTests
{
    private static readonly SsmOptions Defaults = new();

    public static TheoryData<string, SsmOptions> Bad => new()
    {
        { "Normalization", Defaults with { Normalization = (InputNormalization)9 } },
        { "NormalizationStdFloor", Defaults with { NormalizationStdFloor = 0 } },
        { "NormalizationStdFloor", Defaults with { NormalizationStdFloor = float.NaN } },
        { "NormalizationStdFloor", Defaults with { NormalizationStdFloor = 1.5f } },
        { "ImageSize", Defaults with { ImageSize = 2048 } },
        { "ImageSize", Defaults with { ImageSize = 4, Network = Defaults.Network with { Depth = 2 } } },
        { "Groups", Defaults with { Masking = Defaults.Masking with { Groups = 1 } } },
        { "Groups", Defaults with { Masking = Defaults.Masking with { Groups = 17 } } },
        { "CellSizes", Defaults with { Masking = Defaults.Masking with { CellSizes = [4, 40] } } },
        { "CellSizes", Defaults with { Masking = Defaults.Masking with { CellSizes = [0] } } },
        // A model file's 4000 cell sizes took 45 s and 1.2 GB to score one 32 px image.
        { "CellSizes", Defaults with { Masking = Defaults.Masking with { CellSizes = [1, 2, 3, 4, 5, 6, 7, 8, 9] } } },
        { "CellSizes", Defaults with { Masking = Defaults.Masking with { CellSizes = [4, 8, 4] } } },
        { "WeightDecay", Defaults with { Training = Defaults.Training with { WeightDecay = -1e-5 } } },
        { "WeightDecay", Defaults with { Training = Defaults.Training with { WeightDecay = double.NaN } } },
        { "DecayAt", Defaults with { Training = Defaults.Training with { DecayAt = [0.6, 1.5] } } },
        { "SmoothingSigma", Defaults with { Scoring = Defaults.Scoring with { SmoothingSigma = -1 } } },
        { "SmoothingSigma", Defaults with { Scoring = Defaults.Scoring with { SmoothingSigma = double.NaN } } },
        { "RefinementCellSize", Defaults with { Scoring = Defaults.Scoring with { RefinementCellSize = 0 } } },
        { "NormalShare", Defaults with { Scoring = Defaults.Scoring with { NormalShare = 0 } } },
        { "NormalShare", Defaults with { Scoring = Defaults.Scoring with { NormalShare = 1.5 } } },
        { "RefinementQuantile", Defaults with { Scoring = Defaults.Scoring with { RefinementQuantile = 1 } } },
        { "MaxForwardBatch", Defaults with { Scoring = Defaults.Scoring with { MaxForwardBatch = 0 } } },
        // Each of these trained to NaN weights, or failed only after every epoch had run, before it was checked here.
        { "LearningRate", Defaults with { Training = Defaults.Training with { LearningRate = double.PositiveInfinity } } },
        { "WeightDecay", Defaults with { Training = Defaults.Training with { WeightDecay = double.PositiveInfinity } } },
        { "LossWeights", Defaults with { Training = Defaults.Training with { LossWeights = new() { MsGms = double.NaN } } } },
        { "LossWeights", Defaults with { Training = Defaults.Training with { LossWeights = new() { Ssim = -5 } } } },
        { "LossWeights", Defaults with { Training = Defaults.Training with { LossWeights = new() { Mse = 0, MsGms = 0, Ssim = 0, Mask = 0 } } } },
        { "CellWeighting", Defaults with { Scoring = Defaults.Scoring with { CellWeighting = (CellWeighting)7 } } },
        { "SmoothingSigma", Defaults with { Scoring = Defaults.Scoring with { SmoothingSigma = double.PositiveInfinity } } },
        // A model file's 1e6 asked for a kernel of 8 million taps: 17 GB to score one image.
        { "SmoothingSigma", Defaults with { Scoring = Defaults.Scoring with { SmoothingSigma = 1e6 } } },
        // As a caller of the engine meets them: most of these the ML.NET options check first (OptionsTests); the scoring
        // groups, decay points and the refinement cell's and quantile's bounds only the engine has.
        { "ImageSize", Defaults with { ImageSize = 100 } },   // not a multiple of 2^(Depth-1)
        { "ScoringGroups", Defaults with { Masking = Defaults.Masking with { ScoringGroups = 1 } } },
        { "ScoringGroups", Defaults with { Masking = Defaults.Masking with { ScoringGroups = 17 } } },
        { "Epochs", Defaults with { Training = Defaults.Training with { Epochs = 0 } } },
        { "Precision", Defaults with { Training = Defaults.Training with { Precision = (NetworkPrecision)9 } } },
        { "TimeBudget", Defaults with { Training = Defaults.Training with { TimeBudget = TimeSpan.Zero } } },
        { "BatchSize", Defaults with { Training = Defaults.Training with { BatchSize = 0 } } },
        { "LearningRate", Defaults with { Training = Defaults.Training with { LearningRate = 0 } } },
        { "LearningRate", Defaults with { Training = Defaults.Training with { LearningRate = double.NaN } } },
        { "DecayAt", Defaults with { Training = Defaults.Training with { DecayAt = null! } } },
        { "DecayAt", Defaults with { Training = Defaults.Training with { DecayAt = [0] } } },
        { "CheckpointEvery", Defaults with { Training = Defaults.Training with { CheckpointEvery = 0 } } },
        { "CheckpointFolder", Defaults with { Training = Defaults.Training with { CheckpointFolder = " " } } },
        { "HoldoutFraction", Defaults with { Training = Defaults.Training with { HoldoutFraction = 0 } } },
        { "HoldoutFraction", Defaults with { Training = Defaults.Training with { HoldoutFraction = TrainingOptions.MaxHoldoutFraction } } },
        { "Error", Defaults with { Scoring = Defaults.Scoring with { Error = (RestorationError)9 } } },
        { "ImageScoreError", Defaults with { Scoring = Defaults.Scoring with { ImageScoreError = (RestorationError)9 } } },
        { "Precision", Defaults with { Scoring = Defaults.Scoring with { Precision = (NetworkPrecision)9 } } },
        { "RefinementRounds", Defaults with { Scoring = Defaults.Scoring with { RefinementRounds = 0 } } },
        { "RefinementRounds", Defaults with { Scoring = Defaults.Scoring with { RefinementRounds = ScoringOptions.MaxRefinementRounds + 1 } } },
        { "RefinementCellSize", Defaults with { Scoring = Defaults.Scoring with { RefinementCellSize = Defaults.ImageSize + 1 } } },
        { "RefinementQuantile", Defaults with { Scoring = Defaults.Scoring with { RefinementQuantile = 0 } } },
    };

    [Fact]
    public void A_missing_part_is_named()
    {
        Assert.Equal("Training", Assert.Throws<ArgumentNullException>((Defaults with { Training = null! }).Validate).ParamName);
        Assert.Equal("Scoring", Assert.Throws<ArgumentNullException>((Defaults with { Scoring = null! }).Validate).ParamName);
        Assert.Equal("LossWeights", Assert.Throws<ArgumentNullException>((Defaults with { Training = Defaults.Training with { LossWeights = null! } }).Validate).ParamName);
    }

    [Theory]
    [MemberData(nameof(Bad))]
    public void A_value_out_of_range_is_refused_by_name(string option, SsmOptions options) =>
        Assert.Equal(option, Assert.Throws<ArgumentOutOfRangeException>(options.Validate).ParamName);

    [Fact]
    public void The_defaults_and_their_edges_pass()
    {
        Defaults.Validate();
        (Defaults with { Scoring = Defaults.Scoring with { SmoothingSigma = 0, NormalShare = 1 } }).Validate();
        (Defaults with { Scoring = Defaults.Scoring with { SmoothingSigma = 100 } }).Validate();   // above the image size: models saved so still load
        (Defaults with { Training = Defaults.Training with { LossWeights = new() { MsGms = 0, Ssim = 0, Mask = 0 } } }).Validate();   // the MSE alone
        (Defaults with { Masking = Defaults.Masking with { Groups = 16, CellSizes = [Defaults.ImageSize / 2] } }).Validate();
        (Defaults with { Masking = Defaults.Masking with { CellSizes = [1, 2, 3, 4, 5, 6, 7, 8] } }).Validate();
        (Defaults with { Masking = Defaults.Masking with { Groups = 2, ScoringGroups = 2 } }).Validate();
        (Defaults with { Masking = Defaults.Masking with { ScoringGroups = 16 } }).Validate();
        (Defaults with { Training = Defaults.Training with { Epochs = 1, BatchSize = 1, CheckpointEvery = 1, DecayAt = [1], LearningRate = TrainingOptions.MaxLearningRate } }).Validate();
        (Defaults with { Training = Defaults.Training with { TimeBudget = TimeSpan.FromTicks(1), HoldoutFraction = 0.89, CheckpointFolder = "checkpoints" } }).Validate();
        (Defaults with { Scoring = Defaults.Scoring with { RefinementRounds = ScoringOptions.MaxRefinementRounds, RefinementCellSize = Defaults.ImageSize, RefinementQuantile = 1e-9 } }).Validate();
        (Defaults with { Scoring = Defaults.Scoring with { RefinementRounds = 1, RefinementCellSize = 1 } }).Validate();
    }
}
