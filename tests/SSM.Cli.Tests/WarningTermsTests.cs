using SSM.Cli.Training;


namespace SSM.Cli.Tests;

/// <summary>The model's warnings name its options class's properties; the command line says its own options instead.</summary>
public sealed class WarningTermsTests
{
    [Fact]
    public void Options_are_named_as_the_command_line_spells_them_whole_words_only()
    {
        Assert.Equal("A smaller --image-size, --batch-size or --width needs less; raise --holdout.",
            TrainingProgressView.InCliTerms("SSM: A smaller ImageSize, BatchSize or BaseWidth needs less; raise HoldoutFraction."));
        Assert.Equal("ScoringBatchSize stays", TrainingProgressView.InCliTerms("ScoringBatchSize stays"));
        Assert.Equal("with --tiles (each epoch longer). --tiles 16x2 keeps their proportions.",
            TrainingProgressView.InCliTerms("SSM: with Tiles (each epoch longer). Tiles = new TileGrid(16, 2) keeps their proportions."));
        // A fine-tuning's (train --from) advice: its own options, and a new model's.
        Assert.Equal("Stop it and fine-tune from a lower --learning-rate. A new model with --tiles 8x1 keeps their proportions.",
            TrainingProgressView.InCliTerms("SSM: Stop it and fine-tune from a lower LearningRate. A new model with Tiles = new TileGrid(8, 1) keeps their proportions."));
        // Colour read as grey: the options class's default is not the command's (auto).
        Assert.Equal("the model reads grey (--channels 1): a defect of colour alone will be invisible to it. Set --channels 3 to train in colour.",
            TrainingProgressView.InCliTerms("SSM: the model reads grey (Channels = 1, the default): a defect of colour alone will be invisible to it. Set Channels = 3 to train in colour."));
        Assert.Equal("A new model with --channels 3 reads colour.", TrainingProgressView.InCliTerms("A new model with Channels = 3 reads colour."));
        // A short time budget's advice (no CLI test trains long enough to be warned of it).
        Assert.Equal("Give more time (--time-budget), a smaller --image-size, or fewer training images.",
            TrainingProgressView.InCliTerms("SSM: Give more time (TrainingTime), a smaller ImageSize, or fewer training images."));
    }
}
