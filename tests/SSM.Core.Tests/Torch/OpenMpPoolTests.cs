namespace SSM.Core.Tests.Torch;

/// <summary>libgomp keeps OpenMP helper threads for every thread that has computed; with more of them than cores, a
/// training step on another thread slept about 1000 times (OpenMpPool). The library must not leave helpers behind on a
/// thread it computed on for its own reasons.</summary>
public sealed class OpenMpPoolTests
{
    [LinuxFact]
    public void Loading_and_training_leave_no_OpenMP_helper_threads_behind_and_a_program_can_end_its_own()
    {
        var m = TrainingChildProcess.Run("openmp", @"threads (\d+) loaded (-?\d+) computed (-?\d+) released (-?\d+) trained (-?\d+)");
        int threads = int.Parse(m.Groups[1].Value);
        if (threads < 2) return;   // one torch thread: no helpers to leave

        Assert.Equal(threads - 1, int.Parse(m.Groups[3].Value));   // the control: a computation's helpers are seen
        Assert.Equal(0, int.Parse(m.Groups[2].Value));             // after TorchNative.EnsureLoaded's probe
        Assert.Equal(0, int.Parse(m.Groups[4].Value));             // after TorchThreads.ReleaseHelpers, the control's
        Assert.Equal(0, int.Parse(m.Groups[5].Value));             // after SsmTrainer.Train
    }
}
