using static TorchSharp.torch;

namespace SSM.Core.Torch;

/// <summary>
/// The number of CPU threads libtorch computes with, set for a stretch of work and then given back. libtorch's setting
/// holds for the calling thread and the threads that first compute after it (a thread that computed before keeps its own
/// count, as a review's scratch program showed), and its default (every core) is the fastest for one process alone. Several processes computing at once
/// on the same cores are another matter: libtorch's OpenMP threads spin while they wait for each other, and two processes
/// of two threads on two cores slowed each other 8-12x in the contention benchmark (examples/Benchmarks, "contention");
/// one thread each kept them at the speed of one process sharing the machine.
/// </summary>
public static class TorchThreads
{
    /// <summary>Sets libtorch's CPU threads to <paramref name="threads"/> until the result is disposed (then the previous
    /// count comes back); null changes nothing.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is below 1.</exception>
    public static IDisposable Use(int? threads)
    {
        if (threads is not { } count) return Restore.Nothing;
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1, nameof(threads));
        TorchNative.EnsureLoaded();
        int previous = get_num_threads();
        set_num_threads(count);
        return new Restore(previous);
    }

    /// <summary>
    /// Ends the OpenMP helper threads libtorch keeps for the calling thread, for a thread of the program's own that computed
    /// with TorchSharp and will now wait while another computes: libgomp keeps such a pool for as long as its thread lives,
    /// and with more helpers than cores every helper sleeps between parallel regions (a bfloat16 training step on another
    /// thread took 112-141 ms instead of 79-91 with one idle pool on a 2-core machine; docs/platform.md, "Training on another
    /// thread"). The library does this itself after loading libtorch and after training; the thread gets new helpers at its
    /// next parallel region. Linux only (libgomp); a no-op elsewhere.
    /// </summary>
    public static void ReleaseHelpers() => OpenMpPool.ReleaseCallersPool();

    private sealed class Restore(int? previous) : IDisposable
    {
        public static readonly Restore Nothing = new(null);
        private int? previous = previous;

        public void Dispose()
        {
            if (previous is { } count) set_num_threads(count);
            previous = null;
        }
    }
}
