using SSM.Core.Data;
using SSM.Core.Data.Synthesis;

namespace SSM.Core.Tests.Data;

public class PaintedTestSetTests
{
    /// <summary>Ten good images of a user's folder: grey and colour, square and wide, PNG and JPEG.</summary>
    private static List<string> UsersImages(TempFolder temp)
    {
        var files = new List<string>();
        for (int i = 0; i < 10; i++)
        {
            var rng = new Random(i);
            FloatImage image = TextureSynthesizer.Render(TextureKind.Grainy, 48, i % 3 == 0 ? 3 : 1, rng);
            if (i % 2 == 1) image = Wide(image);
            string path = temp.File("good", $"img{i:D2}.png");
            ImageFile.Save(image, path);
            files.Add(path);
        }
        return files;
    }

    /// <summary>The image's top 30 rows: 48 x 30.</summary>
    private static FloatImage Wide(FloatImage square)
    {
        var wide = new FloatImage(square.Channels, 30, square.Width);
        for (int c = 0; c < square.Channels; c++)
            for (int y = 0; y < 30; y++)
                for (int x = 0; x < square.Width; x++) wide[c, y, x] = square[c, y, x];
        return wide;
    }

    [Fact]
    public void Holds_out_a_share_copies_the_rest_and_paints_each_held_out_image_once_per_kind()
    {
        using var temp = new TempFolder();
        var images = UsersImages(temp);
        string root = temp.File("dataset");

        var counts = PaintedTestSet.WriteMvtec(images, root, new PaintedTestSetOptions { TestShare = 0.3 });

        Assert.Equal((7, 3, 12), (counts.Train, counts.Good, counts.Defective));
        Assert.Empty(counts.Unchanged);
        var dataset = MvtecFolder.Load(root);
        Assert.Equal(7, dataset.TrainPaths.Count);
        foreach (string copy in dataset.TrainPaths)   // copied unchanged, byte for byte
            Assert.Equal(File.ReadAllBytes(temp.File("good", Path.GetFileName(copy))), File.ReadAllBytes(copy));
        string[] held = [.. dataset.TestItems.Where(t => !t.IsAnomalous).Select(t => Path.GetFileNameWithoutExtension(t.Path))];
        Assert.Equal(3, held.Length);
        Assert.Empty(held.Intersect(dataset.TrainPaths.Select(Path.GetFileNameWithoutExtension)));   // no image on both sides
        foreach (DefectKind kind in Enum.GetValues<DefectKind>())
            Assert.Equal(held.Order(), dataset.TestItems.Where(t => t.Category == kind.CategoryName()).Select(t => Path.GetFileNameWithoutExtension(t.Path)).Order());
    }

    [Fact]
    public void A_painted_copy_differs_from_its_good_image_exactly_inside_its_mask_wide_images_too()
    {
        using var temp = new TempFolder();
        string root = temp.File("dataset");
        PaintedTestSet.WriteMvtec(UsersImages(temp), root, new PaintedTestSetOptions { TestShare = 0.5, Seed = 3 });

        var dataset = MvtecFolder.Load(root);
        int wide = 0;
        foreach (var item in dataset.TestItems.Where(t => t.IsAnomalous))
        {
            FloatImage painted = ImageFile.Load(item.Path), mask = ImageFile.LoadMask(item.MaskPath!);
            FloatImage good = ImageFile.Load(Path.Combine(root, "test", "good", Path.GetFileName(item.Path)));
            Assert.Equal((good.Channels, good.Height, good.Width), (painted.Channels, painted.Height, painted.Width));
            Assert.Equal((good.Height, good.Width), (mask.Height, mask.Width));
            int plane = good.Height * good.Width, inside = 0;
            for (int i = 0; i < plane; i++)
            {
                bool differs = Enumerable.Range(0, good.Channels).Any(c => painted.Pixels[c * plane + i] != good.Pixels[c * plane + i]);
                if (mask.Pixels[i] == 0f) Assert.False(differs, $"{item.Path} changed pixel {i} outside its mask.");
                else inside += differs ? 1 : 0;
            }
            Assert.True(inside > 0, $"{item.Path}: nothing changed inside its mask.");
            wide += good.Height != good.Width ? 1 : 0;
        }
        Assert.True(wide > 0, "No wide image was painted; the test would not see one.");
    }

    [Fact]
    public void A_seed_gives_the_same_files_and_another_seed_other_ones()
    {
        using var temp = new TempFolder();
        var images = UsersImages(temp);
        string Write(string name, int seed)
        {
            string root = temp.File(name);
            PaintedTestSet.WriteMvtec(images, root, new PaintedTestSetOptions { Seed = seed });
            return root;
        }
        static string[] Contents(string root) => [.. Directory.GetFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => Path.GetRelativePath(root, f) + ":" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))))];

        string a = Write("a", 1), b = Write("b", 1), c = Write("c", 2);

        Assert.Equal(Contents(a), Contents(b));
        Assert.NotEqual(Contents(a), Contents(c));
    }

    [Theory]
    [InlineData(5, 0.2, 1)]    // at least one held out
    [InlineData(10, 0.2, 2)]
    [InlineData(10, 0.25, 3)]  // rounded half away from zero
    [InlineData(10, 0.99, 6)]  // the 4 a training needs left to train on
    public void The_held_out_count_is_rounded_and_leaves_a_training_its_images(int count, double share, int expected) =>
        Assert.Equal(expected, PaintedTestSet.HeldOutCount(count, share));

    [Fact]
    public void Bad_inputs_are_refused_with_what_is_wrong()
    {
        using var temp = new TempFolder();
        var images = UsersImages(temp);
        Assert.Contains("at least 5", Assert.Throws<ArgumentException>(() => PaintedTestSet.WriteMvtec(images.Take(4).ToList(), temp.File("x"))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => PaintedTestSet.WriteMvtec(images, temp.File("x"), new PaintedTestSetOptions { TestShare = 1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => PaintedTestSet.WriteMvtec(images, temp.File("x"), new PaintedTestSetOptions { TestShare = double.NaN }));
        Assert.Throws<ArgumentException>(() => PaintedTestSet.WriteMvtec(images, temp.File("x"), new PaintedTestSetOptions { DefectKinds = [] }));

        // A file that is no image, or one too small to train on, is refused by name whether it would be held out or copied,
        // and before anything is written.
        File.WriteAllText(images[3], "not an image");
        for (int seed = 0; seed < 4; seed++)
        {
            var error = Assert.Throws<InvalidDataException>(() => PaintedTestSet.WriteMvtec(images, temp.File("y"), new PaintedTestSetOptions { Seed = seed }));
            Assert.Contains("img03", error.Message);
        }
        ImageFile.Save(new FloatImage(1, 6, 40), images[3]);
        Assert.Contains("img03.png' is 40x6 pixels; images must be at least 8x8",
            Assert.Throws<InvalidDataException>(() => PaintedTestSet.WriteMvtec(images, temp.File("y"))).Message);
        Assert.False(Directory.Exists(temp.File("y")));
    }

    [Fact]
    public void Names_shared_by_two_files_keep_their_extensions_and_then_their_index()
    {
        Assert.Equal(["a_png_0", "a_bmp", "b", "A_PNG_3", "a_png_4"],
            PaintedTestSet.UniqueStems(["/x/a.png", "/x/a.bmp", "/x/b.png", "/x/A.PNG", "/x/a_png.png"]));
    }

    [Fact]
    public void Images_of_one_name_and_two_formats_keep_apart_in_the_test_folders()
    {
        using var temp = new TempFolder();
        var image = TextureSynthesizer.Render(TextureKind.Woven, 32, 1, new Random(1));
        string[] files = [temp.File("a.png"), temp.File("a.bmp"), temp.File("b.png"), temp.File("c.png"), temp.File("d.png"), temp.File("e.png")];
        foreach (string file in files.Where(f => f.EndsWith(".png"))) ImageFile.Save(image, file);
        File.Copy(files[0], files[1]);   // a PNG named .bmp reads all the same

        string root = temp.File("dataset");
        PaintedTestSet.WriteMvtec(files, root, new PaintedTestSetOptions { TestShare = 0.99 });   // two held out, four to train on

        var goodNames = Directory.GetFiles(Path.Combine(root, "test", "good")).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(2, goodNames.Count);
        Assert.All(goodNames, n => Assert.Contains(n, new[] { "a_png.png", "a_bmp.png", "b.png", "c.png", "d.png", "e.png" }));
    }
}
