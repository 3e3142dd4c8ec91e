using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using SSM.Cli.Outputs;
using SSM.Core.Torch;

namespace SSM.Cli.Commands;

/// <summary>Options of the commands that run a model (train, evaluate, predict).</summary>
public class ModelSettings : CommonSettings
{
    [CommandOption("--device <DEVICE>")]
    [Description("cpu, cuda or cuda:N, any letter case (the GPU to use; needs a CUDA build: -p:TorchBackend=cuda-linux or cuda-windows).")]
    [DefaultValue("cpu")]
    public string Device { get; set; } = "cpu";

    [CommandOption("--threads <N>")]
    [Description("CPU threads the network computes with (default: all cores, the fastest for one command alone). When several " +
                 "ssm commands or other libtorch programs run at once on one machine, give each 1 (or cores / programs): " +
                 "with all cores each, their threads spin waiting for each other and each runs several times slower.")]
    public int? Threads { get; set; }

    [CommandOption("--max-megapixels <N>")]
    [Description("Refuse images of more megapixels than this (read from each file's header before anything is decoded), as Pillow " +
                 "does above 179: a 1 MB PNG can declare 20000 x 20000 and take 5-10 GB to decode. 0 = no limit.")]
    [DefaultValue(180.0)]
    public double MaxMegapixels { get; set; } = 180;

    /// <summary><see cref="MaxMegapixels"/> in pixels; 0 for no limit.</summary>
    public long MaxPixels => (long)Math.Round(MaxMegapixels * 1e6);

    public override ValidationResult Validate()
    {
        var common = base.Validate();
        if (!common.Successful) return common;
        if (!DeviceName.TryParse(Device, out _))
            return ValidationResult.Error($"--device must be cpu, cuda or cuda:N (got '{Device}').");
        if (Threads is < 1) return ValidationResult.Error($"--threads must be at least 1 (got {Threads}).");
        // More than the machine's cores gains nothing, and libtorch starts every one: a review's --threads 99999 started
        // 32,000 threads and ran for minutes before the first check.
        if (Threads > MaxThreads)
            return ValidationResult.Error($"--threads must be at most {MaxThreads}, four times this machine's {Environment.ProcessorCount} cores (got {Threads}).");
        if (!(MaxMegapixels >= 0 && MaxMegapixels <= 1e6)) return ValidationResult.Error($"--max-megapixels must be from 0 (no limit) to 1000000 (got {MaxMegapixels}).");
        return ValidationResult.Success();
    }

    /// <summary>The most <c>--threads</c> accepted: four times the machine's logical cores.</summary>
    public static int MaxThreads => 4 * Environment.ProcessorCount;

    /// <summary>Applies <see cref="Threads"/> until disposed, so a command run in-process (the tests, the examples) leaves the
    /// caller's count as it found it.</summary>
    public IDisposable UseThreads() => TorchThreads.Use(Threads);

    /// <summary>
    /// Refuses an output folder that holds images the command reads (the folders of <paramref name="inputFiles"/>): outputs
    /// written among the inputs (predict's heat maps above all) would be read as inputs by the next run on that folder.
    /// Folders are compared as full, normalised paths (ignoring letter case where the file system usually does).
    /// </summary>
    /// <param name="command">"ssm train", for the message.</param>
    /// <exception cref="CliException">Exit code 2: the output is one of those folders.</exception>
    public void RefuseOutputAmong(IEnumerable<string> inputFiles, string command)
    {
        string output = FullFolder(Output), real = RealFolder(output);
        // Links followed once a folder, not once an image: a folder of thousands of images is one folder.
        if (inputFiles.Select(f => Path.GetDirectoryName(Path.GetFullPath(f))).OfType<string>().Distinct(StringComparer.Ordinal)
                .Any(f => string.Equals(RealFolder(f), real, PathComparison)))
            throw new CliException($"--output '{output}' is a folder {command} reads images from; its outputs would be mixed with " +
                                   "the input and read by the next run on it. Give another --output folder.") { ExitCode = 2 };
    }

    /// <summary>
    /// Refuses an output folder whose model.zip is <paramref name="model"/>, the model the command reads: it writes a model.zip of
    /// its own there, and the one read would be lost (a review's <c>evaluate --threshold</c> replaced the only copy of a model,
    /// and a fine-tuning its starting model, whose record then named a network no longer there).
    /// </summary>
    /// <param name="option">How the model is given, for the message ("&lt;MODEL&gt;", "--from").</param>
    /// <exception cref="CliException">Exit code 2: it is.</exception>
    public void RefuseOutputHoldingModel(string model, string command, string option)
    {
        string full = Path.GetFullPath(model);
        if (string.Equals(Path.GetFileName(full), OutputFiles.Model, PathComparison) && SameFolder(Path.GetDirectoryName(full)!, Output))
            throw new CliException($"--output '{FullFolder(Output)}' holds the model {option} reads ('{full}'): {command} writes a model.zip " +
                                   "of its own there, and that model would be lost. Give another --output folder.") { ExitCode = 2 };
    }

    /// <summary>Refuses an output folder at or below <paramref name="root"/>, which a recursive command reads entirely.</summary>
    public void RefuseOutputInside(string root, string command)
    {
        string output = FullFolder(Output), inside = FullFolder(root);
        if (SameFolder(output, inside) || IsInside(output, inside))
            throw new CliException($"--output '{output}' is inside '{inside}', which {command} reads with all its subfolders; its " +
                                   "outputs would be read by the next run on it. Give an --output folder outside it.") { ExitCode = 2 };
    }

    /// <summary>The full path of a folder without a trailing separator.</summary>
    internal static string FullFolder(string folder) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));

    /// <summary>True when two folder paths name the same folder: full, normalised ("a/./b/../b/" is "a/b"), links followed,
    /// letter case ignored on Windows and macOS, whose file systems ignore it by default.</summary>
    internal static bool SameFolder(string a, string b) => string.Equals(RealFolder(a), RealFolder(b), PathComparison);

    /// <summary>True when <paramref name="folder"/> lies below <paramref name="root"/> (not at it), compared as <see cref="SameFolder"/> does.</summary>
    internal static bool IsInside(string folder, string root) => RealFolder(folder).StartsWith(RealFolder(root) + Path.DirectorySeparatorChar, PathComparison);

    /// <summary>
    /// <see cref="FullFolder"/> with every link among its existing folders followed: an --output that is a link to the input
    /// folder (or lies below one) is that folder, and a security review's outputs landed among the inputs through one. The
    /// part that does not exist yet is kept as given.
    /// </summary>
    internal static string RealFolder(string folder)
    {
        string path = FullFolder(folder);
        string root = Path.GetPathRoot(path) ?? "", real = root;
        var parts = path[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < parts.Length; i++)
        {
            string next = Path.Combine(real, parts[i]);
            try
            {
                // A chain of links resolved to its end; its target may itself lie below links, so it is made real in turn
                // (a loop of links is no folder: Directory.Exists is false there, and the rest is kept as given).
                if (Directory.Exists(next) && new DirectoryInfo(next).ResolveLinkTarget(returnFinalTarget: true) is { } target)
                    next = RealFolder(target.FullName);
            }
            // A link that cannot be read (no permission on its folder) is kept as given: no output is written through it either.
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            real = next;
        }
        return Path.TrimEndingDirectorySeparator(real);
    }

    private static StringComparison PathComparison =>
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>The TorchSharp device string: "cpu" or "cuda:N".</summary>
    public string TorchDevice => DeviceName.Canonical(Device);

    // The number of "cuda:N" (TorchDevice's form), for a CUDA device.
    private int CudaIndex => int.Parse(TorchDevice[5..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True for a CUDA device, after checking it is there: a command fails before any work, in the option's words.</summary>
    /// <exception cref="CliException">CUDA is not available, or the device number is not one of the machine's.</exception>
    public bool RequireDevice()
    {
        if (!TorchDevice.StartsWith("cuda:", StringComparison.Ordinal)) return false;
        TorchNative.EnsureLoaded();
        if (!TorchSharp.torch.cuda.is_available())
            throw new CliException($"--device {Device} was asked for, but CUDA is not available (a CPU build of TorchSharp, or no GPU). " +
                                   "Build with -p:TorchBackend=cuda-linux or cuda-windows on a machine with a GPU, or use --device cpu.");
        if (DeviceName.Missing(CudaIndex, TorchSharp.torch.cuda.device_count()) is { } missing)
            throw new CliException($"--device {Device} was asked for, but {missing}. Use one of those, or --device cpu.");
        return true;
    }

    /// <summary>Says so when libtorch's oneDNN convolutions computed wrongly on this machine and were turned off
    /// (<see cref="OneDnnCheck"/>): the results are right, and slower than on a machine where oneDNN works. Training says it
    /// through ML.NET's log.</summary>
    public static void WarnIfConvolutionsMended(Warnings warnings)
    {
        TorchNative.EnsureLoaded();
        if (OneDnnCheck.Finding is { } mended) warnings.Write(mended);
    }

    /// <summary>An MLContext whose loaded models run on <see cref="Device"/> (ML.NET's GpuDeviceId, without falling back to the CPU).</summary>
    /// <exception cref="CliException">A CUDA device was asked for and CUDA is not available, or it is not one of the machine's.</exception>
    public Microsoft.ML.MLContext CreateContext()
    {
        var mlContext = new Microsoft.ML.MLContext(seed: 0);   // scoring draws nothing at random: its masks are the model's
        if (RequireDevice())
        {
            mlContext.GpuDeviceId = CudaIndex;
            mlContext.FallbackToCpu = false;
        }
        return mlContext;
    }
}
