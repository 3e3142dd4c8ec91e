using System.ComponentModel;
using System.Reflection;
using SSM.Cli.Commands;
using SSM.Core;
using SSM.Core.Scoring;

namespace SSM.Cli.Tests;

/// <summary>
/// `ssm train` states its defaults as literals (Spectre.Console reads them from [DefaultValue]); they must stay the
/// engine's, so that a default chosen by measurement in SsmOptions reaches the command line too.
/// </summary>
public sealed class TrainDefaultsTests
{
    private static object? Declared(string property) =>
        typeof(TrainSettings).GetProperty(property)!.GetCustomAttribute<DefaultValueAttribute>()?.Value;

    public static TheoryData<string, object> EngineDefaults()
    {
        var engine = new SsmOptions();
        return new TheoryData<string, object>
        {
            { nameof(TrainSettings.ImageSize), engine.ImageSize },
            { nameof(TrainSettings.Width), engine.Network.BaseWidth },
            { nameof(TrainSettings.Depth), engine.Network.Depth },
            { nameof(TrainSettings.LearningRate), engine.Training.LearningRate },
            { nameof(TrainSettings.BatchSize), engine.Training.BatchSize },
            { nameof(TrainSettings.Holdout), engine.Training.HoldoutFraction },
            { nameof(TrainSettings.Normalization), engine.Normalization.ToString() },
            { nameof(TrainSettings.Error), engine.Scoring.Error.ToString() },
            { nameof(TrainSettings.Rounds), engine.Scoring.RefinementRounds },
            { nameof(TrainSettings.Precision), engine.Scoring.Precision.ToString() },
        };
    }

    [Theory]
    [MemberData(nameof(EngineDefaults))]
    public void TrainDefaults_AreTheEngines(string property, object engineDefault)
    {
        var settings = new TrainSettings();
        Assert.Equal(engineDefault, Declared(property));   // --help shows the [DefaultValue]: it must be there, and the engine's
        Assert.Equal(engineDefault, typeof(TrainSettings).GetProperty(property)!.GetValue(settings));
    }

    [Fact]
    public void TrainFlagsAndSeed_DefaultToTheEngines()
    {
        var engine = new SsmOptions();
        var settings = new TrainSettings();
        Assert.Equal(engine.Training.Flip, settings.Flip);
        Assert.Equal(engine.Training.Seed, settings.Seed);
        Assert.Equal(engine.Scoring.StandardizeMaps, !settings.RawMaps);
        // The image score's error follows --error unless given: the verdict then follows the map drawn.
        Assert.Null(settings.ScoreError);
        Assert.Equal(engine.Scoring.ImageScoreError, settings.ImageScoreError);
        Assert.Equal(RestorationError.MsGms, new TrainSettings { Error = "msgms" }.ImageScoreError);
        Assert.Equal(RestorationError.Both, new TrainSettings { Error = "msgms", ScoreError = "Both" }.ImageScoreError);
        // One --precision sets both; the engine's two defaults must agree for it to have one default.
        Assert.Equal(engine.Training.Precision.ToString(), settings.Precision);
        // Channels: the engine's default is one number (1); the command line chooses from the training files' headers.
        Assert.Equal(1, engine.Network.InputChannels);
        Assert.Equal("auto", settings.Channels);
        Assert.Null(settings.ChannelCount);
        // No number: the default depends on the precision training resolves to.
        Assert.Null(engine.Training.Epochs);
        Assert.Null(settings.Epochs);
        Assert.Null(Declared(nameof(TrainSettings.Epochs)));
    }

    [Fact]
    public void EpochsToRun_IsTheEnginesDefaultForThePrecision_UnlessGiven()
    {
        var cpuDefault = TrainingOptions.DefaultEpochs(NativeBFloat16.FasterOnCpu ? NetworkPrecision.BFloat16 : NetworkPrecision.Float32);
        Assert.Equal(cpuDefault, new TrainSettings().EpochsToRun());
        Assert.Equal(TrainingOptions.Float32Epochs, new TrainSettings { Precision = "float32" }.EpochsToRun());
        Assert.Equal(TrainingOptions.BFloat16Epochs, new TrainSettings { Precision = "BFloat16" }.EpochsToRun());
        Assert.Equal(7, new TrainSettings { Epochs = 7, Precision = "BFloat16" }.EpochsToRun());
    }
}
