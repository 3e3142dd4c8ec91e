using System.Runtime.InteropServices;

namespace SSM.Core.Torch;

/// <summary>
/// Keeps glibc's malloc from handing libtorch's large tensors back to the operating system after every use. By default
/// glibc serves each block of 32 MB or more with its own mmap and unmaps it when freed, and trims the heap's free top,
/// so the next tensor of that size faults in every page again, zero-filled by the kernel. Training and scoring allocate
/// and free such tensors at every step (libtorch's unfolded input of a full-resolution convolution: 56 MB for a training
/// batch at 64 px), and on a 2-core AMD EPYC virtual machine of 2026-12-02, where a page fault is expensive, that was
/// most of the time: a float32 matmul writing a fresh 56 MB result took 105 ms against 5.5 ms into reused memory; a
/// training step of the default network 689 ms against 278 ms, a scoring call 3.6 s against 0.49 s (examples/Benchmarks
/// <c>speed</c>, one run each; docs/platform.md, "glibc's malloc and libtorch's large tensors").
/// With mmap off for malloc and the trim threshold raised, freed blocks stay in the heap and are reused: the process
/// keeps the memory of its largest step instead of returning it between steps, and returns it when training ends
/// (<see cref="ReturnFreeMemory"/>) or when more than <see cref="TrimThresholdBytes"/> lies free at the heap's top.
/// </summary>
/// <remarks>
/// Linux with glibc only; process-wide, applied once when libtorch loads. Left alone when <c>GLIBC_TUNABLES</c> already
/// sets a <c>glibc.malloc</c> tunable (the user's own choice), or when the environment variable <c>SSM_NATIVE_HEAP</c>
/// is <c>system</c>.
/// </remarks>
public static class NativeHeap
{
    /// <summary>The free memory glibc may keep at the top of its heap before returning it: larger than any step's tensors.</summary>
    internal const long TrimThresholdBytes = 1L << 30;

    private const int MTrimThreshold = -1, MMmapMax = -4;   // glibc's mallopt parameters (malloc.h)

    private static readonly Lazy<bool> tuned = new(Tune);

    /// <summary>True when this process's glibc malloc was set to keep freed tensors' memory (see the class remarks).</summary>
    public static bool Tuned => tuned.Value;

    /// <summary>Applies the setting once; <see cref="TorchNative.EnsureLoaded"/> calls it.</summary>
    public static void Ensure() => _ = tuned.Value;

    /// <summary>Why the setting is left alone in an environment, or null when it applies (on glibc).</summary>
    internal static string? OptedOut(Func<string, string?> environment)
    {
        if (string.Equals(environment("SSM_NATIVE_HEAP"), "system", StringComparison.OrdinalIgnoreCase))
            return "SSM_NATIVE_HEAP=system";
        if (environment("GLIBC_TUNABLES")?.Contains("glibc.malloc.", StringComparison.Ordinal) == true)
            return "GLIBC_TUNABLES sets malloc";
        return null;
    }

    /// <summary>
    /// Hands the heap's free memory back to the system (glibc's malloc_trim) when the setting applies: after a stretch of
    /// work whose tensors will not come again soon, as <see cref="Training.SsmTrainer"/> does when training ends. A no-op
    /// elsewhere.
    /// </summary>
    public static void ReturnFreeMemory()
    {
        if (Tuned && Glibc<MallocTrim>("malloc_trim") is { } trim) trim(0);
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int Mallopt(int parameter, int value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int MallocTrim(nuint pad);

    private static bool Tune()
    {
        if (!OperatingSystem.IsLinux() || OptedOut(Environment.GetEnvironmentVariable) is not null ||
            Glibc<Mallopt>("mallopt") is not { } mallopt) return false;
        // The threshold is an int here: glibc's mallopt takes one.
        return mallopt(MTrimThreshold, (int)TrimThresholdBytes) == 1 && mallopt(MMmapMax, 0) == 1;
    }

    /// <summary>glibc, loaded once; zero in another C library (musl's mallopt ignores these parameters), which
    /// gnu_get_libc_version tells apart.</summary>
    private static readonly Lazy<IntPtr> glibc = new(() =>
        NativeLibrary.TryLoad("libc.so.6", out IntPtr libc) && NativeLibrary.TryGetExport(libc, "gnu_get_libc_version", out _) ? libc : IntPtr.Zero);

    /// <summary>A function of glibc's; null elsewhere.</summary>
    private static T? Glibc<T>(string name) where T : Delegate =>
        glibc.Value != IntPtr.Zero && NativeLibrary.TryGetExport(glibc.Value, name, out IntPtr address)
            ? Marshal.GetDelegateForFunctionPointer<T>(address)
            : null;
}
