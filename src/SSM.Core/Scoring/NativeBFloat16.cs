using System.Runtime.Intrinsics.X86;
using System.Text;
using SSM.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace SSM.Core.Scoring;

/// <summary>
/// Whether this machine computes bfloat16 natively, and whether that makes the network faster than float32, which
/// decides <see cref="NetworkPrecision.Auto"/>. Without native support libtorch emulates bfloat16 and gets slower. With
/// it, the two processors measured here (`speed` benchmark) disagree. A 2-core AMD EPYC with AVX-512 BF16 trained 1.6x
/// and scored 2.4x faster in bfloat16 (2026-11-30, before the network ran channels-last; channels-last, 1.8x and 1.7x on
/// 2026-12-01). A 2-core Intel Xeon with
/// AVX-512 BF16 but no AMX (a VM) multiplies matrices in bfloat16 at half its float32 rate; with the network
/// channels-last it trained at 0.9x and scored at 0.7x of its float32 speed (2026-12-01). So
/// <see cref="NetworkPrecision.Auto"/> picks bfloat16 for AMX-BF16, and for AVX-512 BF16 on AMD processors only. GPUs are
/// left in float32.
/// </summary>
public static class NativeBFloat16
{
    private static readonly Lazy<(bool Amx, bool Avx512, string Vendor)> cpu = new(CpuId);

    /// <summary>True when the CPU has AVX-512 BF16 (and the system saves AVX-512 state) or AMX-BF16, asked of the
    /// processor itself (CPUID), so on any x86-64 system; false on other architectures.</summary>
    public static bool OnCpu => cpu.Value.Amx || cpu.Value.Avx512;

    /// <summary>True when bfloat16 is expected to run the network faster than float32 on this CPU (see the class). Never
    /// when <see cref="OneDnnCheck"/> turned oneDNN off: libtorch's own bfloat16 convolutions took 8.6 s for a training step
    /// that float32 did in 0.5 s (2026-12-02, the Zen 5 machine the check was written for, with another training beside it).</summary>
    public static bool FasterOnCpu => Faster(cpu.Value.Amx, cpu.Value.Avx512, cpu.Value.Vendor, OneDnnCheck.OneDnnTurnedOff);

    /// <summary>The precision the network runs in on <paramref name="device"/>: Auto resolved, the others as given.</summary>
    public static NetworkPrecision Resolve(NetworkPrecision requested, Device device) => requested switch
    {
        NetworkPrecision.Auto => device.type == DeviceType.CPU && FasterOnCpu ? NetworkPrecision.BFloat16 : NetworkPrecision.Float32,
        _ => requested,
    };

    /// <summary>The tensor type the network runs in on <paramref name="device"/> for <paramref name="requested"/>.</summary>
    public static ScalarType Format(NetworkPrecision requested, Device device) =>
        Resolve(requested, device) == NetworkPrecision.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32;

    /// <summary>The rule of the class: AMX-BF16 anywhere, AVX-512 BF16 on AMD; neither with oneDNN turned off.</summary>
    internal static bool Faster(bool amxBf16, bool avx512Bf16, string vendor, bool oneDnnOff) =>
        !oneDnnOff && (amxBf16 || (avx512Bf16 && vendor == "AuthenticAMD"));

    private static (bool Amx, bool Avx512, string Vendor) CpuId()
    {
        if (!X86Base.IsSupported) return (false, false, "");
        var leaf0 = X86Base.CpuId(0, 0);
        string vendor = string.Concat(new[] { leaf0.Ebx, leaf0.Edx, leaf0.Ecx }.Select(r => Encoding.ASCII.GetString(BitConverter.GetBytes(r))));
        if (leaf0.Eax < 7) return (false, false, vendor);
        var leaf7 = X86Base.CpuId(7, 0);
        bool amxBf16 = (leaf7.Edx & (1 << 22)) != 0;
        // Leaf 7 sub-leaf 1 exists when sub-leaf 0 says so; EAX bit 5 is AVX512_BF16. Avx512F.IsSupported also checks
        // that the operating system saves the AVX-512 registers.
        bool avx512Bf16 = leaf7.Eax >= 1 && Avx512F.IsSupported && (X86Base.CpuId(7, 1).Eax & (1 << 5)) != 0;
        return (amxBf16, avx512Bf16, vendor);
    }

    /// <summary>Whether the "flags" lines of a Linux /proc/cpuinfo text name a native bfloat16 instruction set (the
    /// kernel's view, against which the tests check <see cref="OnCpu"/>).</summary>
    internal static bool CpuInfoHasBFloat16(string cpuInfo) => cpuInfo
        .Split('\n')
        .Where(line => line.StartsWith("flags", StringComparison.Ordinal))
        .SelectMany(line => line[(line.IndexOf(':') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Any(flag => flag is "avx512_bf16" or "amx_bf16");
}
