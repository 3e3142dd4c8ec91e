using SSM.Cli.Outputs;
using SSM.Core;

namespace SSM.Cli.Tests;

public sealed class RecordedSettingsTests
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
        try { rows = [.. RecordedSettings.Of(options, 105, ("cpu", 2, 2.5, "BFloat16")).Rows(withThreads: false)]; }
        finally { System.Globalization.CultureInfo.CurrentCulture = shell; }
        (string, string)[] expected =
        [
            ("imageSize", "64"), ("width", "16"), ("depth", "4"), ("epochs", "105"), ("learningRate", "0.001"), ("batchSize", "4"),
            ("holdout", "0.1"), ("channels", "1"), ("seed", "0"), ("device", "cpu"), ("timeBudgetMinutes", "2.5"),
            ("normalization", "PerImage"), ("error", "Both"), ("scoreError", "Both"), ("standardizeMaps", "true"), ("rounds", "1"),
            ("sigma", "1.5"), ("precision", "Auto"), ("precisionUsed", "BFloat16"), ("flip", "false"),
        ];
        Assert.Equal(expected, rows);
        Assert.Contains(("timeBudgetMinutes", "none"), RecordedSettings.Of(options, 105, ("cpu", 2, null, "Float32")).Rows());
        // The file and the report list the threads after the device; the stamp leaves them out, so that a stopped training
        // goes on on another count (with a note) as before they were recorded.
        var all = RecordedSettings.Of(options, 105, ("cpu", 2, 2.5, "BFloat16")).Rows().ToList();
        Assert.Equal([.. expected[..10], ("threads", "2"), .. expected[10..]], all);
    }

    [Fact]
    public void Rows_OfASavedModel_LeaveOutWhatOnlyTheTrainingRunKnew()
    {
        var rows = RecordedSettings.Of(new SsmOptions(), 70).Rows().Select(r => r.Key).ToList();
        Assert.DoesNotContain("device", rows);
        Assert.DoesNotContain("threads", rows);
        Assert.DoesNotContain("timeBudgetMinutes", rows);
        Assert.DoesNotContain("precisionUsed", rows);
        Assert.Contains("epochs", rows);
    }

    [Fact]
    public void Rows_SayTilesAndTheSwitchesEachWay()
    {
        var options = new SsmOptions
        {
            Tiles = new SSM.Core.Data.TileGrid(8, 1, Overlapping: false),
            Scoring = new SsmOptions().Scoring with { StandardizeMaps = false },
            Training = new SsmOptions().Training with { Flip = true },
        };
        var rows = RecordedSettings.Of(options, 3).Rows().ToList();
        Assert.Equal([("imageSize", "64"), ("tiles", "8x1"), ("tileOverlap", "none"), ("width", "16")], rows.Take(4));
        Assert.Contains(("standardizeMaps", "false"), rows);
        Assert.Contains(("flip", "true"), rows);
    }
}
