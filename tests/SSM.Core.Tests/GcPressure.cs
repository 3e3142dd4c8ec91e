namespace SSM.Core.Tests;

/// <summary>
/// A thread that collects garbage and runs finalizers non-stop while it lives: it makes TorchSharp's temporary-scalar
/// race (see <c>SSM.Core.Torch.Scalars</c>) show within a second wherever a scalar is not kept alive.
/// </summary>
public sealed class GcPressure : IDisposable
{
    private readonly Thread collector;
    private volatile bool stop;

    public GcPressure()
    {
        collector = new Thread(() => { while (!stop) { GC.Collect(); GC.WaitForPendingFinalizers(); } }) { IsBackground = true };
        collector.Start();
    }

    /// <summary>Runs <paramref name="action"/> over and over for <paramref name="duration"/>.</summary>
    public static void Repeat(TimeSpan duration, Action action)
    {
        using var pressure = new GcPressure();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        do action(); while (clock.Elapsed < duration);
    }

    public void Dispose()
    {
        stop = true;
        collector.Join();
    }
}
