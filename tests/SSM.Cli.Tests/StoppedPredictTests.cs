using SSM.Cli.Outputs;
using SSM.Cli.Scoring;

namespace SSM.Cli.Tests;

/// <summary>A stopped predict keeps the images it did beside the output; the same command goes on after them and writes
/// the output an uninterrupted run writes.</summary>
[Collection("cli")]
public sealed class StoppedPredictTests(TrainedModelFixture fx)
{
    [Fact]
    public void The_stamp_of_a_file_gone_since_it_was_listed_is_made_and_differs()
    {
        // A camera's software removes a file between the listing and the stamp: predict --keep-going lists it as
        // unreadable (a review's run failed with "Could not find file" instead).
        string folder = Cli.TempFolder("stamp-gone"), file = Path.Combine(folder, "a.png");
        File.WriteAllBytes(file, [1, 2, 3]);
        string present = CommandStamp.Of([("k", "v")], [file]);
        File.Delete(file);
        string gone = CommandStamp.Of([("k", "v")], [file]);
        Assert.NotEqual(present, gone);
        Assert.Equal(gone, CommandStamp.Of([("k", "v")], [file]));
    }

    [Fact]
    public void Predict_StoppedAndRunAgain_GoesOnToTheUninterruptedOutput()
    {
        string root = Cli.TempFolder("predict-resume"), input = Path.Combine(root, "input");
        Directory.CreateDirectory(input);
        // Enough images for the progress lines the stop waits for (100 or more), some sharing a base name (a.png, a.PNG),
        // whose pictures are numbered in input order.
        var sources = Directory.GetFiles(Path.Combine(fx.Data, "test"), "*.png", SearchOption.AllDirectories).Order().ToList();
        for (int i = 0; i < 120; i++)
            File.Copy(sources[i % sources.Count], Path.Combine(input, $"img{i / 2:D3}.{(i % 2 == 0 ? "png" : "PNG")}"));
        string[] Predict(string output, string threshold = "0") => ["predict", fx.Model, input, "--masks", "--anomalous-heatmaps", "--threshold", threshold, "-o", output];

        string whole = Path.Combine(root, "whole");
        var uninterrupted = Cli.Run(Predict(whole));
        Assert.True(uninterrupted.Code == 0, uninterrupted.Output);

        string output = Path.Combine(root, "out");
        var stopped = Cli.RunUntil(Predict(output), "  scored ");
        Assert.Equal(130, stopped.Code);
        string kept = Assert.Single(KeptFolders(root, "out"));
        var said = System.Text.RegularExpressions.Regex.Match(Cli.Flat(stopped.Output), @"The (\d+) of 120 images done are kept in '([^']+)': the same command goes on after them\.");
        Assert.True(said.Success, stopped.Output);
        Assert.Equal(kept, said.Groups[2].Value);
        int done = int.Parse(said.Groups[1].Value);
        Assert.InRange(done, 1, 119);
        Assert.False(Directory.Exists(output));

        var resumed = Cli.Run(Predict(output));
        Assert.True(resumed.Code == 0, resumed.Output);
        Assert.Contains($"Going on after the {done} of 120 images a stopped run of this command did, kept in '{kept}'.", Cli.Flat(resumed.Output));
        Assert.Contains($"Scoring {120 - done} images", resumed.Output);
        Assert.Empty(KeptFolders(root, "out"));
        var expected = Directory.GetFiles(whole).Select(f => Path.GetFileName(f)).Order().ToList();
        Assert.Equal(expected, Directory.GetFiles(output).Select(f => Path.GetFileName(f)).Order().ToList());
        Assert.Contains("img000_mask2.png", expected);   // img000.PNG's, after img000.png's
        foreach (string file in expected.Where(f => f != PredictionRun.FileName))
            Assert.True(File.ReadAllBytes(Path.Combine(whole, file)).SequenceEqual(File.ReadAllBytes(Path.Combine(output, file))), file);
        var run = PredictionRun.Read(Path.Combine(output, PredictionRun.FileName));
        Assert.Equal((120, done), (run.Images, run.ContinuedAfterImages));
        Assert.Null(PredictionRun.Read(Path.Combine(whole, PredictionRun.FileName)).ContinuedAfterImages);

        // Stopped after its last image was done, before the output was written: the next run has nothing left to score.
        string last = Path.Combine(root, "last");
        var late = Cli.RunUntil(Predict(last), "scored 120 of 120");
        Assert.Contains("The 120 of 120 images done are kept", Cli.Flat(late.Output));
        var finished = Cli.Run(Predict(last));
        Assert.True(finished.Code == 0, finished.Output);
        Assert.DoesNotContain("Scoring", finished.Output);
        Assert.Equal(File.ReadAllText(Path.Combine(whole, "predictions.csv")), File.ReadAllText(Path.Combine(last, "predictions.csv")));
        Assert.Equal(expected.Count, Directory.GetFiles(last).Length);

        // A file changed since the stop: the kept images are not this command's, so it starts from the beginning, says why,
        // and the stale folder goes once the output is written.
        string changed = Path.Combine(root, "changed");
        Assert.Equal(130, Cli.RunUntil(Predict(changed), "  scored ").Code);
        string stale = Assert.Single(KeptFolders(root, "changed"));
        File.SetLastWriteTimeUtc(Path.Combine(input, "img000.png"), DateTime.UtcNow.AddMinutes(1));
        var fresh = Cli.Run(Predict(changed));
        Assert.True(fresh.Code == 0, fresh.Output);
        Assert.DoesNotContain("Going on after", fresh.Output);
        Assert.Contains($"'{stale}' holds a stopped predict of another model, settings, images or ssm build for this output", Cli.Flat(fresh.Output));
        Assert.Empty(KeptFolders(root, "changed"));
        Assert.Equal(File.ReadAllText(Path.Combine(whole, "predictions.csv")), File.ReadAllText(Path.Combine(changed, "predictions.csv")));

        // Another threshold labels the images otherwise: the kept rows are not its own either.
        string relabelled = Path.Combine(root, "relabelled");
        Assert.Equal(130, Cli.RunUntil(Predict(relabelled), "  scored ").Code);
        var higher = Cli.Run(Predict(relabelled, threshold: "1000"));
        Assert.True(higher.Code == 0, higher.Output);
        Assert.DoesNotContain("Going on after", higher.Output);
        Assert.All(File.ReadAllLines(Path.Combine(relabelled, "predictions.csv")).Skip(1), row => Assert.Equal("normal", row.Split(',')[2]));
    }

    /// <summary>The settings of the command whose images <see cref="KeptPredictions"/> keeps in these tests.</summary>
    private static readonly (string, string)[] Settings = [("model", "m")];

    /// <summary>A good test image copied as <paramref name="names"/> (each with ".png") into a new folder, and the output
    /// beside them that <see cref="KeptPredictions.Open"/> keeps their rows for.</summary>
    private (string Output, string[] Images) KeptImages(string folder, params string[] names)
    {
        string root = Cli.TempFolder(folder), good = Directory.GetFiles(Path.Combine(fx.Data, "test", "good"))[0];
        string[] images = [.. names.Select(n => Path.Combine(root, n + ".png"))];
        foreach (string image in images) File.Copy(good, image);
        return (Path.Combine(root, "out"), images);
    }

    /// <summary>The kept rows read back as written, a NaN score (flagged) and a contrast-only row's empty peak included.</summary>
    [Fact]
    public void Kept_rows_read_back_as_written()
    {
        var (output, images) = KeptImages("kept-rows", "a");
        string image = images[0];
        PredictionRow nan = new(image, float.NaN, true, null, null, null, null);
        using (var first = KeptPredictions.Open(output, Settings, [image])) first.Add(nan);
        using var again = KeptPredictions.Open(output, Settings, [image]);
        Assert.Equal(nan, Assert.Single(again.Kept).Value);
        using var other = KeptPredictions.Open(output, [("model", "n")], [image]);   // another command: its own folder
        Assert.Empty(other.Kept);
        Assert.Contains("holds a stopped predict of another model", other.Note);
    }

    /// <summary>A row whose picture is gone and a last line a crash cut short are not kept: their images are scored again.
    /// The rows file then holds the kept rows alone, so the next row written starts a line of its own and is read back.</summary>
    [Fact]
    public void Rows_cut_short_or_without_their_pictures_are_not_kept()
    {
        var (output, images) = KeptImages("kept-cut", "a", "b", "c");
        string rows;
        using (var first = KeptPredictions.Open(output, Settings, images))
        {
            File.WriteAllText(Path.Combine(first.Folder, "a_heatmap.png"), "drawn");
            first.Add(new(images[0], 1f, false, 1, 2, "a_heatmap.png", null));
            first.Add(new(images[1], 2f, true, 3, 4, "b_heatmap.png", null));   // its picture never written
            rows = Path.Combine(first.Folder, "rows.jsonl");
        }
        File.AppendAllText(rows, $"{{\"Path\":\"{images[2]}\",\"Sco");   // a crash in the middle of a line
        using (var second = KeptPredictions.Open(output, Settings, images))
        {
            Assert.Equal([images[0]], second.Kept.Keys);
            second.Add(new(images[2], 3f, false, 5, 6, null, null));
        }
        using var third = KeptPredictions.Open(output, Settings, images);
        Assert.Equal([images[0], images[2]], third.Kept.Keys.Order());
    }

    /// <summary>A stop or a failure keeps the images done, be it one, and says where; with none done there is nothing to keep:
    /// the folder goes and the stop is reported as it came.</summary>
    [Fact]
    public void A_stop_or_failure_keeps_the_images_done_and_nothing_else()
    {
        var (output, images) = KeptImages("kept-stop", "a");
        string image = images[0];
        using (var none = KeptPredictions.Open(output, Settings, [image]))
        {
            var stop = new OperationCanceledException();
            Assert.Same(stop, none.Stopped(stop, 1));
            Assert.False(Directory.Exists(none.Folder));
        }
        using (var none = KeptPredictions.Open(output, Settings, [image]))
        {
            Assert.Null(none.Failed(1));
            Assert.False(Directory.Exists(none.Folder));
        }
        using var one = KeptPredictions.Open(output, Settings, [image]);
        one.Add(new(image, 1f, false, 1, 2, null, null));
        Assert.Equal($"the 1 of 3 images done before the failure are kept in '{one.Folder}': the same command goes on after them.", one.Failed(3));
        Assert.True(Directory.Exists(one.Folder));
    }

    /// <summary>An output's name is text, not a pattern: "r*" took the kept folder of an output "results" for its own and
    /// deleted it.</summary>
    [Fact]
    public void Kept_folders_are_found_by_their_name_not_a_pattern()
    {
        string root = Cli.TempFolder("pattern");
        Directory.CreateDirectory(Path.Combine(root, ".results.predict-0123456789ab"));
        Assert.Empty(SSM.Cli.Outputs.KeptFolders.StartingWith(root, ".r*.predict-"));
        using (KeptPredictions.Open(Path.Combine(root, "r*"), [("model", "m")], [])) { }
        SSM.Cli.Outputs.KeptFolders.RemoveAll(root, ".r*.predict-");
        Assert.True(Directory.Exists(Path.Combine(root, ".results.predict-0123456789ab")));
    }

    private static string[] KeptFolders(string root, string output) => Directory.GetDirectories(root, $".{output}.predict-*");
}
