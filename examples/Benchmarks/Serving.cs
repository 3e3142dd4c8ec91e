using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.ML;

namespace SSM.Benchmarks;

/// <summary>
/// A web server's load without the server: clients send requests one after another, each request runs on the thread pool
/// (its thread changes between requests, as Kestrel's do) and scores one image with a PredictionEngine taken from a pool,
/// as examples/WebApi does; at most <c>--at-once</c> score at the same time, the rest wait. Prints the resident memory and
/// the requests per second every 1,000 requests: how memory follows the number scoring at once, not the number served.
/// The heap setting is the environment's (SSM_NATIVE_HEAP, MALLOC_ARENA_MAX), read when libtorch loads.
/// </summary>
internal static class Serving
{
    private sealed class Row { public string ImagePath { get; set; } = ""; }

    private sealed class Verdict
    {
        public float Score { get; set; }
        public float[] AnomalyMap { get; set; } = [];
    }

    public static int Run(Arguments a)
    {
        string model = a.String("model") ?? throw new ArgumentException("--model <model.zip> is needed: a model that reads image paths (ssm train's).");
        string images = a.String("images") ?? throw new ArgumentException("--images <folder> is needed: the images to send, read from every subfolder.");
        int clients = a.Int("clients") ?? 8, atOnce = a.Int("at-once") ?? clients, requests = a.Int("requests") ?? 8000;
        a.RejectUnknown();
        if (clients < 1 || atOnce < 1 || requests < 1) throw new ArgumentException("--clients, --at-once and --requests must be at least 1.");
        var files = Directory.GetFiles(images, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0) throw new ArgumentException($"'{images}' holds no files.");

        // Enough pool threads that every client's request can run at once; the gate, not the pool, limits scoring.
        ThreadPool.SetMinThreads(Math.Max(clients, Environment.ProcessorCount) * 2, Environment.ProcessorCount);
        var ml = new MLContext(seed: 0);
        var loaded = ml.Model.Load(model, out _);
        var engines = new ConcurrentBag<PredictionEngine<Row, Verdict>>();
        using var gate = new SemaphoreSlim(atOnce);
        long sent = 0;
        var clock = Stopwatch.StartNew();
        double windowStart = 0;
        Console.WriteLine($"{clients} clients, at most {atOnce} scoring at once, {requests} requests of {files.Length} images; " +
                          $"SSM_NATIVE_HEAP={Environment.GetEnvironmentVariable("SSM_NATIVE_HEAP") ?? "(unset)"}, " +
                          $"MALLOC_ARENA_MAX={Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") ?? "(unset)"}; load average {Machine.LoadAverage()}");
        Console.WriteLine("| requests | resident MB | requests / s | threads |");
        Console.WriteLine("|---|---|---|---|");

        async Task Client(int client)
        {
            var random = new Random(client);
            while (Interlocked.Increment(ref sent) is var n && n <= requests)
            {
                await Task.Yield();   // the rest of this request runs on whichever pool thread is free
                await gate.WaitAsync();
                try
                {
                    if (!engines.TryTake(out var engine))
                        engine = ml.Model.CreatePredictionEngine<Row, Verdict>(loaded, new PredictionEngineOptions { OwnsTransformer = false });
                    engine.Predict(new Row { ImagePath = files[random.Next(files.Length)] });
                    engines.Add(engine);
                }
                finally { gate.Release(); }
                if (n % 1000 == 0)
                {
                    double now = clock.Elapsed.TotalSeconds;
                    Console.WriteLine($"| {n} | {MemorySampler.Current() >> 20} | {1000 / (now - Interlocked.Exchange(ref windowStart, now)):F1} | {Threads()} |");
                }
            }
        }
        Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(() => Client(c)))).GetAwaiter().GetResult();
        Console.WriteLine($"{requests} requests in {clock.Elapsed.TotalSeconds:F0} s: {requests / clock.Elapsed.TotalSeconds:F1} a second, " +
                          $"{engines.Count} engines, {MemorySampler.Current() >> 20} MB resident, {MemorySampler.ProcessPeakMb():F0} MB at most");
        foreach (var engine in engines) engine.Dispose();
        (loaded as IDisposable)?.Dispose();
        return 0;
    }

    private static int Threads()
    {
        using var self = Process.GetCurrentProcess();
        return self.Threads.Count;
    }
}
