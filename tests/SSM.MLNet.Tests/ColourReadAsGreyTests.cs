using Microsoft.ML;
using SSM.Core.Data;
using SSM.Core.Tests.Data;

namespace SSM.MLNet.Tests;

/// <summary>Colour training images read by a grey model (Channels 1, the default) are trained on by their luminance, with a
/// warning; grey pictures, grey files and colour models warn nothing.</summary>
public sealed class ColourReadAsGreyTests
{
    private const int Size = 16;

    private sealed class PathRow
    {
        public string ImagePath { get; set; } = "";
        public byte[] File { get; set; } = [];
    }

    private enum Input { Pictures, Paths, Bytes }

    /// <summary>The colour warning of a Fit on 8 generated images (colour or grey files), as pictures, paths or the files'
    /// bytes, or null.</summary>
    private static string? Warning(bool colourFiles, Input input, int channels = 1, bool toGrayscale = false)
    {
        using var temp = new TempFolder();
        string folder = temp.Path;
        var rows = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = Size, Channels = colourFiles ? 3 : 1, TrainCount = 8, TestGoodCount = 0, TestDefectCount = 0 })
            .Train.Select((image, i) =>
            {
                string path = Path.Combine(folder, $"{i}.png");
                ImageFile.Save(image, path);
                return new PathRow { ImagePath = path, File = File.ReadAllBytes(path) };
            }).ToList();
        return FitWarnings.Of(context =>
        {
            var options = new SsmAnomalyDetectionOptions { ImageSize = Size, Channels = channels, BaseWidth = 4, Depth = 2, Epochs = 1 };
            if (input != Input.Pictures) options.InputColumnName = input == Input.Paths ? nameof(PathRow.ImagePath) : nameof(PathRow.File);
            var detect = context.Transforms.DetectAnomaliesSsm(options);
            IEstimator<ITransformer> load = context.Transforms.LoadImages("Image", folder, nameof(PathRow.ImagePath));
            if (toGrayscale) load = load.Append(context.Transforms.ConvertToGrayscale("Image"));
            IEstimator<ITransformer> pipeline = input == Input.Pictures ? load.Append(detect) : detect;
            return pipeline.Fit(context.Data.LoadFromEnumerable(rows));
        }).SingleOrDefault(w => w.StartsWith("SSM: the training images in column", StringComparison.Ordinal));
    }

    [Fact]
    public void Colour_pictures_and_colour_files_read_in_grey_are_warned_of()
    {
        Assert.Equal("SSM: the training images in column 'Image' are in colour, and the model reads grey (Channels = 1, the default): it " +
                     "reads them by their luminance, so a defect of colour alone will be invisible to it. Set Channels = 3 to train in " +
                     "colour, or convert the pictures to grey first (ConvertToGrayscale) to say grey is meant.", Warning(colourFiles: true, Input.Pictures));
        Assert.EndsWith("Set Channels = 3 to train in colour.", Warning(colourFiles: true, Input.Paths));
        Assert.StartsWith("SSM: the training images in column 'File' are in colour", Warning(colourFiles: true, Input.Bytes));
    }

    private sealed class PictureRow
    {
        [Microsoft.ML.Transforms.Image.ImageType(Size, Size)] public Microsoft.ML.Data.MLImage Image { get; set; } = null!;
    }

    /// <summary>Pictures held in memory are the data's own: Fit looks at them for colour, and they stay usable after it.</summary>
    [Fact]
    public void Pictures_held_in_memory_are_looked_at_not_disposed()
    {
        var images = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = Size, Channels = 3, TrainCount = 8, TestGoodCount = 0, TestDefectCount = 0 }).Train;
        var rows = images.Select(image =>
        {
            int plane = Size * Size;
            var bgra = new byte[4 * plane];
            for (int i = 0; i < plane; i++)
                (bgra[4 * i], bgra[4 * i + 1], bgra[4 * i + 2], bgra[4 * i + 3]) =
                    ((byte)(255 * image.Pixels[2 * plane + i]), (byte)(255 * image.Pixels[plane + i]), (byte)(255 * image.Pixels[i]), 255);
            return new PictureRow { Image = Microsoft.ML.Data.MLImage.CreateFromPixels(Size, Size, Microsoft.ML.Data.MLPixelFormat.Bgra32, bgra) };
        }).ToList();
        var warnings = FitWarnings.Of(context => context.Transforms.DetectAnomaliesSsm(new SsmAnomalyDetectionOptions
        {
            ImageSize = Size, BaseWidth = 4, Depth = 2, Epochs = 1,
        }).Fit(context.Data.LoadFromEnumerable(rows)));
        Assert.Contains(warnings, w => w.StartsWith("SSM: the training images in column 'Image' are in colour", StringComparison.Ordinal));
        Assert.All(rows, r => Assert.Equal(Size, r.Image.Width));   // not disposed
    }

    [Fact]
    public void Grey_images_colour_models_and_pictures_made_grey_warn_nothing()
    {
        Assert.Null(Warning(colourFiles: false, Input.Pictures));    // LoadImages gives BGRA with equal channels
        Assert.Null(Warning(colourFiles: false, Input.Paths));
        Assert.Null(Warning(colourFiles: false, Input.Bytes));
        Assert.Null(Warning(colourFiles: true, Input.Bytes, channels: 3));
        Assert.Null(Warning(colourFiles: true, Input.Pictures, channels: 3));
        Assert.Null(Warning(colourFiles: true, Input.Paths, channels: 3));
        Assert.Null(Warning(colourFiles: true, Input.Pictures, toGrayscale: true));
    }
}
