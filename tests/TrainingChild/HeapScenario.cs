using SSM.Core.Torch;
using static TorchSharp.torch;

/// <summary>Page faults of tensors written again and again: whether freed tensors' memory is reused (NativeHeap).</summary>
internal static class HeapScenario
{
    /// <summary>48 MB: above the 32 MB up to which glibc's default reuses freed memory anyway.</summary>
    private const long Floats = 12L << 20;

    public static void Run()
    {
        TorchNative.EnsureLoaded();
        // The heap grows a few times more while small allocations in between settle (seen: up to the fourth tensor
        // faulted; now and then one later, which NativeHeapTests allows), so the count starts after the first tensor that
        // reused memory, or after twelve.
        long tensorPages = Floats * sizeof(float) / Environment.SystemPageSize;
        for (int i = 0; i < 12; i++)
        {
            long start = MinorFaults();
            Fill();
            if (MinorFaults() - start < tensorPages / 8) break;
        }
        long before = MinorFaults();
        for (int i = 0; i < 4; i++) Fill();
        long pages = 4 * tensorPages;
        long faults = MinorFaults() - before;
        // Once handed back, the memory must be faulted in again.
        NativeHeap.ReturnFreeMemory();
        before = MinorFaults();
        Fill();
        Console.WriteLine($"tuned {NativeHeap.Tuned} faults {faults} pages {pages} after-return {MinorFaults() - before}");
    }

    private static void Fill()
    {
        using var t = ones(Floats);   // written, so every page is touched
    }

    /// <summary>The process's minor page faults so far (/proc/self/stat, field 10).</summary>
    private static long MinorFaults()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7]);   // the fields after the command name start at field 3, the state
    }
}
