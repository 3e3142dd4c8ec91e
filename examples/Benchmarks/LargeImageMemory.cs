using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using SkiaSharp;
using SSM.Core.Data;
using SSM.MLNet;

namespace SSM.Benchmarks;

/// <summary>
/// What one large image costs to score: an N x N colour photo (PNG and JPEG) scored by a small model, through the model's
/// own file reading (a path column) and through ML.NET's LoadImages, each in its own process. Prints the peak working set
/// after loading the model and after scoring the image.
/// </summary>
internal static class LargeImageMemory
{
    private sealed class PathRow { public string ImagePath { get; set; } = ""; }

    public static int Run(int side)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"ssm-large-{side}-{Guid.NewGuid():N}");
        try
        {
            if (!RunChild("--large-write", side.ToString(), folder).Ok) return 1;
            Console.WriteLine($"| input | {side} x {side} file | peak after loading the model | peak after scoring | score |");
            Console.WriteLine("|---|---|---:|---:|---:|");
            foreach (string input in new[] { "path", "LoadImages" })
                foreach (string file in new[] { "large.png", "large.jpg" })
                {
                    var (ok, line) = RunChild("--large-score", folder, input, file);
                    Console.WriteLine(ok ? line : $"| {input} | {file} | failed | | |");
                }
            Console.WriteLine("Peaks are Process.PeakWorkingSet64 of the child process (the .NET runtime and libtorch included).");
            return 0;
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    private static (bool Ok, string Line) RunChild(params string[] args)
    {
        using var child = Process.Start(Machine.Self(["memory", .. args]))!;
        string output = child.StandardOutput.ReadToEnd().Trim();
        child.WaitForExit();
        return (child.ExitCode == 0, output.Split('\n').Last());
    }

    /// <summary>The child's work: "--large-write N folder" or "--large-score folder path|LoadImages file".</summary>
    public static int Child(string[] args) => args[0] == "--large-write" ? Write(int.Parse(args[1]), args[2]) : Score(args[1], args[2], args[3]);

    private static int Write(int side, string folder)
    {
        Directory.CreateDirectory(folder);
        // A colour texture with noise, so neither file compresses to nothing.
        using (var bitmap = new SKBitmap(new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Opaque)))
        {
            var rng = new Random(1);
            var pixels = new byte[4 * side * side];
            for (int y = 0; y < side; y++)
                for (int x = 0; x < side; x++)
                {
                    int i = 4 * (y * side + x), n = rng.Next(32);
                    pixels[i] = (byte)(96 + (x / 16 % 2) * 64 + n);
                    pixels[i + 1] = (byte)(96 + (y / 16 % 2) * 64 + n);
                    pixels[i + 2] = (byte)(128 + n);
                    pixels[i + 3] = 255;
                }
            System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
            foreach (var (name, format) in new[] { ("large.png", SKEncodedImageFormat.Png), ("large.jpg", SKEncodedImageFormat.Jpeg) })
            {
                using SKData encoded = bitmap.Encode(format, 90);
                File.WriteAllBytes(Path.Combine(folder, name), encoded.ToArray());
            }
        }
        var train = SyntheticDataset.Generate(new SyntheticDatasetOptions { ImageSize = 64, TrainCount = 8, TestGoodCount = 0, TestDefectCount = 0 });
        var rows = train.Train.Select((image, i) =>
        {
            string path = Path.Combine(folder, $"train{i}.png");
            ImageFile.Save(image, path);
            return new PathRow { ImagePath = path };
        }).ToList();
        var context = new MLContext(seed: 1);
        var options = new SsmAnomalyDetectionOptions { ImageSize = 64, BaseWidth = 8, Depth = 3, Epochs = 1, Channels = 3, InputColumnName = nameof(PathRow.ImagePath) };
        var data = context.Data.LoadFromEnumerable(rows);
        using (var byPath = context.Transforms.DetectAnomaliesSsm(options).Fit(data))
            context.Model.Save(byPath, data.Schema, Path.Combine(folder, "path.zip"));
        options.InputColumnName = "Image";
        var pipeline = context.Transforms.LoadImages("Image", "", nameof(PathRow.ImagePath)).Append(context.Transforms.DetectAnomaliesSsm(options));
        using (var byImage = pipeline.Fit(data))
            context.Model.Save(byImage, data.Schema, Path.Combine(folder, "LoadImages.zip"));
        return 0;
    }

    private static int Score(string folder, string input, string file)
    {
        var context = new MLContext(seed: 1);
        var model = context.Model.Load(Path.Combine(folder, input + ".zip"), out _);
        double loaded = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
        var scored = model.Transform(context.Data.LoadFromEnumerable(new[] { new PathRow { ImagePath = Path.Combine(folder, file) } }));
        float score = scored.GetColumn<float>("Score").Single();
        double peak = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
        Console.WriteLine($"| {input} | {file} | {loaded:F0} MB | {peak:F0} MB | {score:F3} |");
        (model as IDisposable)?.Dispose();
        return 0;
    }
}
