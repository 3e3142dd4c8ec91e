using SSM.Core.Data;

namespace SSM.Cli.Running;

/// <summary>Opens a dataset folder and checks every file up front, so bad input fails with one clear message before training.</summary>
public static class DatasetInput
{
    /// <summary>Minimum training images (the engine holds some out for calibration).</summary>
    public const int MinTrainImages = 4;

    /// <summary>Lists an MVTec-layout folder (or a plain folder of good images) and decodes every image and mask once.</summary>
    /// <exception cref="CliException">Missing folder, no/too few images, unreadable image, defect without mask, mask of another size.</exception>
    public static MvtecDataset Open(string folder, bool needTrain, bool needTest)
    {
        if (string.IsNullOrWhiteSpace(folder)) throw new CliException("No dataset folder was given.");
        string full = Path.GetFullPath(folder);
        if (File.Exists(full)) throw new CliException($"'{full}' is a file; give the dataset folder.");
        if (!Directory.Exists(full)) throw new CliException($"Dataset folder '{full}' does not exist.");
        MvtecDataset data;
        try { data = MvtecFolder.Load(full); }
        catch (Exception ex) when (ex is DirectoryNotFoundException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new CliException(ex.Message, ex);
        }
        if (needTrain && data.TrainPaths.Count < MinTrainImages)
            throw new CliException($"'{full}' holds {data.TrainPaths.Count} training image(s); at least {MinTrainImages} defect-free images are needed.");
        if (needTest && data.TestItems.Count == 0)
            throw new CliException($"'{full}' has no test images: expected test/good and test/<defect> folders (MVTec layout).");
        if (needTrain) foreach (string path in data.TrainPaths) CheckImage(path);
        if (needTest)
        {
            foreach (var item in data.TestItems)
            {
                try { data.LoadTest(item); }
                catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException or IOException)
                {
                    throw new CliException($"Cannot use test image '{item.Path}': {ex.Message}", ex);
                }
            }
        }
        return data;
    }

    /// <summary>Image files of a folder (sorted), or the file itself.</summary>
    public static IReadOnlyList<string> ImagesOf(string input)
    {
        string full = Path.GetFullPath(input);
        if (File.Exists(full))
        {
            CheckImage(full);
            return [full];
        }
        if (!Directory.Exists(full)) throw new CliException($"Input '{full}' does not exist.");
        string[] files = [.. Directory.EnumerateFiles(full)
            .Where(p => MvtecFolder.ImageExtensions.Contains(Path.GetExtension(p), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)];
        if (files.Length == 0)
            throw new CliException($"'{full}' holds no image files ({string.Join(" ", MvtecFolder.ImageExtensions)}).");
        foreach (string f in files) CheckImage(f);
        return files;
    }

    /// <summary>Decodes the file once; a corrupt or non-image file becomes a <see cref="CliException"/> naming it.</summary>
    public static void CheckImage(string path)
    {
        try { ImageFile.Load(path); }
        catch (Exception ex) when (ex is InvalidDataException or FileNotFoundException or IOException)
        {
            throw new CliException($"Cannot read image '{path}': {ex.Message}", ex);
        }
    }
}
