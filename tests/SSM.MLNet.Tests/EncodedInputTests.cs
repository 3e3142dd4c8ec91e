using Microsoft.ML;
using Microsoft.ML.Data;
using SSM.Core.Tests.Data;

namespace SSM.MLNet.Tests;

public sealed class EncodedRow
{
    public byte[] File { get; set; } = [];
}

public sealed class FileNameRow
{
    public string File { get; set; } = "";
}

/// <summary>A byte[] column of whole image files (what a web API receives): decoded strictly, as path input reads files.</summary>
public sealed class EncodedInputTests(PathModelFixture fx) : IClassFixture<PathModelFixture>
{
    private List<EncodedRow> Rows(IEnumerable<string> relativePaths) =>
        relativePaths.Select(p => new EncodedRow { File = System.IO.File.ReadAllBytes(Path.Combine(fx.Folder, p)) }).ToList();

    private SsmAnomalyTransformer Train()
    {
        var options = PathModelFixture.Options(fx.Folder);
        options.InputColumnName = nameof(EncodedRow.File);
        options.ImageFolder = null;
        // The fixture's seed: the same images decoded the same way must give the fixture's network.
        return new MLContext(seed: 3).Transforms.DetectAnomaliesSsm(options).Fit(fx.Context.Data.LoadFromEnumerable(Rows(fx.Train)));
    }

    [Fact]
    public void Byte_arrays_train_and_score_exactly_as_the_files_they_came_from()
    {
        using var model = Train();
        Assert.Equal(SsmInputKind.Encoded, model.InputKind);
        var fromBytes = Scored.Read(model.Transform(fx.Context.Data.LoadFromEnumerable(Rows(fx.Test))));
        var fromPaths = Scored.Read(fx.Model.Transform(fx.Context.Data.LoadFromEnumerable(PathModelFixture.Rows(fx.Test))));
        Assert.Equal(fromPaths.Select(r => r.Score), fromBytes.Select(r => r.Score));
        Assert.Equal(fromPaths.Select(r => r.Map), fromBytes.Select(r => r.Map));

        // Saved, loaded and used one row at a time, as a server would.
        string zip = Path.Combine(fx.Folder, "encoded.zip");
        fx.Context.Model.Save(model, null, zip);
        var loaded = new MLContext().Model.Load(zip, out _);
        using var engine = fx.Context.Model.CreatePredictionEngine<EncodedRow, PathPrediction>(loaded);
        var first = Rows(fx.Test.Take(3)).Select(r => engine.Predict(r).Score);
        Assert.Equal(fromBytes.Take(3).Select(r => r.Score), first);
    }

    [Fact]
    public void A_model_trained_on_paths_serves_uploads_through_WithBytesInput_and_reads_paths_again_through_WithPathInput()
    {
        // ssm train's models read paths; a web API receives bytes. The same reader decodes both: the same scores.
        var fromPaths = Scored.Read(fx.Model.Transform(fx.Context.Data.LoadFromEnumerable(PathModelFixture.Rows(fx.Test))));
        using var uploads = fx.Model.WithBytesInput(nameof(EncodedRow.File));
        Assert.Equal((SsmInputKind.Encoded, nameof(EncodedRow.File)), (uploads.InputKind, uploads.InputColumnName));
        Assert.Null(uploads.ImageFolder);   // bytes have no folder; the path model's is not kept
        Assert.Contains("as Encoded, not as file paths", Assert.Throws<InvalidOperationException>(() => uploads.WithImageFolder(fx.Folder)).Message);
        var fromBytes = Scored.Read(uploads.Transform(fx.Context.Data.LoadFromEnumerable(Rows(fx.Test))));
        Assert.Equal(fromPaths.Select(r => r.Score), fromBytes.Select(r => r.Score));
        Assert.Equal(fromPaths.Select(r => r.Map), fromBytes.Select(r => r.Map));

        string zip = Path.Combine(fx.Folder, "uploads.zip");
        fx.Context.Model.Save(uploads, null, zip);
        var loaded = new MLContext().Model.Load(zip, out _);
        using (var engine = fx.Context.Model.CreatePredictionEngine<EncodedRow, PathPrediction>(loaded))
            Assert.Equal(fromBytes.Take(3).Select(r => r.Score), Rows(fx.Test.Take(3)).Select(r => engine.Predict(r).Score));

        // And back, with the folder the fixture's relative paths are read from.
        using var paths = uploads.WithPathInput(nameof(PathRow.ImagePath), fx.Folder);
        Assert.Equal(fromPaths.Select(r => r.Score), Scored.Read(paths.Transform(fx.Context.Data.LoadFromEnumerable(PathModelFixture.Rows(fx.Test)))).Select(r => r.Score));
        Assert.Throws<ArgumentException>(() => fx.Model.WithBytesInput(" "));
        using (var asGiven = paths.WithPathInput(nameof(PathRow.ImagePath))) Assert.Null(asGiven.ImageFolder);   // no folder: paths as given
        foreach (string output in new[] { fx.Model.ScoreColumnName, fx.Model.PredictedLabelColumnName, fx.Model.AnomalyMapColumnName! })
        {
            Assert.Contains("one of this model's output columns", Assert.Throws<ArgumentException>(() => fx.Model.WithBytesInput(output)).Message);
            Assert.Contains("one of this model's output columns", Assert.Throws<ArgumentException>(() => fx.Model.WithPathInput(output)).Message);
        }
    }

    [Fact]
    public void A_trained_model_missing_its_column_says_how_to_give_it_not_how_to_train()
    {
        var e = Assert.ThrowsAny<ArgumentOutOfRangeException>(() =>
            fx.Model.Transform(fx.Context.Data.LoadFromEnumerable(new[] { new FileNameRow { File = "a.png" } })));
        Assert.Contains("Could not find input column 'ImagePath'; the data has 'File' (String). This model reads its images from column " +
                        "'ImagePath' (text: image file paths)", e.Message);
        Assert.Contains("[ColumnName(\"ImagePath\")]", e.Message);
        Assert.Contains("WithPathInput / WithBytesInput", e.Message);
        Assert.DoesNotContain("InputColumnName", e.Message);
    }

    [Fact]
    public void Damaged_or_empty_data_fails_naming_the_column_where_MLImage_would_score_part_of_it()
    {
        using var model = Train();
        using var engine = fx.Context.Model.CreatePredictionEngine<EncodedRow, PathPrediction>(model, new PredictionEngineOptions { OwnsTransformer = false });
        string truncated = BrokenFiles.TruncatedPng(Path.Combine(fx.Folder, "truncated.png"));
        var cases = new (byte[] Bytes, string Expected)[]
        {
            (System.IO.File.ReadAllBytes(truncated), "could not be fully decoded"),
            ("not an image"u8.ToArray(), "is not a decodable image"),
            ([], "The image data in column 'File' is empty."),   // said before any decoder is tried
        };
        foreach (var (bytes, expected) in cases)
        {
            var e = Assert.Throws<InvalidOperationException>(() => engine.Predict(new EncodedRow { File = bytes }));
            Assert.Contains(expected, e.Message);
            Assert.Contains("column 'File'", e.Message);
        }
    }

    /// <summary>Megapixels in messages: one decimal from one on, three digits under it (a walkthrough's 512 x 64 strips were "0").</summary>
    [Fact]
    public void Megapixels_are_said_in_digits_that_show_them()
    {
        Assert.Equal(["400", "180", "1.5", "0.0328", "0.00102"], new long[] { 400_000_000, 180_000_000, 1_500_000, 512 * 64, 32 * 32 }.Select(SsmInput.Megapixels));
    }

    /// <summary>A server's limit of what it decodes: an image whose header declares more pixels is refused, named, before it
    /// is decoded; the limit carries over to bytes and is not saved.</summary>
    [Fact]
    public void An_image_larger_than_MaxImagePixels_is_refused_naming_it_before_it_is_decoded()
    {
        Assert.Equal(SsmAnomalyDetectionOptions.DefaultMaxImagePixels, fx.Model.MaxImagePixels);
        var (width, height) = SSM.Core.Data.ImageFile.ReadSize(Path.Combine(fx.Folder, fx.Test[0]));
        using var small = fx.Model.WithMaxImagePixels(width * height - 1);
        var row = PathModelFixture.Rows(fx.Test.Take(1))[0];
        using (var engine = fx.Context.Model.CreatePredictionEngine<PathRow, PathPrediction>(small, new PredictionEngineOptions { OwnsTransformer = false }))
        {
            var e = Assert.Throws<InvalidOperationException>(() => engine.Predict(row));
            Assert.Contains($"'{Path.Combine(fx.Folder, fx.Test[0])}' in column 'ImagePath' is {width}x{height} pixels ({SsmInput.Megapixels(width * height)} megapixels)", e.Message);
            Assert.Contains("raise it with WithMaxImagePixels, or 0 for no limit", e.Message);
        }
        using (var exact = fx.Model.WithMaxImagePixels(width * height))
        using (var engine = fx.Context.Model.CreatePredictionEngine<PathRow, PathPrediction>(exact, new PredictionEngineOptions { OwnsTransformer = false }))
            Assert.True(float.IsFinite(engine.Predict(row).Score));
        using (var unlimited = small.WithMaxImagePixels(0))   // 0: no limit, not a limit of 0 pixels
        using (var engine = fx.Context.Model.CreatePredictionEngine<PathRow, PathPrediction>(unlimited, new PredictionEngineOptions { OwnsTransformer = false }))
            Assert.True(float.IsFinite(engine.Predict(row).Score));

        using var uploads = small.WithBytesInput(nameof(EncodedRow.File));
        Assert.Equal(width * height - 1, uploads.MaxImagePixels);
        using (var engine = fx.Context.Model.CreatePredictionEngine<EncodedRow, PathPrediction>(uploads, new PredictionEngineOptions { OwnsTransformer = false }))
        {
            var e = Assert.Throws<InvalidOperationException>(() => engine.Predict(Rows(fx.Test.Take(1)).First()));
            Assert.Contains($"The image in column 'File' is {width}x{height} pixels", e.Message);
        }
        string zip = Path.Combine(fx.Folder, "limited.zip");
        fx.Context.Model.Save(uploads, null, zip);
        using (var loaded = (SsmAnomalyTransformer)new MLContext().Model.Load(zip, out _))
            Assert.Equal(SsmAnomalyDetectionOptions.DefaultMaxImagePixels, loaded.MaxImagePixels);   // a limit of the server, not the model
        Assert.Throws<ArgumentOutOfRangeException>(() => fx.Model.WithMaxImagePixels(-1));
    }

    [Fact]
    public void A_byte_vector_model_refuses_another_input_type()
    {
        using var model = Train();
        var paths = fx.Context.Data.LoadFromEnumerable(new[] { new FileNameRow { File = "a.png" } });
        var e = Assert.ThrowsAny<Exception>(() => model.Transform(paths));
        Assert.Contains("vector of Byte", e.Message);
    }
}
