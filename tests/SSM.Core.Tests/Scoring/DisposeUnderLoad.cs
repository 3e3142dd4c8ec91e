using System.Collections.Concurrent;

namespace SSM.Core.Tests.Scoring;

/// <summary>What a server does when it reloads its model: threads call the model in a loop while it is disposed.</summary>
internal static class DisposeUnderLoad
{
    /// <summary>
    /// Starts <paramref name="threads"/> threads, each calling what <paramref name="caller"/> makes for it until a call throws;
    /// runs <paramref name="dispose"/> once <paramref name="callsFirst"/> calls have succeeded (or every thread has stopped) and waits for
    /// the threads. Returns how many calls succeeded and what each thread stopped with.
    /// </summary>
    public static (int Succeeded, Exception[] Failures) Run(Func<Action> caller, Action dispose, int threads = 4, int callsFirst = 20)
    {
        int succeeded = 0;
        var failures = new ConcurrentBag<Exception>();
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            try
            {
                var call = caller();
                while (true)
                {
                    call();
                    Interlocked.Increment(ref succeeded);
                }
            }
            catch (Exception e) { failures.Add(e); }
        })).ToList();
        workers.ForEach(t => t.Start());
        // No time limit: a slow machine must not fail the count (a hung call would hang the Join below in any case).
        SpinWait.SpinUntil(() => Volatile.Read(ref succeeded) >= callsFirst || failures.Count == threads);
        dispose();
        workers.ForEach(t => t.Join());
        return (succeeded, [.. failures]);
    }
}
