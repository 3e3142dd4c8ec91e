using SSM.Core.Training;
using SSM.Core.Data;

namespace SSM.Core.Tests.Data;

public class MvtecFolderTests
{
    private static SyntheticDataset Small(int channels = 1) => SyntheticDataset.Generate(new SyntheticDatasetOptions
    {
        ImageSize = 24, Channels = channels, TrainCount = 4, TestGoodCount = 2, TestDefectCount = 2, Seed = 3,
    });

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void WriteMvtec_then_Load_round_trips(int channels)
    {
        using var temp = new TempFolder();
        SyntheticDataset dataset = Small(channels);
        dataset.WriteMvtec(temp.Path);

        MvtecDataset loaded = MvtecFolder.Load(temp.Path);

        Assert.Equal(4, loaded.TrainPaths.Count);
        Assert.EndsWith(Path.Combine("train", "good", "000.png"), loaded.TrainPaths[0]);
        Assert.Equal(2 + 4 * 2, loaded.TestItems.Count);
        Assert.Equal(["colour_change", "good", "hole", "scratch", "spot"], loaded.Categories);
        Assert.All(loaded.TestItems, item =>
        {
            Assert.Equal(item.Category != "good", item.MaskPath is not null);
            if (item.MaskPath is not null) Assert.True(File.Exists(item.MaskPath));
        });

        FloatImage[] train = [.. loaded.LoadTrain()];
        for (int i = 0; i < train.Length; i++) ImageFileTests.AssertClose(dataset.Train[i], train[i], 1f / 255f);

        var expectedByName = dataset.Test.ToDictionary(t => t.Name);
        foreach (LabeledImage actual in loaded.LoadTest())
        {
            LabeledImage expected = expectedByName[actual.Name];
            Assert.Equal(expected.Category, actual.Category);
            Assert.Equal(expected.IsAnomalous, actual.IsAnomalous);
            ImageFileTests.AssertClose(expected.Image, actual.Image, 1f / 255f);
            Assert.Equal(expected.Mask?.Pixels, actual.Mask?.Pixels);
        }
    }

    /// <summary>Written image by image (generate's way, the memory of one image), the dataset is the same files to the byte;
    /// a stop between images leaves those written so far.</summary>
    [Fact]
    public void WriteMvtec_of_options_writes_the_generated_dataset_s_files_to_the_byte_and_stops_when_cancelled()
    {
        using var whole = new TempFolder();
        using var streamed = new TempFolder();
        Small().WriteMvtec(whole.Path);
        SyntheticDataset.WriteMvtec(Small().Options, streamed.Path);
        string[] Files(string root) => [.. Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal)];
        Assert.Equal(Files(whole.Path), Files(streamed.Path));
        Assert.Equal(4 + 2 + 4 * 2 * 2, Files(streamed.Path).Length);
        Assert.All(Files(whole.Path), f => Assert.Equal(File.ReadAllBytes(Path.Combine(whole.Path, f)), File.ReadAllBytes(Path.Combine(streamed.Path, f))));

        using var stopped = new TempFolder();
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => SyntheticDataset.WriteMvtec(Small().Options, stopped.Path, cancellation: stop.Token));
        Assert.Empty(Directory.EnumerateFiles(stopped.Path, "*", SearchOption.AllDirectories));
    }

    /// <summary>generate's progress: every image counted once, in order, each after its file (and its mask) is written.</summary>
    [Fact]
    public void WriteMvtec_of_options_reports_each_image_written()
    {
        using var temp = new TempFolder();
        var options = Small().Options;
        var reports = new List<(int Done, int Files)>();
        SyntheticDataset.WriteMvtec(options, temp.Path, new SynchronousProgress<int>(done =>
            reports.Add((done, Directory.EnumerateFiles(temp.Path, "*", SearchOption.AllDirectories).Count()))));
        Assert.Equal(4 + 2 + 4 * 2, options.ImageCount);
        Assert.Equal(Enumerable.Range(1, options.ImageCount), reports.Select(r => r.Done));
        // The training and good test images come alone, each defect with its mask.
        Assert.Equal([1, 2, 3, 4, 5, 6, 8, 10, 12, 14, 16, 18, 20, 22], reports.Select(r => r.Files));
    }

    /// <summary>A count past a million is refused before a file is written: 2147483647 defects of each kind began on 8.6 billion images.</summary>
    [Theory]
    [InlineData(nameof(SyntheticDatasetOptions.TrainCount))]
    [InlineData(nameof(SyntheticDatasetOptions.TestGoodCount))]
    [InlineData(nameof(SyntheticDatasetOptions.TestDefectCount))]
    public void WriteMvtec_of_options_refuses_a_count_past_the_maximum(string count)
    {
        using var temp = new TempFolder();
        var small = Small().Options;
        SyntheticDatasetOptions With(int n) => count switch
        {
            nameof(SyntheticDatasetOptions.TrainCount) => small with { TrainCount = n },
            nameof(SyntheticDatasetOptions.TestGoodCount) => small with { TestGoodCount = n },
            _ => small with { TestDefectCount = n },
        };
        With(SyntheticDatasetOptions.MaximumCount).Validate();
        foreach (int n in new[] { SyntheticDatasetOptions.MaximumCount + 1, int.MaxValue, -1 })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDataset.WriteMvtec(With(n), temp.Path));
            Assert.Equal(count, e.ParamName);
            Assert.StartsWith("Counts must be from 0 to 1,000,000.", e.Message);
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Missing_mask_throws_naming_the_image_and_the_expected_mask()
    {
        using var temp = new TempFolder();
        Small().WriteMvtec(temp.Path);
        string mask = temp.File("ground_truth", "hole", "001_mask.png");
        File.Delete(mask);

        var error = Assert.Throws<InvalidDataException>(() => MvtecFolder.Load(temp.Path));

        Assert.Contains(temp.File("test", "hole", "001.png"), error.Message);
        Assert.Contains(mask, error.Message);

        // Every missing mask at once; or, when asked, the images are left out of the test set and listed.
        var masks = Directory.GetFiles(temp.File("ground_truth"), "*_mask.png", SearchOption.AllDirectories);
        foreach (string m in masks) File.Delete(m);
        int defects = masks.Length + 1;
        var all = Assert.Throws<InvalidDataException>(() => MvtecFolder.Load(temp.Path));
        Assert.StartsWith($"{defects} defective test images have no ground-truth mask:", all.Message);
        Assert.Contains(mask, all.Message);
        var lenient = MvtecFolder.Load(temp.Path, allowMissingMasks: true);
        Assert.Equal(defects, lenient.MissingMasks.Count);
        Assert.DoesNotContain(lenient.TestItems, t => t.IsAnomalous);
        Assert.Contains(lenient.MissingMasks, m => m.ImagePath == temp.File("test", "hole", "001.png") && m.ExpectedMask == mask);
    }

    [Fact]
    public void Without_a_ground_truth_folder_test_images_are_labelled_by_their_folder_alone()
    {
        using var temp = new TempFolder();
        Small().WriteMvtec(temp.Path);
        Assert.True(MvtecFolder.Load(temp.Path).HasGroundTruth);
        Directory.Delete(temp.File("ground_truth"), recursive: true);

        var data = MvtecFolder.Load(temp.Path);

        Assert.False(data.HasGroundTruth);
        Assert.Empty(data.MissingMasks);
        Assert.Contains(data.TestItems, t => t.IsAnomalous);
        Assert.Contains(data.TestItems, t => !t.IsAnomalous);
        Assert.All(data.TestItems, t => Assert.Null(t.MaskPath));
        Assert.All(data.LoadTest(), image => Assert.Null(image.Mask));
        Assert.Equal(data.TestItems.Select(t => t.IsAnomalous), data.LoadTest().Select(i => i.IsAnomalous));

        // A test set alone, to evaluate a trained model on: no training images, the same test items.
        Directory.Delete(temp.File("train"), recursive: true);
        var testOnly = MvtecFolder.Load(temp.Path);
        Assert.Empty(testOnly.TrainPaths);
        Assert.Equal(data.TestItems, testOnly.TestItems);
    }

    [Fact]
    public void Masks_named_as_their_images_or_drawn_at_half_the_resolution_are_read()
    {
        // BTAD names a mask as its image; some sets draw masks smaller than the image, in its proportions.
        using var temp = new TempFolder();
        Small().WriteMvtec(temp.Path);
        var exact = MvtecFolder.Load(temp.Path);
        var item = exact.TestItems.First(t => t.IsAnomalous);
        var full = ImageFile.LoadMask(item.MaskPath!);
        string renamed = Path.Combine(Path.GetDirectoryName(item.MaskPath)!, Path.GetFileName(item.Path));
        File.Move(item.MaskPath!, renamed);
        ImageFile.Save(ImageResize.ResizeMask(full, full.Height / 2, full.Width / 2), renamed);

        var data = MvtecFolder.Load(temp.Path);

        var read = data.TestItems.Single(t => t.Path == item.Path);
        Assert.Equal(renamed, read.MaskPath);
        var loaded = data.LoadTest(read);
        Assert.Equal((full.Width, full.Height), (loaded.Mask!.Width, loaded.Mask.Height));
        Assert.Contains(1f, loaded.Mask.Pixels);
        // A line-scan camera's 4096 x 256 image with its mask at a third (1365 x 85): the same proportions, to a pixel.
        var wide = new MvtecTestItem("wide.png", "scratch", "wide_mask.png");
        MvtecDataset.RequireMaskFits(wide, new FloatImage(1, 85, 1365), (4096, 256));
        Assert.Throws<InvalidDataException>(() => MvtecDataset.RequireMaskFits(wide, new FloatImage(1, 80, 1365), (4096, 256)));
        // Other proportions are another image's mask: refused.
        ImageFile.Save(new FloatImage(1, full.Height, full.Width / 2), renamed);
        Assert.Contains("not the same proportions", Assert.Throws<InvalidDataException>(() => data.LoadTest(read)).Message);
    }

    [Fact]
    public void Good_folders_in_another_letter_case_are_the_good_folders()
    {
        // A dataset made on Windows or macOS keeps "Good" on Linux; it was read as a defect category without masks.
        using var temp = new TempFolder();
        Small().WriteMvtec(temp.Path);
        var exact = MvtecFolder.Load(temp.Path);
        Directory.Move(temp.File("train", "good"), temp.File("train", "Good"));
        Directory.Move(temp.File("test", "good"), temp.File("test", "GOOD"));

        var data = MvtecFolder.Load(temp.Path);

        Assert.Equal(exact.TrainPaths.Count, data.TrainPaths.Count);
        Assert.Equal(exact.Categories.Order(), data.Categories.Order());
        Assert.Equal(exact.TestItems.Count(t => !t.IsAnomalous), data.TestItems.Count(t => !t.IsAnomalous));
        Assert.All(data.TestItems.Where(t => t.Path.Contains("GOOD")), t => Assert.Equal(LabeledImage.GoodCategory, t.Category));
        // The command line finds a root's categories by this folder (train --each-category).
        Assert.Equal(temp.File("train", "Good"), MvtecFolder.TrainingGoodFolder(temp.Path));
        Assert.Null(MvtecFolder.TrainingGoodFolder(temp.File("test")));
    }

    [Fact]
    public void Missing_root_or_train_good_throws_naming_the_path()
    {
        using var temp = new TempFolder();
        string missing = temp.File("nowhere");
        Assert.Contains(missing, Assert.Throws<DirectoryNotFoundException>(() => MvtecFolder.Load(missing)).Message);

        Directory.CreateDirectory(temp.File("train", "bad"));
        Assert.Contains(temp.File("train", "good"), Assert.Throws<DirectoryNotFoundException>(() => MvtecFolder.Load(temp.Path)).Message);
    }

    [Fact]
    public void Empty_train_good_throws_naming_the_path()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("train", "good"));
        File.WriteAllText(temp.File("train", "good", "readme.txt"), "not an image");

        var error = Assert.Throws<InvalidDataException>(() => MvtecFolder.Load(temp.Path));
        Assert.Contains(temp.File("train", "good"), error.Message);
    }

    [Fact]
    public void Plain_folder_is_read_as_training_images_sorted_ordinally_with_any_case_of_extension()
    {
        using var temp = new TempFolder();
        FloatImage image = ImageFileTests.Gradient(1, 8, 8);
        foreach (string name in new[] { "b.PNG", "a.png", "B.bmp.png", "c.Jpeg.png" })
            ImageFile.Save(image, temp.File(name));
        File.Move(temp.File("c.Jpeg.png"), temp.File("c.JPEG")); // a PNG under a .JPEG name still decodes
        File.WriteAllText(temp.File("notes.txt"), "ignored");

        MvtecDataset loaded = MvtecFolder.Load(temp.Path);

        Assert.Equal(["B.bmp.png", "a.png", "b.PNG", "c.JPEG"], loaded.TrainPaths.Select(Path.GetFileName));
        Assert.Empty(loaded.TestItems);
        Assert.Equal(4, loaded.LoadTrain().Count());
    }

    [Fact]
    public void Channels_are_applied_when_loading()
    {
        using var temp = new TempFolder();
        Small(channels: 1).WriteMvtec(temp.Path);

        MvtecDataset loaded = MvtecFolder.Load(temp.Path, channels: 3);

        Assert.All(loaded.LoadTrain(), image => Assert.Equal(3, image.Channels));
        Assert.All(loaded.LoadTest(), item => Assert.Equal(1, item.Mask?.Channels ?? 1));
    }

    [Fact]
    public void Mask_of_other_proportions_throws_naming_both_files()
    {
        using var temp = new TempFolder();
        Small().WriteMvtec(temp.Path);
        string mask = temp.File("ground_truth", "spot", "000_mask.png");
        ImageFile.Save(new FloatImage(1, 10, 16), mask);   // the images are square
        MvtecDataset loaded = MvtecFolder.Load(temp.Path);
        MvtecTestItem item = loaded.TestItems.Single(t => t.MaskPath == mask);

        var error = Assert.Throws<InvalidDataException>(() => loaded.LoadTest(item));
        Assert.Contains(mask, error.Message);
        Assert.Contains(item.Path, error.Message);
    }

    [Fact]
    public void Folders_say_what_they_hold_besides_images_and_read_webp()
    {
        using var temp = new TempFolder();
        SyntheticDataset dataset = Small();
        dataset.WriteMvtec(temp.Path);
        string good = Path.Combine(temp.Path, "train", "good");
        var image = dataset.Train[0];
        using (var sk = SkiaSharp.SKImage.FromPixelCopy(new SkiaSharp.SKImageInfo(image.Width, image.Height, SkiaSharp.SKColorType.Gray8),
                   image.Pixels.Select(v => (byte)Math.Round(v * 255)).ToArray()))
        using (var webp = sk.Encode(SkiaSharp.SKEncodedImageFormat.Webp, 100))
            File.WriteAllBytes(Path.Combine(good, "zz.WEBP"), webp.ToArray());
        File.WriteAllText(Path.Combine(good, "scan.nii"), "not read");
        File.Copy(Path.Combine(good, "000.png"), Path.Combine(good, "._000.png"));   // a macOS companion file
        File.WriteAllText(Path.Combine(good, "Thumbs.db"), "");
        File.WriteAllText(Path.Combine(good, ".DS_Store"), "");
        Directory.CreateDirectory(Path.Combine(good, "2024-01"));
        File.WriteAllText(Path.Combine(temp.Path, "test", "hole", "notes.txt"), "");

        MvtecDataset loaded = MvtecFolder.Load(temp.Path);

        Assert.Equal(5, loaded.TrainPaths.Count);
        Assert.EndsWith("zz.WEBP", loaded.TrainPaths[^1]);
        Assert.Equal(1, ImageFile.Load(loaded.TrainPaths[^1]).Channels);
        Assert.Equal([Path.Combine(good, "._000.png"), Path.Combine(good, "2024-01") + Path.DirectorySeparatorChar,
            Path.Combine(good, "scan.nii"), Path.Combine(temp.Path, "test", "hole", "notes.txt")], loaded.Skipped);
        Assert.Equal("4 other entries: ._000.png, 2024-01/, scan.nii, notes.txt", MvtecFolder.Describe(loaded.Skipped));
        Assert.Equal("4 other entries: ._000.png, 2024-01/, and 2 more", MvtecFolder.Describe(loaded.Skipped, listed: 2));
    }

    [Fact]
    public void Files_beside_the_test_categories_and_masks_of_no_test_image_are_said_not_read()
    {
        using var temp = new TempFolder();
        Small().WriteMvtec(temp.Path);
        var before = MvtecFolder.Load(temp.Path);
        string defect = before.TestItems.First(t => t.IsAnomalous).Category;
        File.Copy(before.TrainPaths[0], temp.File("test", "stray.png"));
        string orphan = Path.Combine(temp.Path, MvtecFolder.GroundTruthFolder, defect, "999_mask.png");
        File.Copy(before.TestItems.First(t => t.IsAnomalous).MaskPath!, orphan);

        var loaded = MvtecFolder.Load(temp.Path);

        Assert.Equal(before.TestItems.Count, loaded.TestItems.Count);
        Assert.Equal([temp.File("test", "stray.png"), orphan], loaded.Skipped);
    }

    [Fact]
    public void A_folder_with_only_subfolders_says_they_are_not_searched()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(Path.Combine(temp.Path, "monday"));
        var e = Assert.Throws<InvalidDataException>(() => MvtecFolder.Load(temp.Path));
        Assert.Contains("subfolders are not searched, and it holds 1 other entry: monday/", e.Message);
    }
}
