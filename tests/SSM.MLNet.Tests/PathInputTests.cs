using System.IO.Compression;
using Microsoft.ML;
using Microsoft.ML.Data;
using SSM.Core.Data;
using SSM.Core.Tests.Data;

namespace SSM.MLNet.Tests;

public sealed class PathRow
{
    public string ImagePath { get; set; } = "";
}

public sealed class PathPrediction
{
    public float Score { get; set; }
    public bool PredictedLabel { get; set; }
    [VectorType(PathModelFixture.Size * PathModelFixture.Size)]
    public float[] AnomalyMap { get; set; } = [];
}

/// <summary>A tiny model trained from a text column of image paths relative to <see cref="SsmAnomalyDetectionOptions.ImageFolder"/>.</summary>
public sealed class PathModelFixture : IDisposable
{
    public const int Size = 16;

    public PathModelFixture()
    {
        Folder = Path.Combine(Path.GetTempPath(), "ssm-mlnet-paths-" + Guid.NewGuid().ToString("N")[..8]);
        var data = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = Size, TrainCount = 10, TestGoodCount = 4, TestDefectCount = 3, Seed = 7 });
        data.WriteMvtec(Folder);
        Train = Relative("train");
        Test = Relative("test");
        Context = new MLContext(seed: 3);
        Model = Context.Transforms.DetectAnomaliesSsm(Options(Folder)).Fit(Context.Data.LoadFromEnumerable(Rows(Train)));
    }

    public static SsmAnomalyDetectionOptions Options(string folder) => new()
    {
        InputColumnName = nameof(PathRow.ImagePath), ImageFolder = folder, ImageSize = Size, BaseWidth = 4, Depth = 2, Epochs = 2,
    };

    private List<string> Relative(string under) =>
        Directory.GetFiles(Path.Combine(Folder, under), "*.png", SearchOption.AllDirectories).Order()
            .Select(p => Path.GetRelativePath(Folder, p)).ToList();

    public static List<PathRow> Rows(IEnumerable<string> paths) => paths.Select(p => new PathRow { ImagePath = p }).ToList();

    public string Folder { get; }
    public List<string> Train { get; }
    public List<string> Test { get; }
    public MLContext Context { get; }
    public SsmAnomalyTransformer Model { get; }

    public void Dispose()
    {
        Model.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The third input kind: a text column of image file paths, read strictly by the model.</summary>
public sealed class PathInputTests(PathModelFixture fx) : IClassFixture<PathModelFixture>
{
    private IDataView Data(IEnumerable<string> paths) => fx.Context.Data.LoadFromEnumerable(PathModelFixture.Rows(paths));

    [Fact]
    public void A_tiff_copy_of_an_image_scores_as_the_image_does()
    {
        using var temp = new TempFolder();
        var images = fx.Test.Take(3).ToList();
        var copies = images.Select((relative, i) =>
        {
            var image = ImageFile.Load(Path.Combine(fx.Folder, relative), channels: 3);
            int plane = image.Width * image.Height;
            var samples = new ushort[3 * plane];
            for (int p = 0; p < plane; p++)
                for (int c = 0; c < 3; c++) samples[3 * p + c] = (ushort)MathF.Round(image.Pixels[c * plane + p] * 255);
            string copy = temp.File($"copy{i}.tif");   // absolute: ImageFolder leaves it as it is
            TiffWriter.Write(copy, image.Width, image.Height, 3, samples, bits: 8, photometric: BitMiracle.LibTiff.Classic.Photometric.RGB);
            return copy;
        }).ToList();

        float[] Scores(List<string> paths) => fx.Model.Transform(Data(paths)).GetColumn<float>("Score").ToArray();

        // The same pixels; a grey model's luminance comes from floats for a TIFF and from bytes for a PNG (1e-7 apart).
        Assert.Equal(Scores(images), Scores(copies), (a, b) => Math.Abs(a - b) < 1e-3f);
    }

    [Theory]
    [InlineData("rgb.dcm")]
    [InlineData("rgb-rle.dcm")]
    public void A_dicom_path_scores_as_a_png_of_the_pixels_read_from_it_does(string file)
    {
        using var temp = new TempFolder();
        string dicom = Path.Combine(AppContext.BaseDirectory, "Dicom", file);
        string png = temp.File("same.png");
        ImageFile.Save(ImageFile.Load(dicom), png);   // 8-bit colour: the PNG holds exactly the DICOM's samples

        float[] Scores(string path) => fx.Model.Transform(Data([path])).GetColumn<float>("Score").ToArray();

        Assert.Equal(Scores(png), Scores(dicom), (a, b) => Math.Abs(a - b) < 1e-3f);
        Assert.True(float.IsFinite(Scores(dicom)[0]));
    }

    [Fact]
    public void Fit_and_Transform_read_the_files_of_a_text_path_column()
    {
        Assert.Equal(SsmInputKind.Path, fx.Model.InputKind);
        Assert.Equal(fx.Folder, fx.Model.ImageFolder);
        Assert.Equal(nameof(PathRow.ImagePath), fx.Model.InputColumnName);

        var scored = fx.Model.Transform(Data(fx.Test));
        var rows = Scored.Read(scored);
        Assert.Equal(fx.Test.Count, rows.Count);
        // The files as ImageFile.Load reads them, scored in the same batches as Transform's: the same bits.
        var images = fx.Test.Select(p => ImageFile.Load(Path.Combine(fx.Folder, p), channels: 1)).ToList();
        var engine = fx.Model.Model.Score(images, batchSize: fx.Model.ScoringBatchSize);
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.Equal(fx.Model.Normalize(engine[i].Score), rows[i].Score);
            Assert.Equal(engine[i].Map, rows[i].Map);
        }

        // The path column passes through; a PredictionEngine reads the files too.
        using (var cursor = scored.GetRowCursor([scored.Schema[nameof(PathRow.ImagePath)]]))
        {
            var path = cursor.GetGetter<ReadOnlyMemory<char>>(scored.Schema[nameof(PathRow.ImagePath)]);
            ReadOnlyMemory<char> p = default;
            for (int i = 0; cursor.MoveNext(); i++)
            {
                path(ref p);
                Assert.Equal(fx.Test[i], p.ToString());
            }
        }
        using var pe = fx.Context.Model.CreatePredictionEngine<PathRow, PathPrediction>(fx.Model, new PredictionEngineOptions { OwnsTransformer = false });
        for (int i = 0; i < 3; i++) Close.Score(fx.Model, pe.Predict(new PathRow { ImagePath = fx.Test[i] }).Score, rows[i].Score);
    }

    [Fact]
    public void Truncated_PNG_and_JPEG_files_fail_naming_the_path_column_and_row()
    {
        string png = BrokenFiles.TruncatedPng(Path.Combine(fx.Folder, "broken", Guid.NewGuid().ToString("N")[..8] + "-truncated.png"));
        string jpeg = BrokenFiles.TruncatedJpeg(Path.Combine(fx.Folder, "broken", Guid.NewGuid().ToString("N")[..8] + "-truncated.jpg"));
        var paths = new List<string> { fx.Test[0], Path.GetRelativePath(fx.Folder, png), fx.Test[1], jpeg }; // relative and absolute
        var scored = fx.Model.Transform(Data(paths));
        using var cursor = scored.GetRowCursor(scored.Schema);
        var score = cursor.GetGetter<float>(scored.Schema["Score"]);
        float s = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            Assert.True(cursor.MoveNext());
            if (i is 0 or 2)
            {
                score(ref s);
                Assert.True(float.IsFinite(s));
                continue;
            }
            var e = Assert.Throws<InvalidOperationException>(() => score(ref s));
            Assert.Contains(i == 1 ? png : jpeg, e.Message);
            Assert.Contains($"column 'ImagePath' at row {i}", e.Message);
            Assert.Contains("corrupt or truncated", e.Message);
        }

        // One row at a time (PredictionEngine) and at Fit: the same refusal.
        using var pe = fx.Context.Model.CreatePredictionEngine<PathRow, PathPrediction>(fx.Model, new PredictionEngineOptions { OwnsTransformer = false });
        pe.Predict(new PathRow { ImagePath = fx.Test[0] });
        string once = ExceptionChain.Messages(Assert.ThrowsAny<Exception>(() => pe.Predict(new PathRow { ImagePath = jpeg })));
        Assert.Contains(jpeg, once);
        Assert.DoesNotContain("at row", once);   // the engine's second call is no "row 1" of anything the user has
        var train = fx.Train.Take(5).Append(png).ToList();
        var fit = Assert.Throws<InvalidOperationException>(() =>
            fx.Context.Transforms.DetectAnomaliesSsm(PathModelFixture.Options(fx.Folder)).Fit(Data(train)));
        Assert.Contains(png, fit.Message);
        Assert.Contains("row 5", fit.Message);
    }

    [Fact]
    public void Fit_names_every_training_file_it_cannot_read_in_one_error()
    {
        string corrupt = BrokenFiles.TruncatedPng(Path.Combine(fx.Folder, "broken", Guid.NewGuid().ToString("N")[..8] + "-truncated.png"));
        string folder = Path.Combine(fx.Folder, "train");
        string tiny = Path.Combine(fx.Folder, "broken", Guid.NewGuid().ToString("N")[..8] + "-tiny.png");
        SSM.Core.Data.ImageFile.Save(new SSM.Core.Data.FloatImage(1, 4, 4), tiny);
        // The image too small to use comes first: it is listed with the others, not thrown on its own.
        var train = fx.Train.Take(5).Concat([tiny, "train/good/missing-1.png", corrupt, folder, "train/good/missing-2.png"]).ToList();

        var e = Assert.Throws<InvalidOperationException>(() =>
            fx.Context.Transforms.DetectAnomaliesSsm(PathModelFixture.Options(fx.Folder)).Fit(Data(train)));

        Assert.StartsWith("5 of 10 training images could not be read or are too small", e.Message);
        Assert.Contains($"at row 5 of column 'ImagePath' is 4x4 pixels; images must be at least 8x8. ('{tiny}')", e.Message);
        Assert.Contains($"missing-1.png' in column 'ImagePath' at row 6: the file does not exist", e.Message);
        Assert.Contains($"{corrupt}' in column 'ImagePath' at row 7", e.Message);
        Assert.Contains($"{folder}' in column 'ImagePath' at row 8: it is a folder, not an image file", e.Message);
        Assert.Contains($"missing-2.png' in column 'ImagePath' at row 9", e.Message);
    }

    [Fact]
    public void Fit_on_an_image_column_names_every_row_it_cannot_read_by_its_path()
    {
        string text = Path.Combine(fx.Folder, "broken", Guid.NewGuid().ToString("N")[..8] + "-text.png");
        Directory.CreateDirectory(Path.GetDirectoryName(text)!);
        File.WriteAllText(text, "not a picture");
        // Good rows after each bad one: a cursor that stopped working after a failed read would fail them too.
        var train = fx.Train.Take(3).Append("train/good/missing-1.png").Concat(fx.Train.Skip(3).Take(2)).Append(text).Append(fx.Train[5]).ToList();
        var images = fx.Context.Transforms.LoadImages("Image", fx.Folder, nameof(PathRow.ImagePath)).Fit(Data(train)).Transform(Data(train));
        var options = PathModelFixture.Options(fx.Folder);
        options.InputColumnName = "Image";

        var e = Assert.Throws<InvalidOperationException>(() => fx.Context.Transforms.DetectAnomaliesSsm(options).Fit(images));

        // LoadImages' own messages do not always name the file: the row's path column does.
        Assert.StartsWith("2 of 8 training images could not be read", e.Message);
        Assert.Contains("in column 'Image' at row 3:", e.Message);
        Assert.Contains("(ImagePath: 'train/good/missing-1.png')", e.Message);
        Assert.Contains($"in column 'Image' at row 6:", e.Message);   // rows 4, 5 and 7 read
        Assert.Contains($"(ImagePath: '{text}')", e.Message);
    }

    [Fact]
    public void A_loaded_model_reads_relative_paths_from_the_folder_it_is_given_and_draws_them_from_there()
    {
        using var temp = new TempFolder();
        string moved = temp.File("moved");
        foreach (string relative in fx.Test)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(moved, relative))!);
            File.Copy(Path.Combine(fx.Folder, relative), Path.Combine(moved, relative));
        }
        string zip = temp.File("model.zip");
        fx.Context.Model.Save(fx.Model, Data(fx.Train).Schema, zip);
        using var loaded = (SsmAnomalyTransformer)new MLContext().Model.Load(zip, out _);
        using var elsewhere = loaded.WithImageFolder(moved);

        Assert.Equal(moved, elsewhere.ImageFolder);
        Assert.Equal(fx.Folder, loaded.ImageFolder);
        // Blanks name no folder, here as in the options.
        Assert.Equal("imageFolder", Assert.Throws<ArgumentException>(() => loaded.WithImageFolder("   ")).ParamName);
        Assert.Equal("imageFolder", Assert.Throws<ArgumentException>(() => loaded.WithPathInput(nameof(PathRow.ImagePath), " ")).ParamName);
        var before = Scored.Read(fx.Model.Transform(Data(fx.Test)));
        var after = Scored.Read(elsewhere.Transform(Data(fx.Test)));
        Assert.Equal(before.Select(r => r.Score), after.Select(r => r.Score));
        // The picture of a relative path is drawn from the model's folder, as the model read it.
        Assert.Equal(SsmHeatMap.ToPng(fx.Model, Path.Combine(fx.Folder, fx.Test[0]), after[0].Map),
                     SsmHeatMap.ToPng(elsewhere, fx.Test[0], after[0].Map));
        using var here = elsewhere.WithImageFolder(null);
        Assert.Throws<FileNotFoundException>(() => SsmHeatMap.ToPng(here, fx.Test[0], after[0].Map));
    }

    [Fact]
    public void A_missing_relative_path_says_where_it_was_looked_for_and_how_to_set_the_folder()
    {
        var options = PathModelFixture.Options(fx.Folder);
        options.ImageFolder = null;
        var e = Assert.Throws<InvalidOperationException>(() =>
            fx.Context.Transforms.DetectAnomaliesSsm(options).Fit(Data(["train/good/missing.png", .. fx.Train.Take(4)])));
        Assert.Contains($"looked for '{Path.GetFullPath("train/good/missing.png")}'", e.Message);
        Assert.Contains("set ImageFolder to the folder it is relative to", e.Message);
    }

    [Fact]
    public void A_missing_file_or_an_empty_path_fails_naming_it()
    {
        string missing = Path.Combine(fx.Folder, "no-such-folder", "missing.png");
        var scored = fx.Model.Transform(Data([fx.Test[0], "no-such-folder/missing.png", ""]));
        var e = Assert.Throws<InvalidOperationException>(() => Scored.Read(scored));
        Assert.Contains(missing, e.Message);
        Assert.Contains("does not exist", e.Message);
        Assert.Contains("row 1", e.Message);

        using var cursor = scored.GetRowCursor(scored.Schema);
        var score = cursor.GetGetter<float>(scored.Schema["Score"]);
        float s = 0;
        cursor.MoveNext(); score(ref s);
        cursor.MoveNext();
        cursor.MoveNext();
        e = Assert.Throws<InvalidOperationException>(() => score(ref s));
        Assert.Equal($"The image path in column '{nameof(PathRow.ImagePath)}' at row 2 is empty.", e.Message);   // not a file named ""
    }

    [Fact]
    public void A_path_input_model_round_trips_through_save_and_load()
    {
        string zip = Path.Combine(fx.Folder, Guid.NewGuid().ToString("N")[..8] + "-paths.zip");
        fx.Context.Model.Save(fx.Model, Data(fx.Train).Schema, zip);
        using (var archive = ZipFile.OpenRead(zip))
            Assert.Contains(archive.Entries, e => e.FullName.EndsWith("SsmModel.bin"));

        var context = new MLContext();
        using var loaded = Assert.IsType<SsmAnomalyTransformer>(context.Model.Load(zip, out var schema));
        Assert.Equal(SsmInputKind.Path, loaded.InputKind);
        Assert.Equal(fx.Folder, loaded.ImageFolder);
        Assert.Equal(TextDataViewType.Instance, schema[nameof(PathRow.ImagePath)].Type);

        var before = Scored.Read(fx.Model.Transform(Data(fx.Test)));
        var after = Scored.Read(loaded.Transform(context.Data.LoadFromEnumerable(PathModelFixture.Rows(fx.Test))));
        Assert.Equal(before.Select(r => r.Score), after.Select(r => r.Score));
        Assert.Equal(before.Select(r => r.Predicted), after.Select(r => r.Predicted));
        for (int i = 0; i < before.Count; i++) Assert.Equal(before[i].Map, after[i].Map);

        using var pe = context.Model.CreatePredictionEngine<PathRow, PathPrediction>(loaded, new PredictionEngineOptions { OwnsTransformer = false });
        Close.Score(loaded, pe.Predict(new PathRow { ImagePath = fx.Test[0] }).Score, after[0].Score);
    }

    [Fact]
    public void A_path_model_refuses_an_image_column_by_name()
    {
        // LoadImages' output takes the name of the path column: a path model then sees an image.
        var images = fx.Context.Transforms.LoadImages(nameof(PathRow.ImagePath), fx.Folder, nameof(PathRow.ImagePath)).Fit(Data(fx.Test)).Transform(Data(fx.Test));
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => fx.Model.Transform(images));
        Assert.Contains("'ImagePath'", e.Message);
        Assert.Contains("Text (image file path)", e.Message);
    }
}
