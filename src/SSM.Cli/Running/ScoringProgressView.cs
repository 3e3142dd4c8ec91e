using Spectre.Console;

namespace SSM.Cli.Running;

/// <summary>
/// Shows scoring progress: a live bar on an interactive terminal, a line at every tenth of the images and at the last one otherwise (only for
/// 100 images or more: smaller sets score in seconds). Stops between images when the command is cancelled.
/// </summary>
public static class ScoringProgressView
{
    public static List<ScoredImage> Run(IAnsiConsole console, string what, int count, CancellationToken cancellation,
        Func<Action<int>, List<ScoredImage>> score)
    {
        if (!TrainingProgressView.IsLive(console))
        {
            console.WriteLine($"Scoring {count} {(count == 1 ? what.TrimEnd('s') : what)}...");
            int step = Math.Max(1, (count + 9) / 10), next = step;
            return score(done =>
            {
                cancellation.ThrowIfCancellationRequested();
                if (count < 100 || done < next && done < count) return;
                console.WriteLine($"  scored {done} of {count}");
                next += step;
            });
        }
        List<ScoredImage> result = [];
        TrainingProgressView.Bar(console).Start(ctx =>
            {
                var task = ctx.AddTask($"scoring {count} {what}", maxValue: count);
                result = score(done =>
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
