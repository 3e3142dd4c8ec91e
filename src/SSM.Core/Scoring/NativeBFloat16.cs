using TorchSharp;
using static TorchSharp.torch;

namespace SSM.Core.Scoring;

/// <summary>
/// Whether this machine computes bfloat16 natively, which decides <see cref="ScoringPrecision.Auto"/>. Without native
/// support libtorch emulates bfloat16 and scoring gets slower, not faster; GPUs are left in float32.
/// </summary>
public static class NativeBFloat16
{
    private static readonly Lazy<bool> cpu = new(() => OperatingSystem.IsLinux() && File.Exists("/proc/cpuinfo")
        && CpuInfoHasBFloat16(File.ReadAllText("/proc/cpuinfo")));

    /// <summary>True when the CPU has AVX-512 BF16 or AMX-BF16. Read from the Linux processor flags; false on other
    /// systems, where no portable query exists.</summary>
    public static bool OnCpu => cpu.Value;

    /// <summary>The precision the network runs in on <paramref name="device"/>: Auto resolved, the others as given.</summary>
    public static ScoringPrecision Resolve(ScoringPrecision requested, Device device) => requested switch
    {
        ScoringPrecision.Auto => device.type == DeviceType.CPU && OnCpu ? ScoringPrecision.BFloat16 : ScoringPrecision.Float32,
        _ => requested,
    };

    /// <summary>Whether the "flags" lines of a /proc/cpuinfo text name a native bfloat16 instruction set.</summary>
    public static bool CpuInfoHasBFloat16(string cpuInfo) => cpuInfo
        .Split('\n')
        .Where(line => line.StartsWith("flags", StringComparison.Ordinal))
        .SelectMany(line => line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Any(flag => flag is "avx512_bf16" or "amx_bf16");
}
