using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace SSM.Core.Scoring;

/// <summary>
/// Whether this machine computes bfloat16 natively, which decides <see cref="NetworkPrecision.Auto"/>. Without native
/// support libtorch emulates bfloat16 and scoring gets slower, not faster; GPUs are left in float32.
/// </summary>
public static class NativeBFloat16
{
    private static readonly Lazy<bool> cpu = new(CpuIdHasBFloat16);

    /// <summary>True when the CPU has AVX-512 BF16 (and the system saves AVX-512 state) or AMX-BF16, asked of the
    /// processor itself (CPUID), so on any x86-64 system; false on other architectures.</summary>
    public static bool OnCpu => cpu.Value;

    /// <summary>The precision the network runs in on <paramref name="device"/>: Auto resolved, the others as given.</summary>
    public static NetworkPrecision Resolve(NetworkPrecision requested, Device device) => requested switch
    {
        NetworkPrecision.Auto => device.type == DeviceType.CPU && OnCpu ? NetworkPrecision.BFloat16 : NetworkPrecision.Float32,
        _ => requested,
    };

    /// <summary>The tensor type the network runs in on <paramref name="device"/> for <paramref name="requested"/>.</summary>
    public static ScalarType Format(NetworkPrecision requested, Device device) =>
        Resolve(requested, device) == NetworkPrecision.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32;

    private static bool CpuIdHasBFloat16()
    {
        if (!X86Base.IsSupported || X86Base.CpuId(0, 0).Eax < 7) return false;
        var leaf7 = X86Base.CpuId(7, 0);
        bool amxBf16 = (leaf7.Edx & (1 << 22)) != 0;
        // Leaf 7 sub-leaf 1 exists when sub-leaf 0 says so; EAX bit 5 is AVX512_BF16. Avx512F.IsSupported also checks
        // that the operating system saves the AVX-512 registers.
        bool avx512Bf16 = leaf7.Eax >= 1 && Avx512F.IsSupported && (X86Base.CpuId(7, 1).Eax & (1 << 5)) != 0;
        return amxBf16 || avx512Bf16;
    }

    /// <summary>Whether the "flags" lines of a Linux /proc/cpuinfo text name a native bfloat16 instruction set (the
    /// kernel's view, against which the tests check <see cref="OnCpu"/>).</summary>
    internal static bool CpuInfoHasBFloat16(string cpuInfo) => cpuInfo
        .Split('\n')
        .Where(line => line.StartsWith("flags", StringComparison.Ordinal))
        .SelectMany(line => line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Any(flag => flag is "avx512_bf16" or "amx_bf16");
}
