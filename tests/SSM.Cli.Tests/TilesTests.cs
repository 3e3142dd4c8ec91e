using SSM.Cli.Outputs;
using SSM.Core.Data;

namespace SSM.Cli.Tests;

/// <summary>train --tiles: a model that cuts each image into tiles, evaluated and used to predict like any other.</summary>
[Collection("cli")]
public sealed class TilesTests(TrainedModelFixture fx)
{
    [Fact]
    public void ATiledModelTrainsEvaluatesAndPredicts_WithMapsOfItsGrid()
    {
        string run = Path.Combine(fx.Root, "tiles-run");
        var train = Cli.Run(["train", fx.Data, "--tiles", "2x1", .. TrainedModelFixture.OneEpoch, "-o", run]);
        Assert.True(train.Code == 0, train.Output);
        // The fixture's 32 px squares read at 32 x 16 to be cut into two tiles of 16: squashed, and said so.
        Assert.Contains("differ in proportions from their tiles (2 times or more, e.g. 32 x 32) and are squashed to 32 x 16 (2x1 tiles of 16)", Cli.Flat(train.Output));
        Assert.Contains("--tiles 1x1 keeps their proportions.", Cli.Flat(train.Output));
        Assert.Contains("in 2x1 overlapping tiles (32x16 cut into 3)", Cli.Flat(train.Output));   // a third across the border
        var metrics = MetricsFile.Read(Path.Combine(run, "metrics.json"));
        Assert.Equal(("2x1", "half"), (metrics.Settings.Tiles, metrics.Settings.TileOverlap));
        Assert.NotNull(metrics.PixelAuroc);   // the masks read at the map's 32 x 16

        var info = Cli.Run("info", Path.Combine(run, "model.zip"));
        Assert.Contains("--tiles", info.Output);
        Assert.Contains("2x1", info.Output);
        Assert.Contains("--tile-overlap", info.Output);
        Assert.Equal(metrics.PixelAuroc, MetricsFile.Read(Path.Combine(Evaluated(run), "metrics.json")).PixelAuroc);

        string predicted = Path.Combine(fx.Root, "tiles-predict");
        var predict = Cli.Run("predict", Path.Combine(run, "model.zip"), Path.Combine(fx.Data, "test"), "-r", "--masks", "-o", predicted);
        Assert.True(predict.Code == 0, predict.Output);
        var rows = File.ReadAllLines(Path.Combine(predicted, "predictions.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(Directory.GetFiles(Path.Combine(fx.Data, "test"), "*.png", SearchOption.AllDirectories).Length, rows.Count);
        Assert.All(rows, r => Assert.InRange(int.Parse(r[3]), 0, 31));   // peaks on the 32 x 32 files, not the map
        Assert.All(rows, r => Assert.InRange(int.Parse(r[4]), 0, 31));
        Assert.Contains(rows, r => int.Parse(r[4]) >= 16);   // the map's rows end at 15
        var heatMap = ImageFile.ReadSize(Directory.GetFiles(predicted, "*_heatmap.png", SearchOption.AllDirectories)[0], true);
        Assert.Equal((32, 32), heatMap);   // drawn over the image, whatever the map's shape

        // An image too small for the tiles (12 px across: two tiles of 6) is named before anything is scored.
        string folder = Cli.TempFolder("tiles-small");
        File.Copy(Directory.GetFiles(Path.Combine(fx.Data, "test", "good"))[0], Path.Combine(folder, "a.png"));
        string small = Path.Combine(folder, "small.png");
        ImageFile.Save(new FloatImage(1, 12, 12), small);
        var refused = Cli.Run("predict", Path.Combine(run, "model.zip"), folder, "-o", Path.Combine(fx.Root, "tiles-small-predict"));
        Assert.Equal(1, refused.Code);
        Assert.Contains($"'{small}' is 12x12 pixels: too small to cut into 2x1 tiles of at least 8x8 (at most 1x1 tiles fit it).", Cli.Flat(refused.Output));
        Assert.False(Cli.HasStackTrace(refused.Output), refused.Output);
        Assert.False(Directory.Exists(Path.Combine(fx.Root, "tiles-small-predict")));
        // A photo turned by its EXIF orientation is cut as the model reads it, upright: stored 12 x 48 and shown 48 x 12, it
        // gives two tiles of 24 x 12. It was refused as 12 x 48, the sides swapped the wrong way round.
        string turned = Cli.TempFolder("tiles-turned");
        File.WriteAllBytes(Path.Combine(turned, "turned.jpg"), SSM.Core.Tests.Data.ExifJpeg.Marked(12, 48, orientation: 6));
        var upright = Cli.Run("predict", Path.Combine(run, "model.zip"), turned, "-o", Path.Combine(fx.Root, "tiles-turned-predict"));
        Assert.True(upright.Code == 0, upright.Output);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(fx.Root, "tiles-turned-predict", "predictions.csv")).Length);
    }

    [Fact]
    public void TileOverlapNoneCutsTheTilesSideBySideOnly_AndTheModelKeepsIt()
    {
        string run = Path.Combine(fx.Root, "tiles-side-by-side");
        var train = Cli.Run(["train", fx.Data, "--tiles", "2x1", "--tile-overlap", "none", .. TrainedModelFixture.OneEpoch, "-o", run]);
        Assert.True(train.Code == 0, train.Output);
        Assert.Contains("in 2x1 tiles (32x16 cut into 2)", Cli.Flat(train.Output));
        Assert.Equal(("2x1", "none"), (MetricsFile.Read(Path.Combine(run, "metrics.json")).Settings.Tiles, MetricsFile.Read(Path.Combine(run, "metrics.json")).Settings.TileOverlap));
        using var model = (SSM.MLNet.SsmAnomalyTransformer)new Microsoft.ML.MLContext().Model.Load(Path.Combine(run, "model.zip"), out _);
        Assert.Equal(new TileGrid(2, 1, Overlapping: false), model.Tiles);
        // info says the model's tiles, not its record's: a record of an earlier version names no overlap, which now reads as half.
        string record = Path.Combine(run, "metrics.json");
        File.WriteAllText(record, File.ReadAllText(record).Replace("\"tileOverlap\": \"none\",", ""));
        Assert.Null(MetricsFile.Read(record).Settings.TileOverlap);
        var info = Cli.Run("info", Path.Combine(run, "model.zip"));
        Assert.Contains("--tile-overlap", info.Output);
        Assert.Matches(@"--tile-overlap\W+none", Cli.Flat(info.Output));

        // Fine-tuning's default 10 epochs are divided by the tiles, as training's are: an epoch passes over both tiles.
        var tuned = Cli.Run("train", fx.Data, "--from", Path.Combine(run, "model.zip"), "-o", run + "-tuned");
        Assert.True(tuned.Code == 0, tuned.Output);
        Assert.Contains("5 epochs from learning rate", Cli.Flat(tuned.Output));
        Assert.Equal(5, MetricsFile.Read(Path.Combine(run + "-tuned", "metrics.json")).EpochsRun);
    }

    private string Evaluated(string run)
    {
        string output = Path.Combine(fx.Root, "tiles-evaluate");
        var evaluate = Cli.Run("evaluate", Path.Combine(run, "model.zip"), fx.Data, "-o", output);
        Assert.True(evaluate.Code == 0, evaluate.Output);
        return output;
    }

    /// <summary>Without --tiles nothing about tiles is recorded: the stamps and files of untiled runs are as before.</summary>
    [Fact]
    public void AnUntiledRunRecordsNoTiles()
    {
        var metrics = MetricsFile.Read(Path.Combine(fx.Run, "metrics.json"));
        Assert.Null(metrics.Settings.Tiles);
        Assert.DoesNotContain("\"tiles\"", File.ReadAllText(Path.Combine(fx.Run, "metrics.json")));
        Assert.DoesNotContain(metrics.Settings.Rows(), r => r.Key is "tiles" or "tileOverlap");
        Assert.Null(metrics.Settings.TileOverlap);
    }
}
