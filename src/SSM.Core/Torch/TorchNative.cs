using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace SSM.Core.Torch;

/// <summary>
/// Loads TorchSharp's native library once and, when it cannot load, says why. TorchSharp itself reports every failure as
/// a missing libtorch package reference, even when the package is there and the operating system refused the file, as
/// Debian 12 and Ubuntu 22.04 do for TorchSharp 0.107.0 (it asks for GLIBCXX_3.4.32; see docs/platform.md, "TorchSharp on
/// Debian 12 / Ubuntu 22.04"). The loader's own message names the real cause.
/// </summary>
public static class TorchNative
{
    private static volatile bool loaded;

    /// <summary>Makes sure libtorch is usable and computes right (<see cref="OneDnnCheck"/>), with glibc keeping its freed
    /// tensors' memory (<see cref="NativeHeap"/>); the training and model-loading
    /// entry points, and the network, call it first.</summary>
    /// <exception cref="InvalidOperationException">The native library cannot be loaded (the message gives the loader's reason
    /// and the fix), or its convolutions compute wrongly and cannot be mended.</exception>
    public static void EnsureLoaded()
    {
        if (loaded) return;
        NativeHeap.Ensure();
        try
        {
            InitializeDeviceType(TorchSharp.DeviceType.CPU);
        }
        catch (Exception ex) when (ex is TypeInitializationException or NotSupportedException or DllNotFoundException)
        {
            throw new InvalidOperationException(Explain(LoaderMessage()), ex);
        }
        OneDnnCheck.Ensure();
        // The probe computed on this thread, which may never compute again (a program that trains on another).
        OpenMpPool.ReleaseCallersPool();
        loaded = true;
    }

    /// <summary>The message for a failed load, given what the operating system's loader said (null: nothing found to load).</summary>
    internal static string Explain(string? loaderMessage)
    {
        if (loaderMessage is null)
            return "TorchSharp's native library (libLibTorchSharp) is not in the application's folder: reference a libtorch package " +
                   "(libtorch-cpu-linux-x64, -win-x64 or -osx-arm64, or TorchSharp-cuda-linux / -windows), which SSM.Core's package brings. " +
                   "A single-file publish must leave the native libraries beside the executable: TorchSharp cannot load them from inside " +
                   "the bundle (IncludeNativeLibrariesForSelfExtract).";
        string reason = loaderMessage.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
        if (loaderMessage.Contains("GLIBCXX_3.4.32", StringComparison.Ordinal))
            return $"TorchSharp's native library cannot load: {reason}. This system's libstdc++ is older than TorchSharp 0.107.0 asks for " +
                   "(Debian 12, Ubuntu 22.04); the library never uses what it asks for. The SSM.Core and SSM.MLNet packages patch the copy " +
                   "in your build or publish output, on any build machine, unless SsmSkipTorchNativeFix=true (a build by a version before " +
                   "2026-12-03 on a machine that had the version was left unpatched: rebuild). With a ProjectReference to this repository's projects instead, add " +
                   "<Import Project=\"<repository>/build/SSM.TorchSharpNativeFix.targets\" /> to your project file and rebuild.";
        return $"TorchSharp's native library cannot load: {reason}";
    }

    /// <summary>What the operating system's loader says about the first libLibTorchSharp found beside the application.</summary>
    private static string? LoaderMessage()
    {
        string name = OperatingSystem.IsWindows() ? "LibTorchSharp.dll" : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";
        string? file = Directory.EnumerateFiles(AppContext.BaseDirectory, name, SearchOption.AllDirectories).FirstOrDefault();
        if (file is null) return null;
        try
        {
            NativeLibrary.Free(NativeLibrary.Load(file));
            return $"{file} loads, but TorchSharp could not initialise it.";
        }
        catch (DllNotFoundException ex)
        {
            return ex.Message;
        }
    }
}
