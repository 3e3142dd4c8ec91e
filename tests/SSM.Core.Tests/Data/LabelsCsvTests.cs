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
    [InlineData("path,label\nsub,good\n", "line 2: '{sub}' (a folder)")]
    [InlineData("path\tlabel\na.png\tgood\n", "separated by commas (or semicolons; not tabs)")]
    [InlineData("", "is empty")]
    [InlineData("path,label\na.png,good\nmissing-1.png,good\nmissing-2.png,crack\n", "2 of the 3 images")]
    public void A_csv_that_cannot_be_a_test_set_is_refused_saying_why(string text, string expected)
    {
        using var temp = new TempFolder();
        Folder(temp, "a.png", "sub/b.png");
        File.WriteAllText(temp.File("labels.csv"), text);

        var e = Assert.Throws<InvalidDataException>(() => LabelsCsv.Load(temp.File("labels.csv")));

        Assert.Contains(expected.Replace("{a}", temp.File("a.png")).Replace("{sub}", temp.File("sub")), e.Message);
        if (text.Contains("missing")) Assert.Contains($"line 3: '{temp.File("missing-1.png")}'; line 4: '{temp.File("missing-2.png")}'", e.Message);
    }
}
