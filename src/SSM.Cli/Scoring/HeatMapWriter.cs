using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using SSM.MLNet;

namespace SSM.Cli.Scoring;

/// <summary>
/// Draws heat maps (and predicted masks) on worker threads while the network scores the next images, through a queue of a few maps: a folder of
/// any size holds only those in memory. (<c>predict</c> kept every image's map until all were scored: side² floats an
/// image, 2.6 GB for 10,000 images at 256 px.) Each picture is drawn alone, so the files are the same on any number of
/// threads.
/// </summary>
public sealed class HeatMapWriter : IDisposable
{
    private readonly BlockingCollection<(string? HeatMap, string? Mask, string ImagePath, float[] Map, Action? Written)> queue;
    private readonly CancellationTokenSource stop;
    private readonly Task[] workers;
    private int pending;
    private ExceptionDispatchInfo? failure;

    /// <param name="model">The model that scored the images (the pictures' colours come from it, not from the run).</param>
    /// <param name="folder">Where the files go: each picture's file name is relative to it.</param>
    /// <param name="threads">Pictures drawn at once; as many maps wait in the queue.</param>
    /// <param name="cancellation">Stops the drawing (a stopped command).</param>
    /// <param name="maxSide">A heat map's longest side at most (<see cref="SsmHeatMap.ToPng(SsmAnomalyTransformer, string, float[], int)"/>).</param>
    public HeatMapWriter(SsmAnomalyTransformer model, string folder, int threads, CancellationToken cancellation, int maxSide = SsmHeatMap.DefaultMaxSide)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        queue = new(boundedCapacity: threads);
        workers = [.. Enumerable.Range(0, threads).Select(_ => Task.Factory.StartNew(() => Draw(model, folder, maxSide),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default))];
    }

    /// <summary>Heat maps added and not yet written.</summary>
    public int Pending => Volatile.Read(ref pending);

    /// <summary>Queues an image's heat map and predicted mask (<see cref="SsmHeatMap.PredictedMask(SsmAnomalyTransformer, string, float[])"/>),
    /// either of which may be null; waits while the queue is full. <paramref name="written"/> is called once both are written
    /// (on a worker thread).</summary>
    /// <exception cref="OperationCanceledException">The command was stopped.</exception>
    /// <exception cref="Exception">A picture before this one failed (a file gone since it was scored): that failure, as itself.</exception>
    public void Add(string? heatMap, string? mask, string imagePath, float[] map, Action? written = null)
    {
        Interlocked.Increment(ref pending);
        try { queue.Add((heatMap, mask, imagePath, map, written), stop.Token); }
        catch (OperationCanceledException)
        {
            failure?.Throw();
            throw;
        }
    }

    /// <summary>Waits until every heat map added is written; throws the first failure as itself.</summary>
    public void Finish()
    {
        queue.CompleteAdding();
        Task.WaitAll(workers);
        failure?.Throw();
        stop.Token.ThrowIfCancellationRequested();
    }

    private void Draw(SsmAnomalyTransformer model, string folder, int maxSide)
    {
        try
        {
            foreach (var (heatMap, mask, imagePath, map, written) in queue.GetConsumingEnumerable(stop.Token))
            {
                if (heatMap is not null) Write(Path.Combine(folder, heatMap), SsmHeatMap.ToPng(model, imagePath, map, maxSide));
                if (mask is not null) Write(Path.Combine(folder, mask), SsmHeatMap.PredictedMask(model, imagePath, map).ToPng());
                written?.Invoke();
                Interlocked.Decrement(ref pending);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
            stop.Cancel();
        }
    }

    private static void Write(string path, byte[] png)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, png);
    }

    /// <summary>Stops the workers (a command that failed or was stopped before <see cref="Finish"/>) and waits for them.</summary>
    public void Dispose()
    {
        queue.CompleteAdding();
        stop.Cancel();
        Task.WaitAll(workers);
        stop.Dispose();
        queue.Dispose();
    }
}
