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
            var clock = System.Diagnostics.Stopwatch.StartNew();
            return work(done =>
            {
                cancellation.ThrowIfCancellationRequested();
                if (count < 100 || done < next && done < count) return;
                console.WriteLine($"  {did} {done} of {count} {Pace(done, count, clock.Elapsed)}");
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

    /// <summary>A log line's pace, "(12 s, 9.9 per second, about 1 min 48 s left)": a cron log read later shows the throughput
    /// and whether a run stalled, which the terminal's bar shows live.</summary>
    internal static string Pace(int done, int count, TimeSpan elapsed)
    {
        double rate = done / Math.Max(elapsed.TotalSeconds, 1e-3);
        string left = done < count ? $", about {Duration(TimeSpan.FromSeconds((count - done) / rate))} left" : "";
        return $"({Duration(elapsed)}, {rate.ToString(rate < 10 ? "0.0" : "0", System.Globalization.CultureInfo.InvariantCulture)} per second{left})";
    }

    private static string Duration(TimeSpan t) => t.TotalSeconds < 60 ? $"{Math.Round(t.TotalSeconds):0} s"
        : t.TotalHours < 1 ? $"{(int)t.TotalMinutes} min {t.Seconds} s" : $"{(int)t.TotalHours} h {t.Minutes} min";
}
