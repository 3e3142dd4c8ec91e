using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace SSM.Core.Torch;

/// <summary>
/// Checks once per process that libtorch's oneDNN convolutions compute what they should, and turns oneDNN off when they
/// do not. On a 2-core AMD EPYC (Zen 5, family 26) virtual machine of 2026-12-02, whose processor reports no cache sizes,
/// libtorch 2.10's oneDNN computed wrongly whenever it used its blocked layouts with channels padded to a block (its
/// verbose log shows the padded copies): a 3x3 convolution of 17 channels in the default layout was off by up to 30 % of
/// its range, bfloat16 convolutions of 1-2 channels by up to 100 %, some gave NaN, and trainings diverged or differed
/// between runs of one seed. With oneDNN off, libtorch's own convolutions were right (to 1e-6 of a float64 reference)
/// in every case measured, more slowly.
/// </summary>
public static class OneDnnCheck
{
    private static readonly Lazy<string?> finding = new(Run);

    /// <summary>Null when the probe convolutions came out right (oneDNN's, or libtorch's own when it is off); else what was wrong, and that
    /// libtorch's own convolutions are used instead. Runs the probe on first use.</summary>
    public static string? Finding => finding.Value;

    /// <summary>True when the probe turned oneDNN off for this process.</summary>
    public static bool OneDnnTurnedOff => Finding is not null;

    /// <summary>Runs the probe once (under a second; twice that where oneDNN is wrong); <see cref="TorchNative.EnsureLoaded"/> calls it.</summary>
    /// <exception cref="InvalidOperationException">oneDNN computes wrongly and cannot be turned off on this platform.</exception>
    public static void Ensure() => _ = finding.Value;

    /// <summary>The largest error of the probe convolutions relative to their range; the cases that failed here were
    /// off by 0.09 or more (or NaN), the others within 1e-5 in float32 and 1e-2 in bfloat16.</summary>
    internal static (double Float32, double BFloat16) ProbeErrors()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(7);
        double worst32 = 0, worst16 = 0;
        // The cases that failed: channels padded to oneDNN's block of 8 or 16 (17 in; a batch of one image takes another
        // path), and bfloat16 pairs (1 or 2 in).
        foreach (var (channels, side, layoutLast) in new[] { (17, 8, false), (17, 8, true), (2, 32, false), (1, 32, true) })
        {
            var x = randn([channels == 17 ? 2 : 4, channels, side, side], generator: generator);
            var w = randn([16, channels, 3, 3], generator: generator).mul_(0.2);
            var reference = Convolve(x.to(ScalarType.Float64), w.to(ScalarType.Float64), false);
            double range = reference.abs().max().item<double>();
            worst32 = Math.Max(worst32, Error(Convolve(x, w, layoutLast), reference, range));
            worst16 = Math.Max(worst16, Error(Convolve(x.to(ScalarType.BFloat16), w.to(ScalarType.BFloat16), layoutLast), reference, range));
        }
        return (worst32, worst16);
    }

    private static Tensor Convolve(Tensor x, Tensor w, bool channelsLast) =>
        nn.functional.conv2d(channelsLast ? ChannelsLast.Of(x) : x, w, null, [1, 1], [1, 1]);

    private static double Error(Tensor y, Tensor reference, double range)
    {
        double e = (y.to(ScalarType.Float64) - reference).abs().max().item<double>() / range;
        return double.IsNaN(e) ? double.PositiveInfinity : e;
    }

    private static string? Run()
    {
        Native.TurnOffUnusableNnpack();
        var before = ProbeErrors();
        if (Right(before)) return null;
        if (!Native.TryDisable())
            throw new InvalidOperationException(Wrong(before) + " Turning oneDNN off is not supported with this libtorch; on the machine where " +
                                                "this was seen, the environment variable ONEDNN_MAX_CPU_ISA=SSE41, set before the program starts, gave right values.");
        var after = ProbeErrors();
        if (!Right(after))
            throw new InvalidOperationException(Wrong(before) + $" With oneDNN off they are still wrong ({Describe(after)}).");
        return Wrong(before) + $" oneDNN is off for this process: libtorch's own convolutions are right ({Describe(after)}), and slower.";
    }

    private static bool Right((double Float32, double BFloat16) errors) => errors.Float32 <= 1e-3 && errors.BFloat16 <= 0.05;

    private static string Wrong((double Float32, double BFloat16) errors) =>
        $"libtorch's oneDNN convolutions compute wrong values on this processor ({Describe(errors)}; a virtual machine that " +
        "reports no cache sizes showed this).";

    private static string Describe((double Float32, double BFloat16) e) =>
        $"largest error {Format(e.Float32)} of the range in float32, {Format(e.BFloat16)} in bfloat16";

    private static string Format(double e) => double.IsPositiveInfinity(e) ? "NaN" : e.ToString("0.0e0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>libtorch's switch for oneDNN (at::globalContext().setUserEnabledMkldnn), which TorchSharp does not expose:
    /// the C++ entry points by their mangled names, GCC's (Linux, macOS) or MSVC's (Windows).</summary>
    private static class Native
    {
        private const string Library = "torch_cpu";

        [DllImport(Library, EntryPoint = "_ZN2at13globalContextEv")] private static extern IntPtr ContextGcc();
        [DllImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")] private static extern void SetGcc(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);
        [DllImport(Library, EntryPoint = "?globalContext@at@@YAAEAVContext@1@XZ")] private static extern IntPtr ContextMsvc();
        [DllImport(Library, EntryPoint = "?setUserEnabledMkldnn@Context@at@@QEAAX_N@Z")] private static extern void SetMsvc(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);
        [DllImport(Library, EntryPoint = "_ZN2at6native17_nnpack_availableEv")] [return: MarshalAs(UnmanagedType.I1)] private static extern bool NnpackAvailableGcc();
        [DllImport(Library, EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")] private static extern void SetNnpackGcc(IntPtr context, [MarshalAs(UnmanagedType.I1)] bool enabled);

        /// <summary>
        /// NNPACK that cannot start (the same Zen 5 machine: "Unsupported hardware") makes libtorch log a warning line on
        /// stderr at every convolution it considers NNPACK for: 16 lines per image scored, 684 in one training (a
        /// walkthrough, 2026-12-02). Asked once with libtorch's log quiet, and turned off when unusable. Linux only: the
        /// log level is c10's exported FLAGS_caffe2_log_level.
        /// </summary>
        public static void TurnOffUnusableNnpack()
        {
            if (!OperatingSystem.IsLinux()) return;
            try
            {
                if (!NativeLibrary.TryLoad("libc10.so", typeof(OneDnnCheck).Assembly, null, out IntPtr c10) ||
                    !NativeLibrary.TryGetExport(c10, "FLAGS_caffe2_log_level", out IntPtr level)) return;
                int before = Marshal.ReadInt32(level);
                Marshal.WriteInt32(level, 3);   // FATAL only, while asking
                bool available;
                try { available = NnpackAvailableGcc(); }
                finally { Marshal.WriteInt32(level, before); }
                if (!available) SetNnpackGcc(ContextGcc(), false);
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                // Another libtorch build: its warnings, if any, stay.
            }
        }

        /// <summary>False when the switch cannot be reached (a libtorch built otherwise).</summary>
        public static bool TryDisable()
        {
            try
            {
                if (OperatingSystem.IsWindows()) SetMsvc(ContextMsvc(), false);
                else SetGcc(ContextGcc(), false);
                return true;
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                return false;
            }
        }
    }
}
