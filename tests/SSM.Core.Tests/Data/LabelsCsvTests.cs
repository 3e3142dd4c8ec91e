using SSM.Core.Data;

namespace SSM.Core.Tests.Data;

/// <summary>A test set listed in a CSV of paths and labels, as a spreadsheet or an app writes it.</summary>
public sealed class LabelsCsvTests
{
    private static string Folder(TempFolder temp, params string[] images)
    {
        foreach (string image in images)
        {
            string path = temp.File(image);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, [1]);   // listing reads no pixels
        }
        return temp.Path;
    }

    [Fact]
    public void Rows_become_test_images_labelled_good_or_by_their_defect_with_paths_read_from_the_csv_folder()
    {
        using var temp = new TempFolder();
        string root = Folder(temp, "a.png", "sub/b.png", "c, with comma.png", "d.png", "e.png");
        File.WriteAllText(temp.File("labels.csv"),
            "id,Label,PATH\n1,good,a.png\n2,Scratch,sub/b.png\n3,OK,\"c, with comma.png\"\n\n4,0,d.png\n5,normal," + temp.File("e.png") + "\n");

        var data = LabelsCsv.Load(temp.File("labels.csv"));

        Assert.Equal(Path.GetFullPath(temp.File("labels.csv")), data.Root);
        Assert.Empty(data.TrainPaths);
        Assert.False(data.HasGroundTruth);
        Assert.Equal(["a.png", "b.png", "c, with comma.png", "d.png", "e.png"], data.TestItems.Select(t => Path.GetFileName(t.Path)));
        Assert.Equal(["good", "Scratch", "good", "good", "good"], data.TestItems.Select(t => t.Category));
        Assert.All(data.TestItems, t => Assert.True(Path.IsPathFullyQualified(t.Path) && t.MaskPath is null));
    }

    [Fact]
    public void Spreadsheet_habits_are_read_blank_and_empty_rows_backslashes_and_defect_names_in_any_case()
    {
        using var temp = new TempFolder();
        Folder(temp, "sub/a.png", "sub/b.png", "sub/c.png");
        File.WriteAllText(temp.File("labels.csv"), "\n,,\npath,label\nsub\\a.png,Scratch\n,\nsub/b.png,scratch\nsub/c.png,GOOD\n;;\n");

        var data = LabelsCsv.Load(temp.File("labels.csv"));

        Assert.Equal([temp.File("sub", "a.png"), temp.File("sub", "b.png"), temp.File("sub", "c.png")], data.TestItems.Select(t => t.Path));
        Assert.Equal(["Scratch", "Scratch", "good"], data.TestItems.Select(t => t.Category));
    }

    /// <summary>Masks for pixel metrics, from any folder: a defective row names its mask, a good row may leave it empty
    /// (or end before it) or name an all-black one.</summary>
    [Fact]
    public void A_mask_column_gives_each_defect_its_mask_and_makes_the_set_one_with_ground_truth()
    {
        using var temp = new TempFolder();
        Folder(temp, "img/a.png", "img/b.png", "img/c.png", "masks/b.png", "masks/c.png");
        File.WriteAllText(temp.File("labels.csv"), "path,label,Mask\nimg/a.png,good\nimg/b.png,dent,masks/b.png\nimg/c.png,good,masks\\c.png\n");

        var data = LabelsCsv.Load(temp.File("labels.csv"));

        Assert.True(data.HasGroundTruth);
        Assert.Equal([null, temp.File("masks", "b.png"), temp.File("masks", "c.png")], data.TestItems.Select(t => t.MaskPath));
    }

    /// <summary>The columns are found by name wherever they stand, the first included; a quoted field keeps a doubled quote
    /// as one (in a label here: Windows allows no quote in a file name).</summary>
    [Fact]
    public void Columns_are_found_in_any_order_the_first_included()
    {
        using var temp = new TempFolder();
        Folder(temp, "a.png", "b.png", "masks/b.png");
        File.WriteAllText(temp.File("labels.csv"), "mask,label,path\n,good,a.png\nmasks/b.png,\"dent \"\"deep\"\"\",b.png\n");

        var data = LabelsCsv.Load(temp.File("labels.csv"));

        Assert.True(data.HasGroundTruth);
        Assert.Equal(["a.png", "b.png"], data.TestItems.Select(t => Path.GetFileName(t.Path)));
        Assert.Equal(["good", "dent \"deep\""], data.TestItems.Select(t => t.Category));
        Assert.Equal([null, temp.File("masks", "b.png")], data.TestItems.Select(t => t.MaskPath));

        File.WriteAllText(temp.File("labels2.csv"), "label,path\ndent,a.png\n");
        Assert.Equal("dent", Assert.Single(LabelsCsv.Load(temp.File("labels2.csv")).TestItems).Category);
    }

    [Fact]
    public void Semicolons_separate_the_fields_when_the_header_has_no_comma()
    {
        using var temp = new TempFolder();
        Folder(temp, "a.png", "b.png");
        File.WriteAllText(temp.File("labels.csv"), "path;label\na.png;good\nb.png;dent\n");

        Assert.Equal(["good", "dent"], LabelsCsv.Load(temp.File("labels.csv")).TestItems.Select(t => t.Category));
    }

    [Theory]
    [InlineData("file,label\na.png,good\n", "no 'path' column in its header row ('file', 'label')")]
    [InlineData("path,label\na.png\n", "line 2 has 1 field(s); its header names 2")]
    [InlineData("path,label\na.png,\n", "line 2 has an empty label")]
    [InlineData("path,label\n\"a.png,good\n", "line 2 has a quote that is not closed")]
    [InlineData("path,label\n", "lists no images, only its header row")]
    [InlineData("path,label\na.png,good\n./a.png,crack\n", "lists '{a}' on line 2 and again on line 3")]
    [InlineData("path,label\nsub,good\n", "line 2: '{sub}' is a folder, not a file")]
    [InlineData("path\tlabel\na.png\tgood\n", "separated by commas (or semicolons; not tabs)")]
    [InlineData("", "is empty")]
    [InlineData("path,label\na.png,good\nmissing-1.png,good\nmissing-2.png,crack\n", "2 of the 3 rows")]
    [InlineData("path,label,mask\na.png,good,\nsub/b.png,crack,\n", "1 of the 2 rows of '{csv}' cannot be used (relative paths are read from its folder): line 3: '{b}' is labelled 'crack' but has no mask. Give every defective row its mask, or drop the mask column")]
    [InlineData("path,label,mask\nsub/b.png,crack,b_mask.png\nmissing-1.png,crack,gone_mask.png\n", "line 2: its mask '{b_mask}' does not exist; line 3: '{missing-1}' does not exist, and its mask '{gone}' does not exist. " +
        "Correct those paths, or remove their rows. Give every defective row its mask, or drop the mask column")]
    public void A_csv_that_cannot_be_a_test_set_is_refused_saying_why(string text, string expected)
    {
        using var temp = new TempFolder();
        Folder(temp, "a.png", "sub/b.png");
        File.WriteAllText(temp.File("labels.csv"), text);

        var e = Assert.Throws<InvalidDataException>(() => LabelsCsv.Load(temp.File("labels.csv")));

        Assert.Contains(expected.Replace("{a}", temp.File("a.png")).Replace("{sub}", temp.File("sub")).Replace("{csv}", temp.File("labels.csv"))
            .Replace("{b}", temp.File("sub", "b.png")).Replace("{b_mask}", temp.File("b_mask.png")).Replace("{missing-1}", temp.File("missing-1.png"))
            .Replace("{gone}", temp.File("gone_mask.png")), e.Message);
        if (text.Contains("missing-2")) Assert.Contains($"line 3: '{temp.File("missing-1.png")}' does not exist; line 4: '{temp.File("missing-2.png")}' does not exist.", e.Message);
    }

    [Fact]
    public void A_missing_image_in_a_csv_with_masks_is_told_to_correct_its_path_not_to_give_masks()
    {
        using var temp = new TempFolder();
        Folder(temp, "a.png", "sub/b.png");
        File.WriteAllText(temp.File("labels.csv"), "path,label,mask\na.png,good,\nmissing-1.png,good,\n");
        var e = Assert.Throws<InvalidDataException>(() => LabelsCsv.Load(temp.File("labels.csv")));
        Assert.EndsWith($"line 3: '{temp.File("missing-1.png")}' does not exist. Correct those paths, or remove their rows.", e.Message);
    }
}
