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
    }
}
