using SSM.Core.Scoring;
using static TorchSharp.torch;

namespace SSM.Core.Tests.Scoring;

public class NativeBFloat16Tests
{
    private const string Zen4 = "processor\t: 0\nmodel name\t: AMD EPYC 9R14\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni\n\n";
    private const string SapphireRapids = "flags\t\t: fpu avx512f amx_bf16 amx_tile\n";
    private const string Skylake = "processor\t: 0\nmodel name\t: bf16-free avx512_bf16 lookalike in the name\nflags\t\t: fpu avx2 avx512f avx512bw\n";

    [Theory]
    [InlineData(Zen4, true)]
    [InlineData(SapphireRapids, true)]
    [InlineData(Skylake, false)]
    [InlineData("", false)]
    public void OnlyTheFlagsLinesCount(string cpuInfo, bool expected) =>
        Assert.Equal(expected, NativeBFloat16.CpuInfoHasBFloat16(cpuInfo));

    [LinuxFact]   // the kernel's flags
    public void TheProcessorAgreesWithTheLinuxKernelsFlags()
    {
        Assert.Equal(NativeBFloat16.CpuInfoHasBFloat16(File.ReadAllText("/proc/cpuinfo")), NativeBFloat16.OnCpu);
    }

    [Theory]
    [InlineData(NetworkPrecision.Float32)]
    [InlineData(NetworkPrecision.BFloat16)]
    public void AnExplicitPrecisionIsKept(NetworkPrecision precision) =>
        Assert.Equal(precision, NativeBFloat16.Resolve(precision, CPU));

    [Theory]
    [InlineData(false, true, "AuthenticAMD", true)]    // the EPYC measured here: bfloat16 1.6x (training), 2.4x (scoring)
    [InlineData(false, true, "GenuineIntel", false)]   // the Xeon measured here, AMX hidden: 0.9x, 0.7x
    [InlineData(true, true, "GenuineIntel", true)]
    [InlineData(true, false, "GenuineIntel", true)]
    [InlineData(false, false, "AuthenticAMD", false)]
    public void BFloat16IsExpectedFasterWithAmxOrOnAmd(bool amx, bool avx512, string vendor, bool expected)
    {
        Assert.Equal(expected, NativeBFloat16.Faster(amx, avx512, vendor, oneDnnOff: false));
        // Without oneDNN libtorch's own bfloat16 convolutions are many times slower than float32: never faster.
        Assert.False(NativeBFloat16.Faster(amx, avx512, vendor, oneDnnOff: true));
    }

    /// <summary>Auto as the kernel's view of this CPU (its flags and vendor in /proc/cpuinfo, not CPUID) and the oneDNN
    /// check decide it.</summary>
    [LinuxFact]
    public void AutoFollowsTheCpu()
    {
        SSM.Core.Torch.TorchNative.EnsureLoaded();   // the oneDNN check runs as libtorch loads
        var expected = FromKernelsView() ? NetworkPrecision.BFloat16 : NetworkPrecision.Float32;
        Assert.Equal(expected, NativeBFloat16.Resolve(NetworkPrecision.Auto, CPU));
        Assert.Equal(expected == NetworkPrecision.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32, NativeBFloat16.Format(NetworkPrecision.Auto, CPU));
    }

    private static bool FromKernelsView()
    {
        var lines = File.ReadAllLines("/proc/cpuinfo");
        var flags = lines.First(l => l.StartsWith("flags", StringComparison.Ordinal)).Split(' ');
        string vendor = lines.First(l => l.StartsWith("vendor_id", StringComparison.Ordinal)).Split(':')[1].Trim();
        return NativeBFloat16.Faster(flags.Contains("amx_bf16"), flags.Contains("avx512_bf16"), vendor, SSM.Core.Torch.OneDnnCheck.OneDnnTurnedOff);
    }

    [Theory]
    [InlineData(NetworkPrecision.Float32, ScalarType.Float32)]
    [InlineData(NetworkPrecision.BFloat16, ScalarType.BFloat16)]
    public void TheFormatIsTheTensorTypeOfThePrecision(NetworkPrecision precision, ScalarType expected) =>
        Assert.Equal(expected, NativeBFloat16.Format(precision, CPU));
}
