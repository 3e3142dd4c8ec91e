using SSM.Cli.Running;
using SSM.Core;

namespace SSM.Cli.Tests;

public sealed class TrainingSettingsTests
{
    /// <summary>
    /// A stopped training's checkpoint folder is named by a hash of these rows, so their text must stay what it was when
    /// metrics.json held the settings as strings: other text would start every stopped training of that version again.
    /// </summary>
    [Fact]
    public void Rows_KeepTheTextTheCheckpointStampWasMadeOf()
    {
        var options = new SsmOptions { ImageSize = 64, Scoring = new SsmOptions().Scoring with { SmoothingSigma = 1.5 } };
        // In a shell that writes decimal commas.
        var shell = System.Globalization.CultureInfo.CurrentCulture;
        List<(string, string)> rows;
        System.Globalization.CultureInfo.CurrentCulture = Cli.DecimalComma();
        try { rows = [.. TrainingSettings.Of(options, 105, ("cpu", 2.5, "BFloat16")).Rows()]; }
        finally { System.Globalization.CultureInfo.CurrentCulture = shell; }
        (string, string)[] expected =
        [
            ("imageSize", "64"), ("width", "16"), ("depth", "4"), ("epochs", "105"), ("learningRate", "0.001"), ("batchSize", "4"),
            ("holdout", "0.1"), ("channels", "1"), ("seed", "0"), ("device", "cpu"), ("timeBudgetMinutes", "2.5"),
            ("normalization", "PerImage"), ("error", "Both"), ("scoreError", "Both"), ("standardizeMaps", "true"), ("rounds", "1"),
            ("sigma", "1.5"), ("precision", "Auto"), ("precisionUsed", "BFloat16"), ("flip", "false"),
        ];
        Assert.Equal(expected, rows);
        Assert.Contains(("timeBudgetMinutes", "none"), TrainingSettings.Of(options, 105, ("cpu", null, "Float32")).Rows());
    }

    [Fact]
    public void Rows_OfASavedModel_LeaveOutWhatOnlyTheTrainingRunKnew()
    {
        var rows = TrainingSettings.Of(new SsmOptions(), 70).Rows().Select(r => r.Key).ToList();
        Assert.DoesNotContain("device", rows);
        Assert.DoesNotContain("timeBudgetMinutes", rows);
        Assert.DoesNotContain("precisionUsed", rows);
        Assert.Contains("epochs", rows);
    }
}
