using Microsoft.ML;
using SSM.Cli.Models;
using SSM.Cli.Outputs;
using SSM.Cli.Scoring;

namespace SSM.Cli.Tests;

/// <summary>The heat maps drawn beside the scoring: a bounded queue, failures and stops as themselves.</summary>
[Collection("cli")]
public sealed class HeatMapWriterTests(TrainedModelFixture fx)
{
    private (SSM.MLNet.SsmAnomalyTransformer Model, ITransformer Owner, string[] Images) Load()
    {
        var model = ModelRunner.Load(new MLContext(seed: 0), fx.Model);
        return (ModelRunner.SsmOf(model), model, Directory.GetFiles(Path.Combine(fx.Data, "test", "good"), "*.png").Order().ToArray());
    }

    [Fact]
    public void On_one_thread_writes_every_map_holding_at_most_two()
    {
        var (ssm, owner, images) = Load();
        using var _ = owner as IDisposable;
        using var staging = new OutputStaging(Path.Combine(Cli.TempFolder("writer"), "out"));
        var map = new float[ssm.ImageSize * ssm.ImageSize];
        int most = 0;
        using (var writer = new HeatMapWriter(ssm, staging.Folder, threads: 1, CancellationToken.None))
        {
            for (int i = 0; i < 30; i++)
            {
                writer.Add(Path.Combine("sub", $"{i}.png"), null, images[i % images.Length], map);
                most = Math.Max(most, writer.Pending);
            }
            writer.Finish();
            Assert.Equal(0, writer.Pending);
        }
        // One being drawn and one waiting: a folder of any size holds as few maps.
        Assert.InRange(most, 1, 2);
        Assert.Equal(30, Directory.GetFiles(Path.Combine(staging.Folder, "sub"), "*.png").Length);
    }

    [Fact]
    public void A_failed_picture_stops_the_writer_as_itself()
    {
        var (ssm, owner, images) = Load();
        using var _ = owner as IDisposable;
        using var staging = new OutputStaging(Path.Combine(Cli.TempFolder("writer-failed"), "out"));
        var map = new float[ssm.ImageSize * ssm.ImageSize];
        string gone = Path.Combine(Cli.TempFolder("writer-gone"), "gone.png");   // scored, then removed before its picture
        using var writer = new HeatMapWriter(ssm, staging.Folder, threads: 2, CancellationToken.None);
        var failure = Record.Exception(() =>
        {
            writer.Add("gone.png", null, gone, map);
            for (int i = 0; i < 200; i++) writer.Add($"{i}.png", null, images[i % images.Length], map);
            writer.Finish();
        });
        Assert.IsType<FileNotFoundException>(failure);
        Assert.Contains("gone.png", failure.Message);

        // On one thread: the scoring waiting for room in the queue is woken by the failure, not left waiting for ever.
        using var one = new HeatMapWriter(ssm, staging.Folder, threads: 1, CancellationToken.None);
        var adding = Task.Run(() =>
        {
            one.Add("gone.png", null, gone, map);
            for (int i = 0; i < 20; i++) one.Add($"{i}.png", null, images[0], map);
        });
        Assert.IsType<FileNotFoundException>(Record.Exception(() => adding.Wait(TimeSpan.FromSeconds(60)))?.InnerException);

        // The last picture failing, after every Add returned, is Finish's to throw as itself: not as a stopped command.
        using var last = new HeatMapWriter(ssm, staging.Folder, threads: 1, CancellationToken.None);
        last.Add("gone.png", null, gone, map);
        Assert.IsType<FileNotFoundException>(Record.Exception(last.Finish));
    }

    [Fact]
    public void No_thread_to_draw_on_is_refused_by_name()
    {
        var (ssm, owner, _) = Load();
        using var _ = owner as IDisposable;
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => new HeatMapWriter(ssm, Cli.TempFolder("writer-none"), threads: 0, CancellationToken.None));
        Assert.Equal("threads", refused.ParamName);
    }

    [Fact]
    public async Task A_stopped_command_wakes_a_scoring_that_waits_for_room()
    {
        var (ssm, owner, images) = Load();
        using var _ = owner as IDisposable;
        using var staging = new OutputStaging(Path.Combine(Cli.TempFolder("writer-stopped"), "out"));
        var map = new float[ssm.ImageSize * ssm.ImageSize];
        using var stop = new CancellationTokenSource();
        using var writer = new HeatMapWriter(ssm, staging.Folder, threads: 1, stop.Token);
        // One picture being drawn and one waiting fill it: the next Add waits, until the stop. Every Add that returned is
        // written, being drawn or in the queue's one place, whatever the machine's speed; without the wait they run ahead.
        int returned = 0, written = 0;
        var adding = Task.Run(() =>
        {
            for (int i = 0; i < 1_000_000; i++)
            {
                writer.Add($"{i}.png", null, images[0], map, () => Interlocked.Increment(ref written));
                Interlocked.Increment(ref returned);
            }
        });
        SpinWait.SpinUntil(() => writer.Pending >= 3 || adding.IsCompleted);
        for (int check = 0; check < 20; check++)
        {
            Assert.InRange(Volatile.Read(ref returned), 0, Volatile.Read(ref written) + 2);
            await Task.Yield();
        }
        Assert.False(adding.IsCompleted);
        stop.Cancel();
        var failure = await Record.ExceptionAsync(() => adding.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.IsAssignableFrom<OperationCanceledException>(failure);
        Assert.ThrowsAny<OperationCanceledException>(writer.Finish);
    }
}
