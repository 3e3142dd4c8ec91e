using SSM.Core.Torch;

namespace SSM.Core.Tests.Torch;

/// <summary>glibc's default malloc returned every large tensor's pages to the system when it was freed, and the page faults
/// made a training step 2.5x and a scoring call 7x slower on a Zen 5 virtual machine (NativeHeap): a freed tensor's memory
/// must be reused.</summary>
public sealed class NativeHeapTests
{
    [LinuxFact]
    public void Large_tensors_reuse_freed_memory_where_glibcs_default_faults_in_every_page_again()
    {
        // A run told to keep glibc's default (SSM_NATIVE_HEAP=system, or its own GLIBC_TUNABLES) has no tuned heap to test.
        if (NativeHeap.OptedOut(Environment.GetEnvironmentVariable) is not null) return;

        var (tuned, faults, pages, afterReturn) = Child(heap: null);
        var (systemTuned, systemFaults, _, _) = Child(heap: "system");

        Assert.True(tuned, "glibc's malloc was left at its defaults on Linux without an opt-out");
        Assert.False(systemTuned);
        Assert.True(systemFaults > pages * 3 / 4, $"the control: glibc's default faulted {systemFaults} of {pages} pages");
        // Now and then a small allocation between two tensors takes the start of the freed block and the heap grows by one
        // tensor more (with oneDNN on, 1 run in 4 on the Zen 5 machine); glibc's default faults in all four.
        Assert.True(faults < pages / 2, $"{faults} page faults for four 48 MB tensors of {pages} pages in all: their memory was not reused");
        Assert.True(afterReturn > pages / 4 * 3 / 4, $"after ReturnFreeMemory one 48 MB tensor faulted only {afterReturn} of {pages / 4} pages: the memory was kept");
    }

    [Theory]
    [InlineData("system", null, "SSM_NATIVE_HEAP=system")]
    [InlineData("SYSTEM", null, "SSM_NATIVE_HEAP=system")]
    [InlineData(null, "glibc.malloc.arena_max=2", "GLIBC_TUNABLES sets malloc")]
    [InlineData(null, "glibc.cpu.hwcaps=-AVX2", null)]
    [InlineData("tuned", null, null)]
    [InlineData(null, null, null)]
    public void The_user_can_keep_glibcs_own_settings(string? ssmNativeHeap, string? glibcTunables, string? expected)
    {
        string? environment(string name) => name switch { "SSM_NATIVE_HEAP" => ssmNativeHeap, "GLIBC_TUNABLES" => glibcTunables, _ => null };

        Assert.Equal(expected, NativeHeap.OptedOut(environment));
    }

    /// <summary>Runs TrainingChild's heap scenario: on its main thread, as the command line and console programs train.</summary>
    private static (bool Tuned, long Faults, long Pages, long AfterReturn) Child(string? heap)
    {
        var m = TrainingChildProcess.Run("heap", @"tuned (True|False) faults (\d+) pages (\d+) after-return (\d+)", nativeHeap: heap);
        return (bool.Parse(m.Groups[1].Value), long.Parse(m.Groups[2].Value), long.Parse(m.Groups[3].Value), long.Parse(m.Groups[4].Value));
    }
}
