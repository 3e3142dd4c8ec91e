using Spectre.Console;
using SSM.Cli.Training;

namespace SSM.Cli.Scoring;

/// <summary>
/// Shows the progress of scoring many images (or of writing them: <c>generate --from</c>): a live bar on an interactive
/// terminal, a line as the count passes each tenth of the images and at the last one otherwise: for 100 images or more,
/// and for fewer once they have taken
/// <see cref="QuietFor"/> (most small sets take seconds, but a tiled model or large photos score 99 images for minutes).
/// Stops between images when the command is cancelled.
/// </summary>
public static class ScoringProgressView
{
    /// <summary>How long fewer than 100 images score without a line.</summary>
    public static readonly TimeSpan QuietFor = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="work"/>, which reports how many of the <paramref name="count"/> images are done.</summary>
    /// <param name="elapsed">The time since the start; a stopwatch's unless a test gives its own.</param>
    /// <param name="words">What is done to the images, as "Scoring" and "scored" (the default) say it.</param>
    /// <param name="live">Whether to draw the live bar; null = when <see cref="TrainingProgressView.IsLive"/>.</param>
    public static T Run<T>(IAnsiConsole console, string what, int count, CancellationToken cancellation,
        Func<Action<int>, T> work, Func<TimeSpan>? elapsed = null, (string Doing, string Done)? words = null, bool? live = null)
    {
        var (doing, finished) = words ?? ("Scoring", "scored");
        if (!(live ?? TrainingProgressView.IsLive(console)))
        {
            console.WriteLine($"{doing} {count} {(count == 1 ? what.TrimEnd('s') : what)}...");
            int step = Math.Max(1, (count + 9) / 10), next = step;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            elapsed ??= () => clock.Elapsed;
            return work(done =>
            {
                cancellation.ThrowIfCancellationRequested();
                if (done < next && done < count) return;
                var time = elapsed();
                if (count < 100 && time < QuietFor) return;
                console.WriteLine($"  {finished} {done} of {count} {Pace(done, count, time)}");
                // The next tenth after this count: a count that jumps (predict's images are done once drawn, a few at a
                // time) gives one line a tenth, not one an image until the mark catches up.
                next = (done / step + 1) * step;
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
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        // Large photos at a large size score slower than one a second: "0.0 per second" would say nothing.
        string pace = rate >= 1 ? $"{rate.ToString(rate < 10 ? "0.0" : "0", invariant)} per second"
            : $"{(1 / rate).ToString(rate > 0.1 ? "0.0" : "0", invariant)} s each";
        string left = done < count ? $", about {Duration(TimeSpan.FromSeconds((count - done) / rate))} left" : "";
        return $"({Duration(elapsed)}, {pace}{left})";
    }

    private static string Duration(TimeSpan t)
    {
        long seconds = (long)Math.Round(t.TotalSeconds, MidpointRounding.AwayFromZero);
        return seconds < 60 ? $"{seconds} s" : seconds < 3600 ? $"{seconds / 60} min {seconds % 60} s" : $"{seconds / 3600} h {seconds % 3600 / 60} min";
    }
}
