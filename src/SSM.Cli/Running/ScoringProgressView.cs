using Spectre.Console;

namespace SSM.Cli.Running;

/// <summary>
/// Shows the progress of work over many images (scoring them, drawing their heat maps): a live bar on an interactive
/// terminal, a line at every tenth of the images and at the last one otherwise (only for 100 images or more: smaller sets
/// take seconds). Stops between images when the command is cancelled.
/// </summary>
public static class ScoringProgressView
{
    /// <summary>Runs <paramref name="work"/>, which reports how many of the <paramref name="count"/> images are done.</summary>
    /// <param name="verbs">What is done to each image, as "Scoring"/"scored" (the default) or "Drawing"/"drew".</param>
    public static T Run<T>(IAnsiConsole console, string what, int count, CancellationToken cancellation,
        Func<Action<int>, T> work, (string Doing, string Done)? verbs = null)
    {
        var (doing, did) = verbs ?? ("Scoring", "scored");
        if (!TrainingProgressView.IsLive(console))
        {
            console.WriteLine($"{doing} {count} {(count == 1 ? what.TrimEnd('s') : what)}...");
            int step = Math.Max(1, (count + 9) / 10), next = step;
            return work(done =>
            {
                cancellation.ThrowIfCancellationRequested();
                if (count < 100 || done < next && done < count) return;
                console.WriteLine($"  {did} {done} of {count}");
                next += step;
            });
        }
        T result = default!;
        TrainingProgressView.Bar(console).Start(ctx =>
            {
                var task = ctx.AddTask($"{doing.ToLowerInvariant()} {count} {what}", maxValue: count);
                result = work(done =>
                {
                    cancellation.ThrowIfCancellationRequested();
                    task.Value = done;
                });
                task.Value = task.MaxValue;
                task.StopTask();
            });
        return result;
    }
}
