using System.Runtime.InteropServices;

namespace SSM.Core.Torch;

/// <summary>
/// Lets go of the OpenMP helper threads libtorch started for the calling thread. libgomp, libtorch's OpenMP on Linux,
/// keeps a pool of helpers for every thread that has computed, for as long as that thread lives; once the pools together
/// hold more threads than there are cores, every helper sleeps between parallel regions instead of spinning. A program
/// that loaded the library on its main thread (the oneDNN probe computes) and trained inside <c>Task.Run</c> had two pools
/// on a 2-core machine: about 1000 sleeps and wake-ups per training step, which took a bfloat16 step from 79-91 ms to
/// 112-141 (docs/platform.md, "Training on another thread"). Releasing the pool after the probe and after training leaves
/// only the pools of threads still computing; a thread that computes again gets a new pool at its next parallel region.
/// </summary>
/// <remarks>Linux only (libgomp's <c>omp_pause_resource_all</c> frees the calling thread's pool and nothing else); a no-op
/// where the export is missing or inside a parallel region, where libgomp refuses.</remarks>
internal static class OpenMpPool
{
    private const int OmpPauseHard = 2;   // omp_pause_resource_t (OpenMP 5.0)

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int PauseResourceAll(int kind);

    /// <summary>libgomp's omp_pause_resource_all, found through libtorch_cpu, which links it; null elsewhere.</summary>
    private static readonly Lazy<PauseResourceAll?> pause = new(() =>
        OperatingSystem.IsLinux() &&
        NativeLibrary.TryLoad("libtorch_cpu.so", typeof(OpenMpPool).Assembly, null, out IntPtr torch) &&
        NativeLibrary.TryGetExport(torch, "omp_pause_resource_all", out IntPtr address)
            ? Marshal.GetDelegateForFunctionPointer<PauseResourceAll>(address)
            : null);

    /// <summary>Ends the calling thread's OpenMP helper threads, if it has any.</summary>
    public static void ReleaseCallersPool() => pause.Value?.Invoke(OmpPauseHard);
}
