using Microsoft.ML;
using SSM.Core.Data;
using SSM.Core.Tests.Data;

namespace SSM.MLNet.Tests;

/// <summary>Pictures with next to no grey levels (a 12-bit scan through LoadImages) are trained on, with a warning that
/// names the path column as the way to full depth.</summary>
public sealed class DarkPicturesTests
{
    private const int Size = 16;

    private sealed class PathRow { public string ImagePath { get; set; } = ""; }

    /// <summary>The warnings of a Fit on 8 generated images scaled by <paramref name="brightness"/>, as pictures or as paths.</summary>
    private static List<string> Warnings(float brightness, bool pictures)
    {
        using var temp = new TempFolder();
        string folder = temp.Path;
        var rows = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = Size, TrainCount = 8, TestGoodCount = 0, TestDefectCount = 0 })
            .Train.Select((image, i) =>
            {
                string path = Path.Combine(folder, $"{i}.png");
                ImageFile.Save(new FloatImage(image.Channels, image.Height, image.Width, [.. image.Pixels.Select(v => v * brightness)]), path);
                return new PathRow { ImagePath = path };
            }).ToList();
        return FitWarnings.Of(context =>
        {
            var options = new SsmAnomalyDetectionOptions { ImageSize = Size, BaseWidth = 4, Depth = 2, Epochs = 1 };
            if (!pictures) options.InputColumnName = nameof(PathRow.ImagePath);
            var detect = context.Transforms.DetectAnomaliesSsm(options);
            IEstimator<ITransformer> pipeline = pictures
                ? context.Transforms.LoadImages("Image", folder, nameof(PathRow.ImagePath)).Append(detect)
                : detect;
            return pipeline.Fit(context.Data.LoadFromEnumerable(rows));
        });
    }

    private static string? DarkWarning(List<string> warnings) => warnings.SingleOrDefault(w => w.Contains("grey levels"));

    [Fact]
    public void Pictures_of_a_dozen_grey_levels_are_named_with_the_way_to_full_depth()
    {
        var warning = DarkWarning(Warnings(12f / 255f, pictures: true));
        Assert.NotNull(warning);
        Assert.Matches(@"^SSM: the brightest pixel of the training images in column 'Image' is (\d|1[0-2]) of 255, so they hold at most \d+ grey levels\.", warning);
        Assert.Contains("column of file paths", warning);
    }

    [Fact]
    public void Full_range_pictures_and_dark_files_read_by_path_warn_nothing()
    {
        Assert.Null(DarkWarning(Warnings(1f, pictures: true)));
        Assert.Null(DarkWarning(Warnings(12f / 255f, pictures: false)));   // a path column reads files as they are, 16-bit at full depth
    }
}
