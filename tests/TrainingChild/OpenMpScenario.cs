using SSM.Core.Torch;
using SSM.Core.Training;
using static TorchSharp.torch;

/// <summary>Whether the library leaves OpenMP helper threads behind on a thread it computed on (OpenMpPool): after
/// loading libtorch (the oneDNN probe computes) and after training; and whether <see cref="TorchThreads.ReleaseHelpers"/>
/// ends a computation's. libgomp's helpers are unnamed, so they carry the name
/// of the thread that started them, which this scenario sets.</summary>
internal static class OpenMpScenario
{
    public static void Run()
    {
        int loaded = -1, computed = -1, released = -1, trained = -1;
        Within("ssm-loader", () =>
        {
            TorchNative.EnsureLoaded();
            loaded = Helpers("ssm-loader", settledAt: 0);
            // The control: a computation on this thread starts a pool, which the count sees.
            using (var sum = ones(1L << 22).sum()) { }
            computed = Helpers("ssm-loader", settledAt: get_num_threads() - 1);
            TorchThreads.ReleaseHelpers();
            released = Helpers("ssm-loader", settledAt: 0);
        });
        Within("ssm-trainer", () =>
        {
            var (images, options) = CheckpointScenario.Create(epochs: 1, checkpointFolder: null);
            using var model = SsmTrainer.Train(images, options);
            trained = Helpers("ssm-trainer", settledAt: 0);
        });
        Console.WriteLine($"threads {get_num_threads()} loaded {loaded} computed {computed} released {released} trained {trained}");
    }

    private static void Within(string name, Action work)
    {
        var thread = new Thread(() => work()) { Name = name };
        thread.Start();
        thread.Join();
    }

    /// <summary>The process's threads named <paramref name="name"/> other than the calling one, once they number
    /// <paramref name="settledAt"/> or after two seconds: helpers end a moment after their pool is released.</summary>
    private static int Helpers(string name, int settledAt)
    {
        int count = 0;
        for (int i = 0; i < 40; i++)
        {
            count = Directory.GetDirectories("/proc/self/task").Count(t => Comm(t) == name) - 1;
            if (count == settledAt) break;
            Thread.Sleep(50);
        }
        return count;
    }

    private static string? Comm(string task)
    {
        try { return File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n'); }
        catch (IOException) { return null; }   // the thread ended meanwhile
    }
}
